#pragma once
// A range of announcement days as list pages, feeds and /api/list take it: `?date=A..B` (both
// days included) or a single `?date=A`. Days are "YYYY-MM-DD" strings, as everywhere.

#include <string>
#include <string_view>

#include "core/status.h"

namespace coolpapers::core {

// The longest range a list answers at once, in calendar days (a month of announcements).
inline constexpr int kMaxRangeDays = 31;

struct DayRange {
  std::string first;  // "YYYY-MM-DD"
  std::string last;   // "YYYY-MM-DD", >= first
  bool single() const { return first == last; }
  bool Contains(std::string_view day) const { return day >= first && day <= last; }
  // "A" for one day, "A..B" otherwise: the canonical `date` value.
  std::string ToString() const { return single() ? first : first + ".." + last; }
};

// Parses "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (surrounding spaces ignored). InvalidArgument,
// naming the value, for a malformed day, a range that ends before it starts, or one longer than
// `max_days` calendar days.
Result<DayRange> ParseDayRange(std::string_view text, int max_days = kMaxRangeDays);

// The number of calendar days in `r` (1 for a single day).
int DaysIn(const DayRange& r);
// The range of as many days just before `r`, and just after it.
DayRange RangeBefore(const DayRange& r);
DayRange RangeAfter(const DayRange& r);

// The Monday..`day` range of `day`'s week (Monday-to-Friday listings: "this week").
DayRange WeekOf(const std::string& day);
// The `n` calendar days ending on `day` ("last 7 days").
DayRange LastDays(const std::string& day, int n);

}  // namespace coolpapers::core
