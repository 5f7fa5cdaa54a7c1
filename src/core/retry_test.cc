#include "core/retry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace coolpapers::core {
namespace {

using std::chrono::milliseconds;

RetryPolicy Policy(int attempts, int initial_ms = 100, int max_ms = 1000, uint64_t seed = 42) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = milliseconds(initial_ms);
  p.max_backoff = milliseconds(max_ms);
  p.jitter_seed = seed;
  return p;
}

TEST(FakeClockTest, MovesOnlyWhenAsked) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::seconds(1000)));
  auto t0 = clock.Now();
  auto m0 = clock.Monotonic();
  EXPECT_EQ(clock.Now(), t0);
  clock.SleepFor(milliseconds(250));
  clock.Advance(milliseconds(750));
  EXPECT_EQ(clock.Now() - t0, std::chrono::seconds(1));
  EXPECT_EQ(clock.Monotonic() - m0, std::chrono::seconds(1));
  EXPECT_EQ(clock.total_slept(), milliseconds(250));
}

TEST(RetryTest, FirstAttemptSucceedsWithoutSleeping) {
  FakeClock clock;
  int bodies = 0;
  Retry r(Policy(5), "fetch x", clock);
  for (; r.next();) {
    ++bodies;
    r.ok();
  }
  EXPECT_EQ(bodies, 1);
  EXPECT_TRUE(r.succeeded());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.attempts(), 1);
  EXPECT_EQ(r.failures(), 0);
  EXPECT_EQ(clock.total_slept(), milliseconds(0));
}

TEST(RetryTest, NeverSleepsAfterTheLastAttempt) {
  FakeClock clock;
  std::vector<milliseconds> slept_before_attempt;
  Retry r(Policy(3, 100, 1000), "fetch y", clock);
  for (; r.next();) {
    slept_before_attempt.push_back(clock.total_slept());
    r.fail(Status::Unavailable("503 from upstream"));
  }
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.attempts(), 3);
  EXPECT_EQ(r.failures(), 3);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "503 from upstream");
  ASSERT_EQ(slept_before_attempt.size(), 3u);
  // Everything slept happened before the third attempt started: none after it.
  EXPECT_EQ(clock.total_slept(), slept_before_attempt[2]);
  EXPECT_EQ(r.total_waited(), clock.total_slept());
}

TEST(RetryTest, SucceedsAfterTransientFailures) {
  FakeClock clock;
  Retry r(Policy(5), "fetch z", clock);
  int bodies = 0;
  for (; r.next();) {
    if (++bodies < 3) {
      r.fail(Status::DeadlineExceeded("timeout"));
      continue;
    }
    r.ok();
  }
  EXPECT_EQ(bodies, 3);
  EXPECT_TRUE(r.succeeded());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.failures(), 2);
}

TEST(RetryTest, AbortStopsImmediately) {
  FakeClock clock;
  Retry r(Policy(5), "fetch missing", clock);
  int bodies = 0;
  for (; r.next();) {
    ++bodies;
    r.abort(Status::NotFound("404 for missing"));
  }
  EXPECT_EQ(bodies, 1);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(clock.total_slept(), milliseconds(0));
}

TEST(RetryTest, AbortAfterAFailureDoesNotSleepAgain) {
  FakeClock clock;
  Retry r(Policy(5), "fetch", clock);
  int bodies = 0;
  milliseconds slept_at_abort{-1};
  for (; r.next();) {
    if (++bodies == 1) {
      r.fail(Status::Unavailable("reset"));
      continue;
    }
    slept_at_abort = clock.total_slept();
    r.abort(Status::PermissionDenied("403"));
  }
  EXPECT_EQ(bodies, 2);
  EXPECT_EQ(clock.total_slept(), slept_at_abort);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TEST(RetryTest, RetryAfterIsHonouredWhenLargerThanBackoff) {
  FakeClock clock;
  Retry r(Policy(2, 100, 1000), "fetch rate limited", clock);
  for (; r.next();) {
    if (r.attempts() == 1) {
      r.retry_after(milliseconds(30000));
      r.fail(Status::ResourceExhausted("429"));
      continue;
    }
    r.ok();
  }
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(clock.total_slept(), milliseconds(30000));
}

TEST(RetryTest, RetryAfterIsCappedByPolicy) {
  FakeClock clock;
  RetryPolicy p = Policy(2, 100, 1000);
  p.max_retry_after = milliseconds(5000);
  Retry r(p, "fetch", clock);
  for (; r.next();) {
    if (r.attempts() == 1) {
      r.retry_after(std::chrono::hours(2));
      r.fail(Status::Unavailable("503"));
      continue;
    }
    r.ok();
  }
  EXPECT_EQ(clock.total_slept(), milliseconds(5000));
}

TEST(RetryTest, SmallRetryAfterDoesNotShortenBackoffAndAppliesOnce) {
  // The wait is max(jittered backoff, Retry-After), and a Retry-After covers one wait only.
  FakeClock clock;
  RetryPolicy p = Policy(3, 1000, 1000);
  Retry r(p, "fetch", clock);
  std::vector<milliseconds> waits;
  milliseconds before{0};
  for (; r.next();) {
    waits.push_back(clock.total_slept() - before);
    before = clock.total_slept();
    if (r.attempts() == 1) r.retry_after(milliseconds(10));
    r.fail(Status::Unavailable("503"));
  }
  ASSERT_EQ(waits.size(), 3u);
  EXPECT_GE(waits[1], milliseconds(10));
  EXPECT_LE(waits[1], milliseconds(1000));
  EXPECT_LE(waits[2], milliseconds(1000));
}

TEST(RetryTest, BackoffGrowsExponentiallyAndIsCapped) {
  // Full jitter draws each wait uniformly from [0, min(cap, initial * 2^(n-1))]. Over many
  // seeds the maximum observed wait per attempt tracks that bound.
  const int kAttempts = 7;
  std::vector<milliseconds> max_wait(kAttempts, milliseconds(0));
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    FakeClock clock;
    Retry r(Policy(kAttempts, 100, 1600, seed), "fetch", clock);
    milliseconds before{0};
    for (; r.next();) {
      int i = r.attempts() - 1;
      milliseconds wait = clock.total_slept() - before;
      before = clock.total_slept();
      if (i > 0) {
        milliseconds bound(std::min<int64_t>(1600, 100LL << (i - 1)));
        EXPECT_LE(wait, bound) << "attempt " << i + 1 << " seed " << seed;
        EXPECT_GE(wait, milliseconds(0));
        max_wait[i] = std::max(max_wait[i], wait);
      }
      r.fail(Status::Unavailable("503"));
    }
  }
  // Bounds 100, 200, 400, 800, 1600, 1600: the max of 300 uniform draws is near the bound.
  EXPECT_GT(max_wait[1], milliseconds(90));
  EXPECT_GT(max_wait[2], milliseconds(180));
  EXPECT_GT(max_wait[3], milliseconds(360));
  EXPECT_GT(max_wait[4], milliseconds(720));
  EXPECT_GT(max_wait[5], milliseconds(1440));
  EXPECT_GT(max_wait[6], milliseconds(1440));
  EXPECT_LE(max_wait[6], milliseconds(1600));
}

TEST(RetryTest, JitterVariesAcrossSeedsAndIsDeterministicPerSeed) {
  auto run = [](uint64_t seed) {
    FakeClock clock;
    Retry r(Policy(4, 1000, 60000, seed), "fetch", clock);
    for (; r.next();) r.fail(Status::Unavailable("503"));
    return clock.total_slept();
  };
  EXPECT_EQ(run(7), run(7));
  std::vector<milliseconds> totals;
  for (uint64_t seed = 1; seed <= 10; ++seed) totals.push_back(run(seed));
  std::sort(totals.begin(), totals.end());
  EXPECT_LT(totals.front(), totals.back());
  EXPECT_LE(totals.back(), milliseconds(1000 + 2000 + 4000));
}

TEST(RetryTest, AttemptWithoutResultCountsAsFailure) {
  FakeClock clock;
  Retry r(Policy(3), "fetch", clock);
  int bodies = 0;
  for (; r.next();) ++bodies;  // forgot ok()/fail(): must not loop forever
  EXPECT_EQ(bodies, 3);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(RetryTest, NonPositiveMaxAttemptsStillTriesOnce) {
  FakeClock clock;
  Retry r(Policy(0), "fetch", clock);
  int bodies = 0;
  for (; r.next();) {
    ++bodies;
    r.fail(Status::Unavailable("503"));
  }
  EXPECT_EQ(bodies, 1);
  EXPECT_EQ(clock.total_slept(), milliseconds(0));
}

TEST(RetryTest, StatusBeforeAnyAttemptIsNotOk) {
  FakeClock clock;
  Retry r(Policy(3), "fetch", clock);
  EXPECT_FALSE(r.succeeded());
  EXPECT_FALSE(r.status().ok());
  EXPECT_EQ(r.attempts(), 0);
}


TEST(RetryTest, MinJitterFractionKeepsEveryWaitAboveItsShareOfTheBackoff) {
  // With half the backoff always waited, wait n lies in [bound/2, bound] for every seed, so
  // the waits grow even when the random draw is small.
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    FakeClock clock;
    RetryPolicy p = Policy(6, 100, 1600, seed);
    p.min_jitter_fraction = 0.5;
    Retry r(p, "fetch", clock);
    milliseconds before{0};
    for (; r.next();) {
      int i = r.attempts() - 1;
      milliseconds wait = clock.total_slept() - before;
      before = clock.total_slept();
      if (i > 0) {
        int64_t bound = std::min<int64_t>(1600, 100LL << (i - 1));
        EXPECT_GE(wait.count(), bound / 2) << "attempt " << i + 1 << " seed " << seed;
        EXPECT_LE(wait.count(), bound) << "attempt " << i + 1 << " seed " << seed;
      }
      r.fail(Status::Unavailable("connection reset"));
    }
  }
}

}  // namespace
}  // namespace coolpapers::core
