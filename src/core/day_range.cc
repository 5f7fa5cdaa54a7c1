#include "core/day_range.h"

#include <date/date.h>

#include <sstream>

#include "core/announce_day.h"
#include "core/text.h"

namespace coolpapers::core {
namespace {

date::sys_days SysDays(const std::string& day) {
  date::year_month_day ymd{};
  std::istringstream in(day);
  in >> date::parse("%F", ymd);
  return date::sys_days(ymd);
}

// The value as shown in messages: at most 60 characters, valid UTF-8.
std::string Shown(std::string_view text) {
  return SanitizeUtf8(text.substr(0, 60)) + (text.size() > 60 ? "..." : "");
}

}  // namespace

Result<DayRange> ParseDayRange(std::string_view text, int max_days) {
  const std::string_view s = Trim(text);
  const size_t dots = s.find("..");
  if (dots == std::string_view::npos) {
    auto day = ParseDay(s);
    if (!day) return Err(day.error());
    return DayRange{*day, *day};
  }
  auto first = ParseDay(s.substr(0, dots));
  if (!first) {
    return Err(Status::InvalidArgument("the range '" + Shown(s) + "' does not start with a day: " +
                                       first.error().message()));
  }
  auto last = ParseDay(s.substr(dots + 2));
  if (!last) {
    return Err(Status::InvalidArgument("the range '" + Shown(s) + "' does not end with a day: " +
                                       last.error().message()));
  }
  if (*last < *first) {
    return Err(Status::InvalidArgument("the range '" + Shown(s) + "' ends before it starts; "
                                       "write the earlier day first, e.g. " +
                                       *last + ".." + *first));
  }
  const auto span = (SysDays(*last) - SysDays(*first)).count() + 1;
  if (span > max_days) {
    return Err(Status::InvalidArgument("the range '" + Shown(s) + "' spans " +
                                       std::to_string(span) + " days; at most " +
                                       std::to_string(max_days) + " days are listed at once"));
  }
  return DayRange{*first, *last};
}

int DaysIn(const DayRange& r) {
  return static_cast<int>((SysDays(r.last) - SysDays(r.first)).count()) + 1;
}

DayRange RangeBefore(const DayRange& r) {
  const int n = DaysIn(r);
  return DayRange{AddDays(r.first, -n), AddDays(r.first, -1)};
}

DayRange RangeAfter(const DayRange& r) {
  const int n = DaysIn(r);
  return DayRange{AddDays(r.last, 1), AddDays(r.last, n)};
}

DayRange WeekOf(const std::string& day) {
  const date::sys_days d = SysDays(day);
  const date::weekday wd{d};
  const int since_monday = static_cast<int>((wd - date::Monday).count());  // 0..6
  return DayRange{AddDays(day, -since_monday), day};
}

DayRange LastDays(const std::string& day, int n) {
  return DayRange{AddDays(day, -(n - 1)), day};
}

}  // namespace coolpapers::core
