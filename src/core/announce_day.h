#pragma once
// Announcement days. arXiv announces Sunday-Thursday at 20:00 America/New_York; a listing's
// day is the date in New York of the announcement's listing (Monday-Friday). Days are
// "YYYY-MM-DD" strings at every API boundary.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace coolpapers::core {

// Validates "YYYY-MM-DD" (a real calendar date between 1991-01-01 and 2100-12-31).
Result<std::string> ParseDay(std::string_view text);

// The calendar date in America/New_York at `t`, as "YYYY-MM-DD".
std::string NewYorkDate(std::chrono::system_clock::time_point t);

// The listing day that arXiv's most recent announcement (at or before `t`) would carry,
// assuming no holidays: after 20:00 ET Sunday-Thursday it is the next weekday. Used only to
// decide *when to look*; what is announced is always detected from arXiv itself.
std::string ExpectedListingDay(std::chrono::system_clock::time_point t);

// The listing day the next announcement strictly after `t` will carry (no holidays): from
// Thursday 20:00 ET until Sunday 20:00 ET, i.e. on Friday evening and weekends, the coming Monday.
std::string NextListingDay(std::chrono::system_clock::time_point t);

// True if `t` is in an announcement window (Sunday-Thursday, 20:00-23:59 ET), when the
// harvester polls more often.
bool InAnnouncementWindow(std::chrono::system_clock::time_point t);

// Parses an RFC 822 date ("Mon, 20 Jul 2026 00:00:00 -0400") to a UTC time point.
Result<std::chrono::system_clock::time_point> ParseRfc822(std::string_view text);

// "YYYY-MM-DD HH:MM:SS" in UTC.
std::string FormatUtc(std::chrono::system_clock::time_point t);

// Adds `days` calendar days to a "YYYY-MM-DD" day ("" if `day` is not a valid day).
std::string AddDays(std::string_view day, int days);

}  // namespace coolpapers::core
