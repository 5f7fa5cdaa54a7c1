#pragma once
// Reading one JSON line of an arXiv metadata dump into a Paper and its announcements. Two
// formats are recognised by their fields, line by line:
//   - the shared bulk format (daily-arXiv-ai-enhanced): id, categories [list, primary first],
//     pdf, abs, authors [list], title, comment, summary, listing_date. listing_date is the
//     announcement day; the version comes from the pdf/abs URL ("...v2"), else 1.
//   - Kaggle arxiv-metadata-oai-snapshot: id, authors (string), authors_parsed, title, comments,
//     journal-ref, doi, categories (space-separated), abstract, versions [{version, created}].
//     It has no listing day: the UTC date of v1's `created` stands in for the announcement day.
// In both, the primary category is announced as new and the others as cross-lists.

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "core/status.h"

namespace coolpapers::cli {

struct JsonlRecord {
  core::Paper paper;  // id canonical, whitespace collapsed in title/abstract/authors
  std::string day;    // announcement day "YYYY-MM-DD" ("" when the record has none)
};

class JsonlRecordParser {
 public:
  // Parses one line; `allocated` is how many bytes from line.data() are readable (must be at
  // least line.size() + SIMDJSON_PADDING). The error says why the line cannot be used.
  Result<JsonlRecord> Parse(std::string_view line, size_t allocated);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace coolpapers::cli
