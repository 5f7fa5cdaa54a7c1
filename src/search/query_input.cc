#include "search/query_input.h"

#include <algorithm>
#include <iterator>

#include "core/text.h"

namespace coolpapers::search {
namespace {

// Splits on spaces, keeping "quoted phrases" (with any prefix, e.g. ti:"a b") as one token.
std::vector<std::string> SplitTokens(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_quote = false;
  for (char c : s) {
    if (c == '"') in_quote = !in_quote;
    if (c == ' ' && !in_quote) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (in_quote) cur += '"';  // close an unbalanced quote
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

Status ApplyDate(std::string_view value, QueryInput& q) {
  std::string lo_text(value), hi_text(value);
  if (size_t dots = value.find(".."); dots != std::string_view::npos) {
    lo_text = std::string(value.substr(0, dots));
    hi_text = std::string(value.substr(dots + 2));
  }
  std::string lo, hi;
  bool ok = (lo_text.empty() || ParseDateBound(lo_text, false, lo)) &&
            (hi_text.empty() || ParseDateBound(hi_text, true, hi)) &&
            !(lo_text.empty() && hi_text.empty());
  if (!ok) {
    return Status::InvalidArgument("date filter \"date:" + std::string(value) +
                                   "\" is malformed; write date:2026-06-01..2026-06-30, "
                                   "date:2026-06 or date:2026");
  }
  q.date_from = lo;
  q.date_to = hi;
  return Status::Ok();
}

// venue:ICLR.2024, venue:acl, venue:ACL.2024,EMNLP.2023 (any of them).
Status ApplyVenue(std::string_view value, QueryInput& q) {
  std::vector<std::string> names = core::Split(value, ',');
  bool ok = !names.empty();
  for (const std::string& n : names) ok = ok && IsCategoryToken(n);
  if (!ok) {
    return Status::InvalidArgument(
        "venue filter \"venue:" + std::string(value) +
        "\" is malformed; write venue:ICLR.2024 for one edition or venue:ACL for every edition "
        "of a conference");
  }
  q.venues.insert(q.venues.end(), names.begin(), names.end());
  return Status::Ok();
}

bool IsOperator(const std::string& t) { return t == "AND" || t == "OR" || t == "NOT"; }

// Field prefixes the QueryParser knows (see keyword_index.cc).
bool HasFieldPrefix(const std::string& t) {
  size_t colon = t.find(':');
  return colon != std::string::npos && IsTextFieldPrefix(std::string_view(t).substr(0, colon));
}

}  // namespace

bool IsTextFieldPrefix(std::string_view field) {
  const std::string f = core::ToLower(field);
  return std::any_of(std::begin(kTextFieldNames), std::end(kTextFieldNames),
                     [&](const TextFieldName& n) { return n.name == f; });
}

bool ParseDateBound(std::string_view s, bool upper, std::string& out) {
  auto parts = core::Split(s, '-', /*skip_empty=*/false);
  if (parts.empty() || parts.size() > 3 || parts[0].size() != 4) return false;
  for (const auto& p : parts) {
    if (!IsDigits(p)) return false;
  }
  int y = std::stoi(parts[0]);
  int m = upper ? 12 : 1;
  if (parts.size() >= 2) {
    if (parts[1].size() != 2) return false;
    m = std::stoi(parts[1]);
    if (m < 1 || m > 12) return false;
  }
  int d = upper ? DaysInMonth(y, m) : 1;
  if (parts.size() == 3) {
    if (parts[2].size() != 2) return false;
    d = std::stoi(parts[2]);
    if (d < 1 || d > DaysInMonth(y, m)) return false;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  out = buf;
  return true;
}

bool IsCategoryToken(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '-' || c == '_';
         });
}

Result<QueryInput> PrepareQuery(std::string_view raw, const QueryLimits& limits) {
  if (raw.size() > limits.max_bytes) {
    return Err(Status::InvalidArgument(
        "query is " + std::to_string(raw.size()) + " bytes, over the limit of " +
        std::to_string(limits.max_bytes) +
        "; shorten it, or paste long text into \"find similar papers\" instead"));
  }
  std::string clean = core::SanitizeUtf8(raw);
  for (char& c : clean) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  QueryInput q;
  std::vector<std::string> kept;
  for (std::string& tok : SplitTokens(clean)) {
    std::string lower = core::ToLower(tok);
    if (core::StartsWith(lower, "date:")) {
      if (Status s = ApplyDate(std::string_view(tok).substr(5), q); !s.ok()) return Err(s);
      continue;
    }
    if (core::StartsWith(lower, "venue:")) {
      if (Status s = ApplyVenue(std::string_view(tok).substr(6), q); !s.ok()) return Err(s);
      continue;
    }
    if (core::StartsWith(lower, "cat:")) {
      std::string_view cat = std::string_view(lower).substr(4);
      for (const std::string& c : core::Split(cat, ',')) {
        if (IsCategoryToken(c)) q.categories.push_back(c);
      }
      continue;
    }
    if (static_cast<int>(kept.size()) >= limits.max_terms) {
      q.truncated = true;
      continue;
    }
    if (tok.find('"') != std::string::npos || tok[0] == '-' || tok[0] == '+' ||
        IsOperator(tok) || HasFieldPrefix(tok)) {
      q.free_text = false;
    }
    kept.push_back(std::move(tok));
  }
  q.term_count = static_cast<int>(kept.size());
  q.text = core::Join(kept, " ");
  return q;
}

}  // namespace coolpapers::search
