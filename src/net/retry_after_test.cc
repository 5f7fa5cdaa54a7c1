#include "net/retry_after.h"

#include <gtest/gtest.h>

namespace coolpapers::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::sys_days;
using namespace std::chrono_literals;

// 1994-11-06 08:49:37 UTC, the example of RFC 9110 §5.6.7.
const std::chrono::system_clock::time_point kRfcExample =
    sys_days{std::chrono::year(1994) / std::chrono::November / 6} + 8h + 49min + 37s;

TEST(RetryAfterTest, DeltaSecondsAreTheWait) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 7 ", now), milliseconds(7000));
  EXPECT_EQ(ParseRetryAfter("0", now), milliseconds(0));
}

TEST(RetryAfterTest, HugeDeltaSecondsAreReadAsADay) {
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", {}), milliseconds(24h));
}

TEST(RetryAfterTest, ImfFixdateInTheFutureIsTheTimeUntilThen) {
  auto now = kRfcExample - 30s;
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(30000));
}

TEST(RetryAfterTest, DateInThePastMeansNoWait) {
  auto now = kRfcExample + 1h;
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(0));
}

TEST(RetryAfterTest, GarbageIsNoValue) {
  auto now = kRfcExample;
  for (const char* bad : {"", "   ", "soon", "-5", "1.5", "Sun, 06 Nov 1994", "Sun, 32 Nov 1994 08:49:37 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT",
                          "06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << "'" << bad << "'";
  }
}

TEST(HttpDateTest, AllThreeFormsOfRfc9110AreTheSameInstant) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), kRfcExample);
}

TEST(HttpDateTest, TwoDigitYearsBefore70AreThisCentury) {
  auto d = ParseHttpDate("Tuesday, 14-Jul-26 10:00:00 GMT");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, sys_days{std::chrono::year(2026) / std::chrono::July / 14} + 10h);
}

TEST(HttpDateTest, ImpossibleDatesAreRejected) {
  EXPECT_EQ(ParseHttpDate("Thu, 29 Feb 2026 00:00:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sat, 29 Feb 2028 00:00:00 GMT").has_value(), true);
}

}  // namespace
}  // namespace coolpapers::net
