#include "core/arxiv_id.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

#include "core/text.h"

namespace coolpapers::core {
namespace {

constexpr size_t kMaxInputLength = 300;
constexpr std::string_view kExample =
    "expected an arXiv id such as 2402.12354, 2402.12354v2 or "
    "hep-th/9901001";

// Archives that issued old-style ids (YYMMNNN after a slash), including the legacy ones later
// folded into other archives.
constexpr std::array<std::string_view, 34> kOldStyleArchives = {
    "acc-phys", "adap-org", "alg-geom", "ao-sci",   "astro-ph", "atom-ph",  "bayes-an",
    "chao-dyn", "chem-ph",  "cmp-lg",   "comp-gas", "cond-mat", "cs",       "dg-ga",
    "funct-an", "gr-qc",    "hep-ex",   "hep-lat",  "hep-ph",   "hep-th",   "math",
    "math-ph",  "mtrl-th",  "nlin",     "nucl-ex",  "nucl-th",  "patt-sol", "physics",
    "plasm-ph", "q-alg",    "q-bio",    "quant-ph", "solv-int", "supr-con"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

int DigitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// The input as shown inside an error message: bounded and printable.
std::string Quote(std::string_view text) {
  std::string shown;
  for (char c : text.substr(0, 60)) {
    auto u = static_cast<unsigned char>(c);
    shown += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  if (text.size() > 60) shown += "...";
  return "'" + SanitizeUtf8(shown) + "'";
}

Status Invalid(std::string_view input, std::string_view reason) {
  return Status::InvalidArgument(Quote(input) + " is not an arXiv id: " + std::string(reason) +
                                 "; " + std::string(kExample));
}

bool ConsumePrefixNoCase(std::string_view& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  if (ToLower(s.substr(0, prefix.size())) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Strips the decorations readers paste around an id: URLs, "arXiv:", ".pdf".
std::string_view StripDecorations(std::string_view s) {
  bool url = ConsumePrefixNoCase(s, "https://") || ConsumePrefixNoCase(s, "http://");
  if (ConsumePrefixNoCase(s, "www.") || ConsumePrefixNoCase(s, "export.")) url = true;
  if (ConsumePrefixNoCase(s, "arxiv.org/")) {
    url = true;
    if (!ConsumePrefixNoCase(s, "abs/") && !ConsumePrefixNoCase(s, "pdf/")) {
      ConsumePrefixNoCase(s, "html/");
    }
  }
  if (url) {
    s = s.substr(0, s.find_first_of("?#"));
    while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  }
  ConsumePrefixNoCase(s, "arxiv:");
  if (s.size() > 4 && ToLower(s.substr(s.size() - 4)) == ".pdf") s.remove_suffix(4);
  return s;
}

// Splits a trailing "vN" off `s`; returns -1 on a malformed version, 0 when there is none.
int SplitVersion(std::string_view& s) {
  size_t v = s.find_last_of("vV");
  if (v == std::string_view::npos || v == 0 || !IsDigit(s[v - 1])) return 0;
  std::string_view digits = s.substr(v + 1);
  if (!AllDigits(digits) || digits.size() > 4 || digits[0] == '0') return -1;
  s = s.substr(0, v);
  return DigitsValue(digits);
}

// Old-scheme ids run from 1991-07 to 2007-03.
bool ValidOldYymm(int yy, int mm) {
  if (mm < 1 || mm > 12) return false;
  int year = yy >= 91 ? 1900 + yy : 2000 + yy;
  int ym = year * 100 + mm;
  return ym >= 199107 && ym <= 200703;
}

}  // namespace

Result<ArxivId> ArxivId::Parse(std::string_view text) {
  std::string_view input = Trim(text);
  if (input.empty()) return Err(Invalid(text, "it is empty"));
  if (input.size() > kMaxInputLength) return Err(Invalid(text, "it is far too long"));
  std::string_view s = StripDecorations(input);

  int version = SplitVersion(s);
  if (version < 0) return Err(Invalid(text, "the version must look like v1, v2, ..."));

  ArxivId id;
  id.version_ = version;
  size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    // Old scheme: archive(.SUBJ)?/YYMMNNN; the subject class is not part of the canonical id.
    std::string archive = ToLower(s.substr(0, slash));
    archive = archive.substr(0, archive.find('.'));
    std::string_view number = s.substr(slash + 1);
    if (std::find(kOldStyleArchives.begin(), kOldStyleArchives.end(), archive) ==
        kOldStyleArchives.end()) {
      return Err(Invalid(
          text, "unknown archive '" + SanitizeUtf8(archive.substr(0, 30)) + "' before the slash"));
    }
    if (number.size() != 7 || !AllDigits(number)) {
      return Err(Invalid(text, "an old-style id has 7 digits after the slash (YYMMNNN)"));
    }
    int yy = DigitsValue(number.substr(0, 2)), mm = DigitsValue(number.substr(2, 2));
    if (!ValidOldYymm(yy, mm)) {
      return Err(Invalid(text, "old-style ids date from 9107 to 0703 with a month 01-12"));
    }
    if (DigitsValue(number.substr(4)) == 0) {
      return Err(Invalid(text, "the paper number cannot be 000"));
    }
    id.base_ = archive + "/" + std::string(number);
    id.yymm_ = yy * 100 + mm;
    id.old_style_ = true;
    return id;
  }

  // New scheme: YYMM.NNNN (to 1412) or YYMM.NNNNN (from 1501), zero-padding either way.
  size_t dot = s.find('.');
  if (dot != 4 || !AllDigits(s.substr(0, 4))) {
    return Err(Invalid(text, "it does not look like YYMM.NNNNN"));
  }
  std::string_view number = s.substr(5);
  if (number.size() < 4 || number.size() > 5 || !AllDigits(number)) {
    return Err(Invalid(text, "the number after the dot must have 4 or 5 digits"));
  }
  int yymm = DigitsValue(s.substr(0, 4));
  int mm = yymm % 100;
  if (mm < 1 || mm > 12) return Err(Invalid(text, "the month (digits 3-4) must be 01-12"));
  if (yymm < 704) return Err(Invalid(text, "new-style ids start at 0704 (April 2007)"));
  int seq = DigitsValue(number);
  int width = yymm >= 1501 ? 5 : 4;
  if (seq == 0) return Err(Invalid(text, "the paper number cannot be zero"));
  if (width == 4 && seq > 9999) {
    return Err(Invalid(text, "ids before 1501 have a 4-digit number"));
  }
  std::string digits = std::to_string(seq);
  id.base_ = std::string(s.substr(0, 5)) + std::string(width - digits.size(), '0') + digits;
  id.yymm_ = yymm;
  return id;
}

Status ArxivId::Plausible(std::chrono::system_clock::time_point now) const {
  if (old_style_) return Status::Ok();  // Parse() keeps them within 9107..0703
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const int current = (tm.tm_year % 100) * 100 + tm.tm_mon + 1;  // YYMM, e.g. 2612
  // YYMM in 0704..9912 is 2007..2099; compare as years*100+month from 2000.
  if (yymm_ > current) {
    char month[16];
    std::snprintf(month, sizeof month, "%04d", current);
    return Status::InvalidArgument(
        "'" + base_ + "' is not an arXiv id yet: its month " + base_.substr(0, 4) +
        " (YYMM) is after the current month " + month +
        "; check the id (arXiv ids start with the year and month of submission)");
  }
  return Status::Ok();
}

Result<ArxivId> ParsePlausibleArxivId(std::string_view text,
                                      std::chrono::system_clock::time_point now) {
  auto id = ArxivId::Parse(text);
  if (!id) return id;
  if (Status s = id->Plausible(now); !s.ok()) return Err(s);
  return id;
}

std::string ArxivId::ToString() const {
  if (version_ <= 0) return base_;
  return base_ + "v" + std::to_string(version_);
}

bool LooksLikeArxivId(std::string_view text) {
  std::string_view s = Trim(text);
  ConsumePrefixNoCase(s, "arxiv:");
  if (s.size() > 40) return false;
  int version = SplitVersion(s);
  if (version < 0) return false;
  if (!s.empty() && IsDigit(s[0])) {
    return s.size() >= 9 && s.size() <= 10 && s[4] == '.' && AllDigits(s.substr(0, 4)) &&
           AllDigits(s.substr(5));
  }
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  std::string_view archive = s.substr(0, slash);
  bool archive_chars = std::all_of(archive.begin(), archive.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
  });
  std::string_view number = s.substr(slash + 1);
  return archive_chars && number.size() == 7 && AllDigits(number);
}

}  // namespace coolpapers::core
