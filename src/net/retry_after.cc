#include "net/retry_after.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "core/text.h"

namespace coolpapers::net {
namespace {

using std::chrono::milliseconds;

// Splits on spaces, commas and the dashes of RFC 850's "06-Nov-94".
std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto sep = [](char c) { return c == ' ' || c == ',' || c == '-' || c == '\t'; };
  while (i < s.size()) {
    while (i < s.size() && sep(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !sep(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool Number(std::string_view s, size_t min_digits, size_t max_digits, int& out) {
  if (s.size() < min_digits || s.size() > max_digits) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "Jan" .. "Dec" -> 1 .. 12, else 0.
int Month(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = core::ToLower(s);
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool Weekday(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  std::string lower = core::ToLower(s);
  if (lower.size() < 3) return false;
  return std::find(kDays.begin(), kDays.end(), std::string_view(lower).substr(0, 3)) !=
         kDays.end();
}

// "08:49:37" -> seconds since midnight.
std::optional<std::chrono::seconds> TimeOfDay(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  if (!Number(s.substr(0, 2), 2, 2, h) || !Number(s.substr(3, 2), 2, 2, m) ||
      !Number(s.substr(6, 2), 2, 2, sec)) {
    return std::nullopt;
  }
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  return std::chrono::hours(h) + std::chrono::minutes(m) + std::chrono::seconds(sec);
}

std::optional<std::chrono::system_clock::time_point> Compose(int y, int mon, int d,
                                                             std::string_view time) {
  auto tod = TimeOfDay(time);
  if (!tod || mon == 0) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mon)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + *tod;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text) {
  std::vector<std::string_view> t = Tokens(core::Trim(text));
  if (t.size() < 5 || !Weekday(t[0])) return std::nullopt;
  int d = 0, y = 0;
  if (t.size() == 6 && (t[5] == "GMT" || t[5] == "UTC")) {
    // IMF-fixdate: wkday, DD Mon YYYY hh:mm:ss GMT; RFC 850: weekday, DD-Mon-YY hh:mm:ss GMT.
    if (!Number(t[1], 1, 2, d)) return std::nullopt;
    if (Number(t[3], 4, 4, y)) return Compose(y, Month(t[2]), d, t[4]);
    if (!Number(t[3], 2, 2, y)) return std::nullopt;
    return Compose(y < 70 ? 2000 + y : 1900 + y, Month(t[2]), d, t[4]);
  }
  if (t.size() == 5) {
    // asctime: wkday Mon  D hh:mm:ss YYYY.
    if (!Number(t[2], 1, 2, d) || !Number(t[4], 4, 4, y)) return std::nullopt;
    return Compose(y, Month(t[1]), d, t[3]);
  }
  return std::nullopt;
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            std::chrono::system_clock::time_point now) {
  std::string_view v = core::Trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return milliseconds(std::chrono::hours(24));
    int64_t secs = 0;
    for (char c : v) secs = secs * 10 + (c - '0');
    return milliseconds(secs * 1000);
  }
  auto when = ParseHttpDate(v);
  if (!when) return std::nullopt;
  return std::max(std::chrono::duration_cast<milliseconds>(*when - now), milliseconds(0));
}

}  // namespace coolpapers::net
