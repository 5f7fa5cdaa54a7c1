#include "core/clock.h"

#include <thread>

namespace coolpapers::core {
namespace {

class RealClock : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Monotonic() override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(std::chrono::milliseconds d) override {
    if (d.count() > 0) std::this_thread::sleep_for(d);
  }
};

}  // namespace

Clock& SystemClock() {
  // Stateless, so sharing one instance is not shared mutable state.
  static RealClock clock;
  return clock;
}

FakeClock::FakeClock(std::chrono::system_clock::time_point start) : now_(start) {}

std::chrono::system_clock::time_point FakeClock::Now() {
  std::lock_guard lock(mu_);
  return now_;
}

std::chrono::steady_clock::time_point FakeClock::Monotonic() {
  std::lock_guard lock(mu_);
  return mono_;
}

void FakeClock::SleepFor(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  if (d.count() <= 0) return;
  now_ += d;
  mono_ += d;
  slept_ += d;
}

void FakeClock::Advance(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  now_ += d;
  mono_ += d;
}

std::chrono::milliseconds FakeClock::total_slept() const {
  std::lock_guard lock(mu_);
  return slept_;
}

}  // namespace coolpapers::core
