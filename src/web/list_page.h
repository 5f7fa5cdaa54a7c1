#pragma once
// The body of an announcement-day list page (/arxiv/<expr>?date=...): day header with counts,
// previous/next day links, a picker over the days that exist, "this week" / "last 7 days" links,
// the replacements toggle, the completeness line, then the paper panels (new submissions first,
// then cross-lists, then replacements when asked for). A range page (?date=A..B) has one day
// heading per listed day, newest first, each with that day's sections. Pure rendering: the
// caller reads the store (ListDay per day, Days, GetClicks, GetDayStatus) and hands the results in.
//
// ?show=N: every panel is rendered, those past N carry `hidden data-deferred="1"` and a
// "show all" link follows, so the first paint is small while third-party parsers still see
// every paper; app.js reveals deferred panels as the reader scrolls.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"
#include "web/html.h"

namespace coolpapers::web {

// One day of a range page: its entries are entries[begin, end).
struct DaySlice {
  std::string day;  // "YYYY-MM-DD"
  size_t begin = 0, end = 0;
};

struct ListPageData {
  std::string expr;          // canonical category expression, e.g. "cs.CL" or "cs.AI+cs.LG-cs.CV"
  std::string display_name;  // "Computation and Language", "Computer Science", or the expr
  std::string day;           // the listed day, "YYYY-MM-DD", or "A..B" on a range page
  // Range pages only (empty for one day): the listed days newest first, covering `entries`.
  std::vector<DaySlice> day_slices;
  bool replacements = false;  // ?show_replacements=1: replacements listed, links keep asking
  std::vector<store::DayCount> days;  // every day with a listing, newest first
  std::vector<store::ListEntry> entries;
  std::map<std::string, store::ClickCounts> clicks;
  std::optional<store::DayStatus> status;  // summed over the listed categories, if known
  int show = 0;  // panels shown at once; 0 = all
};

// Counts of the entries by announce type.
struct ListCounts {
  int new_count = 0;
  int cross_count = 0;
  int other_count = 0;  // replacements, when asked for
};
ListCounts CountEntries(const std::vector<store::ListEntry>& entries);

// The <main> content of the list page (templates/list_page.mustache, list_section, and one
// paper_panel per entry).
Html RenderListBody(const ListPageData& d);
// The same appended to `out` (a whole list page is rendered into one buffer), and an estimate of
// its size in bytes to reserve.
void RenderListBodyTo(std::string& out, const ListPageData& d);
size_t ListBodyBytes(const ListPageData& d);

// The ?show=N variant of a whole rendered list page (`page`: the HtmlResponse body of
// RenderListBody with show = 0), byte for byte what rendering with show = N gives: data-show="N",
// panels past N deferred, the "show all" link. One copy of the page, no store reads, so `show`
// does not split the page cache. nullopt when there is nothing to defer (N >= the paper count:
// the page as it is shows the same) or `page` is not a whole list page.
std::optional<std::string> DeferPanelsPast(std::string_view page, int show);

// "Computation and Language — 2026-07-01 — 57 new, 10 cross-lists"; on a range page
// "Computation and Language — 2026-06-29 to 2026-07-03 (4 days) — 250 new, 40 cross-lists".
std::string ListHeading(const ListPageData& d, const ListCounts& counts);

// The query suffix list links carry to keep the page's options: "&show_replacements=1" or "".
std::string_view ListOptionsSuffix(bool replacements);

}  // namespace coolpapers::web
