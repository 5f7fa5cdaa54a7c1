#pragma once
// JSON forms of search results, shared by the HTTP API (/api/search, /api/related) and
// `coolpapers search --json`, so both speak the same stable field names.

#include <string>
#include <vector>

#include "search/search_service.h"

namespace coolpapers::search {

// {"query","total","total_exact","offset","mode","relaxed","suggestion",
//  "results":[{"id","title","score","snippet","authors","categories","date","url","keywords",
//               "venue" (venue papers only: their edition)}]}; "url" is the paper's page,
//  /arxiv/<id> or /venue/<id>.
std::string SearchResponseJson(const SearchResponse& r);
// {"id","results":[...same hit objects...]}
std::string RelatedJson(const std::string& id, const std::vector<SearchHit>& hits);

}  // namespace coolpapers::search
