#pragma once
// Which requests cover a set of followed categories: RSS feeds joined with '+' (a whole archive
// by its name when every category of it is followed) and the OAI sets of their archives.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::harvest {

struct HarvestPlan {
  std::vector<std::string> categories;  // canonical category ids followed, sorted, unique
  std::vector<std::string> rss_groups;  // path parts for /rss/<group>, e.g. "cs" or "cs.CL+cs.LG"
  std::vector<std::string> oai_sets;    // e.g. "cs", "physics:hep-th"
};

// Parses a follow list: "all", archives ("cs", "physics") and categories ("cs.CL"), separated
// by commas, with arXiv aliases resolved. Unknown names fail with kInvalidArgument naming them.
Result<std::vector<std::string>> ExpandCategories(std::string_view list);

// Plans requests for `categories` (canonical ids); at most `max_names` names per RSS request.
HarvestPlan PlanHarvest(std::vector<std::string> categories, size_t max_names = 40);

}  // namespace coolpapers::harvest
