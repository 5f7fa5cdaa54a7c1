#include "core/retry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace coolpapers::core {
namespace {

// splitmix64: small, fast, good enough for jitter, and deterministic for a given seed.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t SeedFrom(Clock& clock) {
  auto wall = clock.Now().time_since_epoch().count();
  auto mono = clock.Monotonic().time_since_epoch().count();
  return static_cast<uint64_t>(wall) ^ (static_cast<uint64_t>(mono) << 1) ^ 0x5DEECE66DULL;
}

}  // namespace

Retry::Retry(const RetryPolicy& policy, std::string what, Clock& clock)
    : policy_(policy), what_(std::move(what)), clock_(clock) {
  policy_.max_attempts = std::max(1, policy_.max_attempts);
  rng_state_ = policy_.jitter_seed != 0 ? policy_.jitter_seed : SeedFrom(clock_);
}

bool Retry::next() {
  if (attempt_ == 0) {
    attempt_ = 1;
    return true;
  }
  if (succeeded_ || aborted_) return false;
  if (failures_ < attempt_) {
    // The loop body ended without ok(), fail() or abort(): count it as a failure so the loop
    // cannot spin forever.
    fail(Status::Internal("attempt ended without a result (call ok(), fail() or abort())"));
  }
  if (attempt_ >= policy_.max_attempts) return false;
  std::chrono::milliseconds delay = NextDelay();
  clock_.SleepFor(delay);
  waited_ += delay;
  ++attempt_;
  return true;
}

void Retry::ok() {
  succeeded_ = true;
  last_ = Status::Ok();
}

void Retry::fail(Status why) {
  ++failures_;
  last_ = std::move(why);
  if (attempt_ >= policy_.max_attempts) {
    spdlog::warn("{}: attempt {}/{} failed: {}; giving up", what_, attempt_, policy_.max_attempts,
                 last_.ToString());
  } else {
    // Only the final failure is a warning: an unreachable upstream (a machine offline) then
    // costs one line per request, not one per attempt; callers count the retries.
    spdlog::debug("{}: attempt {}/{} failed: {}; will retry", what_, attempt_,
                  policy_.max_attempts, last_.ToString());
  }
}

void Retry::abort(Status why) {
  ++failures_;
  aborted_ = true;
  last_ = std::move(why);
  spdlog::warn("{}: attempt {}/{} failed permanently: {}", what_, attempt_, policy_.max_attempts,
               last_.ToString());
}

void Retry::retry_after(std::chrono::milliseconds d) {
  if (d.count() < 0) d = std::chrono::milliseconds(0);
  retry_after_ = std::min(d, policy_.max_retry_after);
}

std::chrono::milliseconds Retry::NextDelay() {
  // Exponential backoff: initial * multiplier^(failures - 1), capped; full jitter picks
  // uniformly in [0, backoff].
  double backoff = static_cast<double>(policy_.initial_backoff.count()) *
                   std::pow(std::max(1.0, policy_.multiplier), std::max(0, failures_ - 1));
  backoff = std::min(backoff, static_cast<double>(policy_.max_backoff.count()));
  auto cap = static_cast<uint64_t>(std::max(0.0, backoff));
  auto floor = static_cast<uint64_t>(
      static_cast<double>(cap) * std::clamp(policy_.min_jitter_fraction, 0.0, 1.0));
  uint64_t span = cap - floor;
  auto delay = std::chrono::milliseconds(
      static_cast<int64_t>(floor + (span == 0 ? 0 : NextRandom(rng_state_) % (span + 1))));
  if (retry_after_) {
    delay = std::max(delay, *retry_after_);
    retry_after_.reset();
  }
  return delay;
}

}  // namespace coolpapers::core
