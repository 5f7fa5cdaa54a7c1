#include "search/spelling.h"

#include <algorithm>

#include "search/query_input.h"

namespace coolpapers::search {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

bool IsOperator(std::string_view w) {
  for (std::string_view op : {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ"}) {
    if (w == op) return true;
  }
  return false;
}

bool AllDigits(std::string_view w) {
  return std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The correction of `word` (as typed), or "" to keep it; counts its lookup in `lookups`.
std::string Correct(const Xapian::Database& db, std::string_view word, Xapian::doccount known,
                    int& lookups) {
  if (word.size() < 3 || IsOperator(word) || AllDigits(word)) return "";
  const std::string lower = Xapian::Unicode::tolower(std::string(word));
  if (db.get_termfreq(lower) >= known) return "";
  ++lookups;
  std::string s = db.get_spelling_suggestion(lower);
  return s == lower ? "" : s;
}

}  // namespace

Xapian::doccount KnownWordDocs(Xapian::doccount papers) {
  return std::max<Xapian::doccount>(10, papers / 10000);
}

std::string SuggestSpelling(const Xapian::Database& db, std::string_view text) {
  const Xapian::doccount known = KnownWordDocs(db.get_doccount());
  std::string out;
  bool changed = false;
  int lookups = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!IsWordByte(static_cast<unsigned char>(text[i]))) {
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && IsWordByte(static_cast<unsigned char>(text[end]))) ++end;
    const std::string_view word = text.substr(i, end - i);
    if (end < text.size() && text[end] == ':') {
      // A field prefix: a filter's value (cat:cs.CL, date:2024, venue:ICLR) is kept as typed.
      if (!IsTextFieldPrefix(word)) {
        while (end < text.size() && text[end] != ' ' && text[end] != '\t') ++end;
      }
      out += text.substr(i, end - i);
      i = end;
      continue;
    }
    std::string fix = lookups < kMaxSpellingLookups ? Correct(db, word, known, lookups) : "";
    if (fix.empty()) {
      out += word;
    } else {
      out += fix;
      changed = true;
    }
    i = end;
  }
  return changed ? out : "";
}

}  // namespace coolpapers::search
