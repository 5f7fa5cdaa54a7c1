#pragma once
// arXiv API (export.arxiv.org/api/query) Atom responses: id_list lookups in batches, with the
// opensearch totals, and the "Error" entry arXiv sends (with HTTP 400) for a bad request.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"
#include "core/status.h"
#include "sources/arxiv/endpoints.h"

namespace coolpapers::sources::arxiv {

struct ApiFeed {
  int64_t total_results = -1;  // opensearch:totalResults, -1 if absent
  int64_t start_index = 0;
  int64_t items_per_page = 0;
  std::vector<core::Paper> papers;  // in response order
  std::vector<std::string> skipped;  // entries that could not be read, with the reason
};

// Parses one API response. Malformed XML or a non-Atom document fails with kCorruption naming
// `source`; an arXiv "Error" entry fails with kInvalidArgument carrying arXiv's message.
Result<ApiFeed> ParseArxivApi(std::string_view xml, const std::string& source);

// The query URL for looking up `ids` (canonical, optionally versioned) in one request.
std::string ApiIdListUrl(const ArxivEndpoints& endpoints, std::span<const std::string> ids);

// Ids per API request: large enough to keep requests few, small enough for arXiv's URL limits.
inline constexpr size_t kApiBatchSize = 150;

}  // namespace coolpapers::sources::arxiv
