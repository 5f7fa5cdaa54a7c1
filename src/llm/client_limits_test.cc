#include "llm/client_limits.h"

#include <gtest/gtest.h>

namespace coolpapers::llm {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(ClientRateLimiterTest, BurstThenRefillPerClient) {
  core::FakeClock clock;
  ClientRateLimiter limiter(3, clock);
  seconds wait{0};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryAcquire("10.0.0.1", &wait));
  EXPECT_FALSE(limiter.TryAcquire("10.0.0.1", &wait));
  EXPECT_EQ(wait, seconds(1200));                       // one token per 20 min
  EXPECT_TRUE(limiter.TryAcquire("10.0.0.2", &wait));   // other clients are not affected
  clock.Advance(minutes(19));
  EXPECT_FALSE(limiter.TryAcquire("10.0.0.1", &wait));
  EXPECT_EQ(wait, seconds(60));
  clock.Advance(minutes(1));
  EXPECT_TRUE(limiter.TryAcquire("10.0.0.1", &wait));
}

TEST(ClientRateLimiterTest, ZeroDisables) {
  core::FakeClock clock;
  ClientRateLimiter limiter(0, clock);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.TryAcquire("x", nullptr));
}

TEST(DailyTokenBudgetTest, ExhaustedUntilUtcMidnight) {
  // 2026-07-01 22:00:00 UTC
  core::FakeClock clock(std::chrono::system_clock::time_point(seconds(1782943200)));
  DailyTokenBudget budget(1000, clock);
  seconds wait{0};
  EXPECT_FALSE(budget.Exhausted(&wait));
  budget.Add(600);
  EXPECT_FALSE(budget.Exhausted(&wait));
  budget.Add(600);
  EXPECT_TRUE(budget.Exhausted(&wait));
  EXPECT_EQ(wait, seconds(2 * 3600));
  EXPECT_EQ(budget.Serialize(), "2026-07-01 1200");
  clock.Advance(std::chrono::hours(2));
  EXPECT_FALSE(budget.Exhausted(&wait));  // a new day
  EXPECT_EQ(budget.used_today(), 0);
}

TEST(DailyTokenBudgetTest, RestoresOnlyTodaysUsage) {
  core::FakeClock clock(std::chrono::system_clock::time_point(seconds(1782943200)));
  DailyTokenBudget budget(1000, clock);
  budget.Restore("2026-06-30 5000");
  EXPECT_EQ(budget.used_today(), 0);
  budget.Restore("2026-07-01 1500");
  EXPECT_EQ(budget.used_today(), 1500);
  EXPECT_TRUE(budget.Exhausted(nullptr));
}

TEST(HumanDurationTest, Readable) {
  EXPECT_EQ(HumanDuration(seconds(40)), "40 s");
  EXPECT_EQ(HumanDuration(seconds(301)), "6 min");
  EXPECT_EQ(HumanDuration(seconds(7500)), "2 h 5 min");
}

}  // namespace
}  // namespace coolpapers::llm
