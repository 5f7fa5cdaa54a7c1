// Golden tests of search/: tests/golden/query/*.test (format: src/core/golden_file.h). The
// output is what PrepareQuery makes of the input, one field per line (empty fields left out),
// or "error: <message>".
#include <gtest/gtest.h>

#include "core/golden_file.h"
#include "core/text.h"
#include "search/query_input.h"

namespace coolpapers::search {
namespace {

std::string Describe(const std::string& raw) {
  QueryLimits limits;
  limits.max_terms = 8;  // small, so truncation is visible in a short case
  Result<QueryInput> q = PrepareQuery(raw, limits);
  if (!q) return "error: " + q.error().message();
  std::string out = "text:" + (q->text.empty() ? "" : " " + q->text) + "\n";
  if (!q->date_from.empty() || !q->date_to.empty()) {
    out += "dates: " + q->date_from + ".." + q->date_to + "\n";
  }
  if (!q->categories.empty()) out += "categories: " + core::Join(q->categories, " ") + "\n";
  if (!q->venues.empty()) out += "venues: " + core::Join(q->venues, " ") + "\n";
  out += "terms: " + std::to_string(q->term_count) + (q->free_text ? ", free text" : "") +
         (q->truncated ? ", truncated" : "");
  return out;
}

TEST(GoldenTest, Query) { testing::ExpectGoldenSuite("query", 20, Describe); }

}  // namespace
}  // namespace coolpapers::search
