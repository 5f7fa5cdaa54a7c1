#include "web/click_dedup.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace coolpapers::web {
namespace {

using namespace std::chrono;

TEST(ClickDedupTest, OncePerClientPaperKindAndUtcDay) {
  core::FakeClock clock(sys_days(year{2026} / 7 / 1) + hours(12));
  ClickDedup d(clock);
  EXPECT_TRUE(d.FirstToday("192.0.2.1", "2606.00001", "pdf"));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(d.FirstToday("192.0.2.1", "2606.00001", "pdf"));
  EXPECT_TRUE(d.FirstToday("192.0.2.2", "2606.00001", "pdf"));
  EXPECT_TRUE(d.FirstToday("192.0.2.1", "2606.00001", "kimi"));
  EXPECT_TRUE(d.FirstToday("192.0.2.1", "2606.00002", "pdf"));
  // Parts do not run into each other.
  EXPECT_TRUE(d.FirstToday("192.0.2.12", "606.00001", "pdf"));
  EXPECT_EQ(d.GetStats().repeats, 4u);
  clock.Advance(hours(11) + minutes(59));  // 23:59 the same day
  EXPECT_FALSE(d.FirstToday("192.0.2.1", "2606.00001", "pdf"));
  clock.Advance(minutes(1));  // 00:00 UTC next day
  EXPECT_TRUE(d.FirstToday("192.0.2.1", "2606.00001", "pdf"));
  EXPECT_EQ(d.GetStats().entries, 1u);
}

TEST(ClickDedupTest, BoundedSetCountsClicksBeyondTheCap) {
  core::FakeClock clock(sys_days(year{2026} / 7 / 1));
  ClickDedup d(clock, /*max_entries=*/100);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(d.FirstToday("192.0.2." + std::to_string(i), "2606.00001", "pdf"));
  }
  ClickDedup::Stats s = d.GetStats();
  EXPECT_EQ(s.entries, 100u);
  EXPECT_EQ(s.overflow, 900u);
  EXPECT_FALSE(d.FirstToday("192.0.2.5", "2606.00001", "pdf"));  // recorded before the cap
  clock.Advance(hours(24));
  EXPECT_TRUE(d.FirstToday("192.0.2.500", "2606.00001", "pdf"));
  EXPECT_EQ(d.GetStats().entries, 1u);
}

}  // namespace
}  // namespace coolpapers::web
