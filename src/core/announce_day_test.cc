#include "core/announce_day.h"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include "core/us_eastern_rule.h"

namespace coolpapers::core {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

// A UTC instant from "YYYY-MM-DD" and a time of day.
system_clock::time_point Utc(std::string_view day, int h, int m = 0, int s = 0) {
  int y = std::stoi(std::string(day.substr(0, 4)));
  unsigned mo = std::stoul(std::string(day.substr(5, 2)));
  unsigned d = std::stoul(std::string(day.substr(8, 2)));
  date::sys_days days{date::year(y) / date::month(mo) / date::day(d)};
  return system_clock::time_point(days) + hours(h) + minutes(m) + seconds(s);
}

TEST(NewYorkDateTest, FollowsEasternMidnightInWinterAndSummer) {
  EXPECT_EQ(NewYorkDate(Utc("2024-01-16", 4, 59)), "2024-01-15");  // 23:59 EST
  EXPECT_EQ(NewYorkDate(Utc("2024-01-16", 5, 0)), "2024-01-16");   // 00:00 EST
  EXPECT_EQ(NewYorkDate(Utc("2024-07-20", 3, 59)), "2024-07-19");  // 23:59 EDT
  EXPECT_EQ(NewYorkDate(Utc("2024-07-20", 4, 0)), "2024-07-20");   // 00:00 EDT
  // The repeated 01:00-02:00 hour when DST ends (2024-11-03) is the same day both times.
  EXPECT_EQ(NewYorkDate(Utc("2024-11-03", 5, 30)), "2024-11-03");  // 01:30 EDT
  EXPECT_EQ(NewYorkDate(Utc("2024-11-03", 6, 30)), "2024-11-03");  // 01:30 EST
  EXPECT_EQ(NewYorkDate(Utc("2024-11-04", 4, 30)), "2024-11-03");  // 23:30 EST
}

TEST(ExpectedListingDayTest, BoundaryIsTwentyHundredEasternStandardTime) {
  // Tuesday 2024-01-16 in EST (UTC-5): 20:00 ET is 01:00 UTC the next day.
  EXPECT_EQ(ExpectedListingDay(Utc("2024-01-17", 0, 59, 59)), "2024-01-16");
  EXPECT_EQ(ExpectedListingDay(Utc("2024-01-17", 1, 0, 0)), "2024-01-17");
}

TEST(ExpectedListingDayTest, BoundaryIsTwentyHundredEasternDaylightTime) {
  // Monday 2024-07-15 in EDT (UTC-4): 20:00 ET is 00:00 UTC the next day.
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-15", 23, 59, 59)), "2024-07-15");
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-16", 0, 0, 0)), "2024-07-16");
  // A fixed UTC-5 clock would flip an hour late: 00:30 UTC is already 20:30 EDT.
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-16", 0, 30)), "2024-07-16");
}

TEST(ExpectedListingDayTest, DaylightSavingStartSunday) {
  // 2024-03-10: clocks jump 02:00 EST -> 03:00 EDT. That evening's 20:00 is EDT (00:00 UTC).
  EXPECT_EQ(ExpectedListingDay(Utc("2024-03-10", 23, 59)), "2024-03-08");
  EXPECT_EQ(ExpectedListingDay(Utc("2024-03-11", 0, 0)), "2024-03-11");
  // The Friday before is still EST: 20:00 ET = 01:00 UTC Saturday, and no announcement.
  EXPECT_EQ(ExpectedListingDay(Utc("2024-03-09", 1, 30)), "2024-03-08");
  // Thursday 2024-03-07 (EST): 20:00 ET = 01:00 UTC Friday.
  EXPECT_EQ(ExpectedListingDay(Utc("2024-03-08", 0, 59)), "2024-03-07");
  EXPECT_EQ(ExpectedListingDay(Utc("2024-03-08", 1, 0)), "2024-03-08");
}

TEST(ExpectedListingDayTest, DaylightSavingEndSunday) {
  // 2024-11-03: clocks fall back 02:00 EDT -> 01:00 EST. That evening's 20:00 is EST (01:00 UTC).
  EXPECT_EQ(ExpectedListingDay(Utc("2024-11-04", 0, 30)), "2024-11-01");  // 19:30 EST Sunday
  EXPECT_EQ(ExpectedListingDay(Utc("2024-11-04", 1, 0)), "2024-11-04");   // 20:00 EST Sunday
}

TEST(ExpectedListingDayTest, WeekdaysAndWeekend) {
  // Week of Monday 2024-07-15 (EDT, 20:00 ET = 00:00 UTC next day).
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-15", 14)), "2024-07-15");    // Mon 10:00
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-18", 14)), "2024-07-18");    // Thu 10:00
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-19", 0, 1)), "2024-07-19");  // Thu 20:01
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-19", 14)), "2024-07-19");    // Fri 10:00
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-20", 1)), "2024-07-19");     // Fri 21:00
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-20", 16)), "2024-07-19");    // Sat 12:00
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-21", 23)), "2024-07-19");    // Sun 19:00
  EXPECT_EQ(ExpectedListingDay(Utc("2024-07-22", 0)), "2024-07-22");     // Sun 20:00
}

TEST(NextListingDayTest, FridayEveningAndWeekendsMapToMonday) {
  EXPECT_EQ(NextListingDay(Utc("2024-07-15", 14)), "2024-07-16");  // Mon 10:00 -> Tue
  EXPECT_EQ(NextListingDay(Utc("2024-07-16", 0)), "2024-07-17");   // Mon 20:00 -> Wed
  EXPECT_EQ(NextListingDay(Utc("2024-07-18", 14)), "2024-07-19");  // Thu 10:00 -> Fri
  EXPECT_EQ(NextListingDay(Utc("2024-07-19", 14)), "2024-07-22");  // Fri 10:00 -> Mon
  EXPECT_EQ(NextListingDay(Utc("2024-07-20", 1)), "2024-07-22");   // Fri 21:00 -> Mon
  EXPECT_EQ(NextListingDay(Utc("2024-07-20", 16)), "2024-07-22");  // Sat -> Mon
  EXPECT_EQ(NextListingDay(Utc("2024-07-21", 23)), "2024-07-22");  // Sun 19:00 -> Mon
  EXPECT_EQ(NextListingDay(Utc("2024-07-22", 0)), "2024-07-23");   // Sun 20:00 -> Tue
  // Friday evening in winter (EST): Fri 2024-01-19 21:00 ET = 02:00 UTC Saturday.
  EXPECT_EQ(NextListingDay(Utc("2024-01-20", 2)), "2024-01-22");
}

TEST(InAnnouncementWindowTest, SundayToThursdayEvenings) {
  EXPECT_TRUE(InAnnouncementWindow(Utc("2024-07-22", 0, 30)));    // Sun 20:30 EDT
  EXPECT_TRUE(InAnnouncementWindow(Utc("2024-07-19", 3, 59)));    // Thu 23:59 EDT
  EXPECT_FALSE(InAnnouncementWindow(Utc("2024-07-19", 4, 0)));    // Fri 00:00 EDT
  EXPECT_FALSE(InAnnouncementWindow(Utc("2024-07-15", 23, 59)));  // Mon 19:59 EDT
  EXPECT_FALSE(InAnnouncementWindow(Utc("2024-07-20", 0, 30)));   // Fri 20:30 EDT
  EXPECT_FALSE(InAnnouncementWindow(Utc("2024-07-21", 0, 30)));   // Sat 20:30 EDT
  EXPECT_TRUE(InAnnouncementWindow(Utc("2024-01-17", 1, 0)));     // Tue 20:00 EST
  EXPECT_FALSE(InAnnouncementWindow(Utc("2024-01-17", 0, 30)));   // Tue 19:30 EST
}

TEST(ParseDayTest, AcceptsRealCalendarDays) {
  EXPECT_EQ(ParseDay("2024-02-29").value(), "2024-02-29");
  EXPECT_EQ(ParseDay("1991-01-01").value(), "1991-01-01");
  EXPECT_EQ(ParseDay("2100-12-31").value(), "2100-12-31");
  EXPECT_EQ(ParseDay(" 2026-07-20 ").value(), "2026-07-20");
}

TEST(ParseDayTest, RejectsMalformedAndOutOfRange) {
  for (std::string_view bad : {"", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                               "2024-1-01", "2024/01/01", "20240101", "2024-02-29x", "1990-12-31",
                               "2101-01-01", "../../etc", "-024-01-01", "2024-01-0\xFF"}) {
    auto d = ParseDay(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(d.error().message().find("YYYY-MM-DD"), std::string::npos) << bad;
  }
  auto huge = ParseDay(std::string(10000, '2'));
  ASSERT_FALSE(huge);
  EXPECT_LT(huge.error().message().size(), 200u);
}

TEST(AddDaysTest, CrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ(AddDays("2024-02-28", 1), "2024-02-29");
  EXPECT_EQ(AddDays("2023-02-28", 1), "2023-03-01");
  EXPECT_EQ(AddDays("2024-03-01", -1), "2024-02-29");
  EXPECT_EQ(AddDays("2024-12-31", 1), "2025-01-01");
  EXPECT_EQ(AddDays("2024-07-19", 0), "2024-07-19");
  EXPECT_EQ(AddDays("2024-07-19", -365), "2023-07-20");
  EXPECT_EQ(AddDays("nope", 1), "");
}

TEST(Rfc822Test, ParsesArxivRssDates) {
  auto t = ParseRfc822("Mon, 20 Jul 2026 00:00:00 -0400");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(FormatUtc(*t), "2026-07-20 04:00:00");
  EXPECT_EQ(NewYorkDate(*t), "2026-07-20");
  t = ParseRfc822("Tue, 16 Jan 2024 00:00:00 -0500");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatUtc(*t), "2024-01-16 05:00:00");
  EXPECT_EQ(NewYorkDate(*t), "2024-01-16");
}

TEST(Rfc822Test, AcceptsZoneNamesTwoDigitYearsAndNoWeekday) {
  EXPECT_EQ(FormatUtc(ParseRfc822("20 Jul 2026 04:00:00 GMT").value()), "2026-07-20 04:00:00");
  EXPECT_EQ(FormatUtc(ParseRfc822("Tue, 16 Jan 2024 19:30 EST").value()), "2024-01-17 00:30:00");
  EXPECT_EQ(FormatUtc(ParseRfc822("Sat, 1 Jun 24 12:00:00 EDT").value()), "2024-06-01 16:00:00");
  EXPECT_EQ(FormatUtc(ParseRfc822("1 Jun 2024 12:00:00 +0530").value()), "2024-06-01 06:30:00");
  EXPECT_EQ(FormatUtc(ParseRfc822("1 jun 2024 12:00:00").value()), "2024-06-01 12:00:00");
}

TEST(Rfc822Test, RejectsGarbage) {
  for (std::string_view bad :
       {"", "garbage", "Mon, 32 Jul 2026 00:00:00 -0400", "Mon, 20 Foo 2026 00:00:00 -0400",
        "30 Feb 2024 00:00:00 +0000", "20 Jul 2026 25:00:00 +0000", "20 Jul 2026 00:00:00 +9999",
        "20 Jul 2026 00:00:00 XYZ", "20 Jul 2026", "2026-07-20T00:00:00Z",
        // Found by the RSS fuzz target: beyond 2262 the nanosecond clock overflowed (UB).
        "Mon, 29 Jun 6026 00:00:00 -0400", "1 Jan 9999 00:00:00 +0000", "1 Jan 0001 00:00:00 +0000",
        // ...and a day of ten digits overflowed int before its length was checked.
        "Mon, 2555555555 Jun 2026 00:00:00 -0400"}) {
    auto t = ParseRfc822(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_NE(t.error().message().find("RFC 822"), std::string::npos);
  }
}

TEST(FormatUtcTest, TruncatesToSeconds) {
  EXPECT_EQ(FormatUtc(Utc("2024-01-02", 3, 4, 5) + std::chrono::milliseconds(999)),
            "2024-01-02 03:04:05");
  EXPECT_EQ(FormatUtc(Utc("1999-12-31", 23, 59, 59)), "1999-12-31 23:59:59");
}

TEST(UsEasternRuleTest, MatchesTheTzDatabaseHourByHour) {
  // The fallback used without tzdata must agree with America/New_York from 1990 to 2035: hour
  // by hour in the weeks where switches happen, daily otherwise.
  const date::time_zone* zone = date::locate_zone("America/New_York");
  int mismatches = 0;
  for (auto t = Utc("1990-01-01", 0); t < Utc("2035-01-01", 0);) {
    date::year_month_day ymd(date::floor<date::days>(t));
    unsigned month = static_cast<unsigned>(ymd.month());
    unsigned day = static_cast<unsigned>(ymd.day());
    // Switch days: Mar 8-14 and Nov 1-7 (2007 on), Apr 1-7 and Oct 25-31 (before).
    bool switch_week =
        ((month == 3 || month == 4 || month == 11) && day <= 14) || (month == 10 && day >= 24);
    t += switch_week ? hours(1) : hours(24);
    auto tz_offset = zone->get_info(date::floor<seconds>(t)).offset;
    if (UsEasternOffsetByRule(t) != tz_offset && ++mismatches < 5) {
      ADD_FAILURE() << "offsets differ at " << FormatUtc(t);
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(UsEasternOffsetByRule(Utc("2024-03-10", 6, 59)), hours(-5));
  EXPECT_EQ(UsEasternOffsetByRule(Utc("2024-03-10", 7, 0)), hours(-4));
  EXPECT_EQ(UsEasternOffsetByRule(Utc("2024-11-03", 5, 59)), hours(-4));
  EXPECT_EQ(UsEasternOffsetByRule(Utc("2024-11-03", 6, 0)), hours(-5));
}

}  // namespace
}  // namespace coolpapers::core
