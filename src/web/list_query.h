#pragma once
// What an arXiv list is asked for beyond its category expression, shared by list pages
// (/arxiv/<expr>), feeds (/arxiv/<expr>/feed) and /api/list: `date` (one day "YYYY-MM-DD" or a
// range "A..B" of at most core::kMaxRangeDays days; absent = the newest listed day) and
// `show_replacements` (arXiv's replaced papers as a third section; off by default). Also reads a
// range's listing from the store: the union of its days, each paper once.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/category.h"
#include "core/day_range.h"
#include "core/status.h"
#include "store/store.h"
#include "web/http.h"
#include "web/list_page.h"

namespace coolpapers::web {

struct ListSelection {
  std::optional<core::DayRange> range;  // nullopt: the newest listed day
  bool replacements = false;
};

// The `date` hint for error pages: how to write a day or a range, and the range limit.
std::string DateHint();

// Parses ?date= and ?show_replacements=. InvalidArgument naming the bad value (and, for a range,
// what is wrong with it); DateHint() or ReplacementsHint() says how to fix it.
Result<ListSelection> ParseListSelection(const Request& req);
std::string ReplacementsHint();

// The part of a cache key that tells selections apart: "" for the newest day without
// replacements, else e.g. "2026-06-29..2026-07-03|r".
std::string SelectionKey(const ListSelection& sel);

// One listing day of `filter` as the store keeps it (ListDay), with replacements when asked.
Result<std::vector<store::ListEntry>> ListDayOf(store::Store& st,
                                                const core::CategoryFilter& filter,
                                                const std::string& day, bool replacements);

// A range's listing: every paper listed on a day of `range` (only days in `days`, the stored
// listing days newest first, are read), once: at its earliest announcement in the range as new
// submission or cross-list, or, if it was only replaced in the range (and replacements are
// asked for), at its latest replacement. Entries are grouped by day, newest day first, each day
// in arXiv's order (ListDay's); `slices` says which entries belong to which day (days with no
// entry left out).
struct RangeListing {
  std::vector<store::ListEntry> entries;
  std::vector<DaySlice> slices;
};
Result<RangeListing> ListRange(store::Store& st, const core::CategoryFilter& filter,
                               const std::vector<store::DayCount>& days,
                               const core::DayRange& range, bool replacements);

}  // namespace coolpapers::web
