#include "core/day_range.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace coolpapers::core {
namespace {

using ::testing::HasSubstr;

TEST(DayRangeTest, SingleDayAndRange) {
  auto one = ParseDayRange("2026-06-30");
  ASSERT_TRUE(one) << one.error().ToString();
  EXPECT_TRUE(one->single());
  EXPECT_EQ(one->ToString(), "2026-06-30");
  auto week = ParseDayRange(" 2026-06-29..2026-07-03 ");
  ASSERT_TRUE(week) << week.error().ToString();
  EXPECT_EQ(week->first, "2026-06-29");
  EXPECT_EQ(week->last, "2026-07-03");
  EXPECT_FALSE(week->single());
  EXPECT_EQ(week->ToString(), "2026-06-29..2026-07-03");
  EXPECT_TRUE(week->Contains("2026-07-01"));
  EXPECT_FALSE(week->Contains("2026-07-04"));
  auto same = ParseDayRange("2026-06-29..2026-06-29");
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->single());
}

TEST(DayRangeTest, MalformedReversedAndTooLongRangesNameTheValue) {
  auto reversed = ParseDayRange("2026-07-03..2026-06-29");
  ASSERT_FALSE(reversed);
  EXPECT_THAT(reversed.error().message(), HasSubstr("'2026-07-03..2026-06-29' ends before it starts"));
  EXPECT_THAT(reversed.error().message(), HasSubstr("2026-06-29..2026-07-03"));
  auto bad_first = ParseDayRange("2026-13-01..2026-07-03");
  ASSERT_FALSE(bad_first);
  EXPECT_THAT(bad_first.error().message(), HasSubstr("does not start with a day"));
  auto bad_last = ParseDayRange("2026-07-01..");
  ASSERT_FALSE(bad_last);
  EXPECT_THAT(bad_last.error().message(), HasSubstr("does not end with a day"));
  EXPECT_FALSE(ParseDayRange("..2026-07-01"));
  EXPECT_FALSE(ParseDayRange("2026-07-01...2026-07-02"));
  EXPECT_FALSE(ParseDayRange("yesterday"));
  // 31 days is the limit: June 1 to July 1 is 31 days, to July 2 is 32.
  EXPECT_TRUE(ParseDayRange("2026-06-01..2026-07-01"));
  auto longer = ParseDayRange("2026-06-01..2026-07-02");
  ASSERT_FALSE(longer);
  EXPECT_THAT(longer.error().message(), HasSubstr("spans 32 days; at most 31 days"));
  EXPECT_FALSE(ParseDayRange("2026-06-01..2026-06-08", 7));
}

TEST(DayRangeTest, ThisWeekAndLastSevenDays) {
  // 2026-07-01 is a Wednesday.
  EXPECT_EQ(WeekOf("2026-07-01").ToString(), "2026-06-29..2026-07-01");
  EXPECT_EQ(WeekOf("2026-06-29").ToString(), "2026-06-29");  // a Monday
  EXPECT_EQ(WeekOf("2026-07-05").ToString(), "2026-06-29..2026-07-05");  // a Sunday
  EXPECT_EQ(LastDays("2026-07-01", 7).ToString(), "2026-06-25..2026-07-01");
}

TEST(DayRangeTest, TheRangesBeforeAndAfterAreAsLong) {
  const DayRange week{"2026-06-29", "2026-07-05"};
  EXPECT_EQ(DaysIn(week), 7);
  EXPECT_EQ(RangeBefore(week).ToString(), "2026-06-22..2026-06-28");
  EXPECT_EQ(RangeAfter(week).ToString(), "2026-07-06..2026-07-12");
  EXPECT_EQ(DaysIn(DayRange{"2026-02-27", "2026-03-02"}), 4);
  EXPECT_EQ(RangeBefore(DayRange{"2026-07-01", "2026-07-01"}).ToString(), "2026-06-30");
}

}  // namespace
}  // namespace coolpapers::core
