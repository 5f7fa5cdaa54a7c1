#pragma once
// US Eastern time by the federal daylight-saving rules, the fallback announce_day.cc uses when
// the system tz database (package tzdata) is missing. Kept separate so tests can compare it
// with the tz database.

#include <chrono>

namespace coolpapers::core {

// UTC offset of America/New_York at `t` by the US rules of 1987-2006 (first Sunday of April to
// last Sunday of October) and 2007 on (second Sunday of March to first Sunday of November),
// switching at 02:00 local time: -4 h during daylight saving time, -5 h otherwise.
std::chrono::seconds UsEasternOffsetByRule(std::chrono::system_clock::time_point t);

}  // namespace coolpapers::core
