#include "core/announce_day.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <exception>

#include "core/text.h"
#include "core/us_eastern_rule.h"

namespace coolpapers::core {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr auto kAnnouncementHour = hours(20);

// America/New_York from the system tz database (date is built with USE_OS_TZDB), located once.
// nullptr when the database is missing, in which case the US federal DST rules are used.
const date::time_zone* NewYorkZone() {
  static const date::time_zone* const kZone = []() -> const date::time_zone* {
    try {
      return date::locate_zone("America/New_York");
    } catch (const std::exception& e) {
      spdlog::error(
          "time zone America/New_York not found ({}); install the tzdata package. "
          "Falling back to built-in US Eastern rules",
          e.what());
      return nullptr;
    }
  }();
  return kZone;
}

date::local_seconds NewYorkLocal(std::chrono::system_clock::time_point t) {
  date::sys_seconds s = date::floor<seconds>(t);
  if (const date::time_zone* zone = NewYorkZone()) return zone->to_local(s);
  return date::local_seconds((s + UsEasternOffsetByRule(s)).time_since_epoch());
}

std::string FormatDay(date::year_month_day ymd) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string FormatDay(date::local_days d) { return FormatDay(date::year_month_day(d)); }

// arXiv announces on the evenings of Sunday through Thursday.
bool IsAnnouncementEvening(date::local_days d) {
  date::weekday wd(d);
  return wd != date::Friday && wd != date::Saturday;
}

bool ParseDigits(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;  // more digits than any field, and than an int
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

std::optional<date::year_month_day> ParseYmd(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!ParseDigits(text.substr(0, 4), y) || !ParseDigits(text.substr(5, 2), m) ||
      !ParseDigits(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)),
                           date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

}  // namespace

std::chrono::seconds UsEasternOffsetByRule(std::chrono::system_clock::time_point t) {
  date::sys_seconds s = date::floor<seconds>(t);
  date::year y = date::year_month_day(date::floor<date::days>(s)).year();
  date::sys_days start, end;
  if (y >= date::year(2007)) {
    start = date::sys_days(y / date::March / date::Sunday[2]);
    end = date::sys_days(y / date::November / date::Sunday[1]);
  } else {
    start = date::sys_days(y / date::April / date::Sunday[1]);
    end = date::sys_days(y / date::October / date::Sunday[date::last]);
  }
  // 02:00 local time is 07:00 UTC in spring (EST) and 06:00 UTC in autumn (EDT).
  bool dst = s >= start + hours(7) && s < end + hours(6);
  return dst ? hours(-4) : hours(-5);
}

Result<std::string> ParseDay(std::string_view text) {
  std::string_view s = Trim(text);
  std::optional<date::year_month_day> ymd = ParseYmd(s);
  std::string shown = SanitizeUtf8(text.substr(0, 40)) + (text.size() > 40 ? "..." : "");
  if (!ymd) {
    return Err(Status::InvalidArgument("'" + shown +
                                       "' is not a valid day; use YYYY-MM-DD, e.g. 2024-02-29"));
  }
  if (ymd->year() < date::year(1991) || ymd->year() > date::year(2100)) {
    return Err(Status::InvalidArgument("day '" + shown +
                                       "' is out of range; use a YYYY-MM-DD day from "
                                       "1991-01-01 to 2100-12-31"));
  }
  return FormatDay(*ymd);
}

std::string NewYorkDate(std::chrono::system_clock::time_point t) {
  return FormatDay(date::floor<date::days>(NewYorkLocal(t)));
}

std::string ExpectedListingDay(std::chrono::system_clock::time_point t) {
  date::local_seconds local = NewYorkLocal(t);
  date::local_days evening = date::floor<date::days>(local);
  if (local - evening < kAnnouncementHour) evening -= date::days(1);
  while (!IsAnnouncementEvening(evening)) evening -= date::days(1);
  return FormatDay(evening + date::days(1));
}

std::string NextListingDay(std::chrono::system_clock::time_point t) {
  date::local_seconds local = NewYorkLocal(t);
  date::local_days evening = date::floor<date::days>(local);
  if (local - evening >= kAnnouncementHour) evening += date::days(1);
  while (!IsAnnouncementEvening(evening)) evening += date::days(1);
  return FormatDay(evening + date::days(1));
}

bool InAnnouncementWindow(std::chrono::system_clock::time_point t) {
  date::local_seconds local = NewYorkLocal(t);
  date::local_days day = date::floor<date::days>(local);
  return IsAnnouncementEvening(day) && local - day >= kAnnouncementHour;
}

namespace {

// Parses "+HHMM"/"-HHMM" or an RFC 822 zone name into an offset from UTC.
std::optional<seconds> ParseZone(std::string_view z) {
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
    int hh, mm;
    if (!ParseDigits(z.substr(1, 2), hh) || !ParseDigits(z.substr(3, 2), mm) || mm > 59 ||
        hh > 23) {
      return std::nullopt;
    }
    seconds off = hours(hh) + minutes(mm);
    return z[0] == '-' ? -off : off;
  }
  static constexpr std::array<std::pair<std::string_view, int>, 12> kNames = {{{"gmt", 0},
                                                                               {"ut", 0},
                                                                               {"utc", 0},
                                                                               {"z", 0},
                                                                               {"est", -5},
                                                                               {"edt", -4},
                                                                               {"cst", -6},
                                                                               {"cdt", -5},
                                                                               {"mst", -7},
                                                                               {"mdt", -6},
                                                                               {"pst", -8},
                                                                               {"pdt", -7}}};
  std::string lower = ToLower(z);
  for (const auto& [name, h] : kNames) {
    if (lower == name) return hours(h);
  }
  return std::nullopt;
}

std::optional<unsigned> ParseMonthName(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = ToLower(m);
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return i + 1;
  }
  return std::nullopt;
}

// "HH:MM" or "HH:MM:SS".
std::optional<seconds> ParseTimeOfDay(std::string_view s) {
  std::vector<std::string> parts = Split(s, ':', /*skip_empty=*/false);
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  int h, m, sec = 0;
  for (const std::string& p : parts) {
    if (p.size() != 2) return std::nullopt;
  }
  if (!ParseDigits(parts[0], h) || !ParseDigits(parts[1], m) ||
      (parts.size() == 3 && !ParseDigits(parts[2], sec))) {
    return std::nullopt;
  }
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  return hours(h) + minutes(m) + seconds(sec);
}

}  // namespace

Result<std::chrono::system_clock::time_point> ParseRfc822(std::string_view text) {
  auto bad = [&](std::string_view why) {
    std::string shown = SanitizeUtf8(text.substr(0, 60));
    return Err(Status::InvalidArgument("'" + shown + "' is not an RFC 822 date (" +
                                       std::string(why) +
                                       "); expected e.g. 'Mon, 20 Jul 2026 00:00:00 -0400'"));
  };
  std::string_view s = Trim(text);
  if (s.size() > 100) return bad("too long");
  if (size_t comma = s.find(','); comma != std::string_view::npos) s = Trim(s.substr(comma + 1));
  std::vector<std::string> f = Split(s, ' ');
  if (f.size() < 4 || f.size() > 5) return bad("wrong number of fields");
  int day, year;
  std::optional<unsigned> month = ParseMonthName(f[1]);
  if (!ParseDigits(f[0], day) || f[0].size() > 2 || !month) return bad("bad day or month");
  if (!ParseDigits(f[2], year) || (f[2].size() != 4 && f[2].size() != 2)) return bad("bad year");
  if (f[2].size() == 2) year += year < 50 ? 2000 : 1900;
  // The clock counts nanoseconds from 1970 in 64 bits: it ends in 2262.
  if (year < 1900 || year > 2200) return bad("year out of range 1900-2200");
  std::optional<seconds> tod = ParseTimeOfDay(f[3]);
  if (!tod) return bad("bad time of day");
  std::optional<seconds> offset = f.size() == 5 ? ParseZone(f[4]) : std::optional(seconds(0));
  if (!offset) return bad("bad time zone");
  date::year_month_day ymd{date::year(year), date::month(*month),
                           date::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return bad("no such date");
  date::sys_seconds utc = date::sys_days(ymd) + *tod - *offset;
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(utc);
}

std::string FormatUtc(std::chrono::system_clock::time_point t) {
  date::sys_seconds s = date::floor<seconds>(t);
  date::sys_days d = date::floor<date::days>(s);
  date::hh_mm_ss<seconds> hms(s - d);
  return fmt::format("{} {:02}:{:02}:{:02}", FormatDay(date::year_month_day(d)),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string AddDays(std::string_view day, int days) {
  std::optional<date::year_month_day> ymd = ParseYmd(Trim(day));
  if (!ymd) return "";
  return FormatDay(date::year_month_day(date::sys_days(*ymd) + date::days(days)));
}

}  // namespace coolpapers::core
