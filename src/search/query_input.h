#pragma once
// QueryInput: a user's search text made safe and split into what Xapian parses (words,
// phrases, -exclusions, ti:/au:/abs: prefixes, AND/OR/NOT) and what we turn into filters
// ourselves (date: ranges, cat: categories and venue: editions or conferences). Hostile input never throws: control
// characters are dropped, invalid UTF-8 replaced, unbalanced quotes closed, and the number of
// terms capped; only an over-long query or a malformed date is an error.
//
//   "graph neural networks" cat:cs.LG date:2026-06-01..2026-06-30 -survey
//   venue:ICLR.2024 diffusion          venue:acl,emnlp.2023 parsing

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::search {

struct QueryLimits {
  size_t max_bytes = 1000;  // longer queries are rejected (use "similar" for pasted text)
  int max_terms = 64;       // further terms are dropped
};

struct QueryInput {
  std::string text;                     // what the Xapian QueryParser gets ("" = filters only)
  std::string date_from, date_to;       // "YYYY-MM-DD" bounds from date: ("" = open)
  std::vector<std::string> categories;  // from cat: (lower-cased), any of them matches
  // From venue: as typed: editions ("ICLR.2024") or conferences ("ACL"), matched without case;
  // any of them matches. Whether such a venue is imported is the caller's to check.
  std::vector<std::string> venues;
  bool free_text = true;   // plain words only: no quotes, prefixes, operators or exclusions
  bool truncated = false;  // terms beyond max_terms were dropped
  int term_count = 0;      // terms kept in `text`
};

// Cleans and splits `raw`. InvalidArgument (with a hint in the message) for a query longer
// than limits.max_bytes, a date: value that is not YYYY, YYYY-MM, YYYY-MM-DD or a range
// A..B of those, or a venue: value that is empty or not a venue name (letters, digits, '.',
// '-', '_').
Result<QueryInput> PrepareQuery(std::string_view raw, const QueryLimits& limits = {});

// Parses a date bound (YYYY, YYYY-MM or YYYY-MM-DD) into the first ("YYYY-MM-DD") or last day
// it covers. False when malformed.
bool ParseDateBound(std::string_view s, bool upper, std::string& out);

// The text fields a query may name with a prefix (`ti:graph`), and each name's field. The
// query parser (keyword_index.cc), query preparation and did-you-mean all read this list.
enum class TextField { kTitle, kAuthor, kAbstract };
struct TextFieldName {
  std::string_view name;
  TextField field;
};
inline constexpr TextFieldName kTextFieldNames[] = {
    {"ti", TextField::kTitle},     {"title", TextField::kTitle},
    {"au", TextField::kAuthor},    {"author", TextField::kAuthor},
    {"abs", TextField::kAbstract}, {"abstract", TextField::kAbstract}};

// True if `field` (without the colon, any case) is one of kTextFieldNames.
bool IsTextFieldPrefix(std::string_view field);

// True if `s` looks like a category or archive id (letters, digits, '.', '-').
bool IsCategoryToken(std::string_view s);

}  // namespace coolpapers::search
