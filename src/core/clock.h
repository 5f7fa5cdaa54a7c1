#pragma once
// Clock: the source of time and sleep, passed in so tests can use a fake one.

#include <chrono>
#include <mutex>

namespace coolpapers::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() = 0;
  virtual std::chrono::steady_clock::time_point Monotonic() = 0;
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
};

// The real clock.
Clock& SystemClock();

// A clock for tests: time only moves when SleepFor or Advance is called.
class FakeClock : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start = {});
  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point Monotonic() override;
  void SleepFor(std::chrono::milliseconds d) override;  // advances time, returns at once
  void Advance(std::chrono::milliseconds d);
  std::chrono::milliseconds total_slept() const;

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point now_;
  std::chrono::steady_clock::time_point mono_;
  std::chrono::milliseconds slept_{0};
};

}  // namespace coolpapers::core
