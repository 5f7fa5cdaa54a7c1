#include "sources/upstream_dates.h"

#include <array>
#include <cstdio>

#include "core/text.h"

namespace coolpapers::sources {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int MonthNumber(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool IsTime(std::string_view t) {
  return t.size() == 8 && t[2] == ':' && t[5] == ':' && AllDigits(t.substr(0, 2)) &&
         AllDigits(t.substr(3, 2)) && AllDigits(t.substr(6, 2));
}

}  // namespace

std::optional<std::string> GmtDateToUtc(std::string_view text) {
  std::vector<std::string> parts = core::Split(core::Trim(text), ' ');
  if (!parts.empty() && !parts[0].empty() && parts[0].back() == ',') {
    parts.erase(parts.begin());  // weekday
  }
  if (parts.size() != 5 || (parts[4] != "GMT" && parts[4] != "UTC" && parts[4] != "+0000")) {
    return std::nullopt;
  }
  const std::string& day = parts[0];
  int month = MonthNumber(parts[1]);
  const std::string& year = parts[2];
  if (!AllDigits(day) || day.size() > 2 || month == 0 || !AllDigits(year) || year.size() != 4 ||
      !IsTime(parts[3])) {
    return std::nullopt;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%02d-%02d %s", year.c_str(), month, std::stoi(day),
                parts[3].c_str());
  return std::string(buf);
}

std::optional<std::string> IsoDateToUtc(std::string_view text) {
  text = core::Trim(text);
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2)) || !AllDigits(text.substr(8, 2))) {
    return std::nullopt;
  }
  std::string out(text.substr(0, 10));
  if (text.size() >= 19 && (text[10] == 'T' || text[10] == ' ') && IsTime(text.substr(11, 8))) {
    out += ' ';
    out += text.substr(11, 8);
  } else {
    out += " 00:00:00";
  }
  return out;
}

}  // namespace coolpapers::sources
