#include "harvest/harvest_plan.h"

#include <algorithm>
#include <set>

#include "core/category.h"
#include "core/text.h"
#include "sources/arxiv/oai.h"

namespace coolpapers::harvest {

namespace arxiv = sources::arxiv;

Result<std::vector<std::string>> ExpandCategories(std::string_view list) {
  const core::Taxonomy& tax = core::Taxonomy::Default();
  std::set<std::string> out;
  for (const std::string& raw : core::Split(list, ',')) {
    std::string name(core::Trim(raw));
    if (name.empty()) continue;
    if (name == "all") {
      for (const core::Archive& a : tax.archives()) out.insert(a.categories.begin(), a.categories.end());
    } else if (const core::Archive* a = tax.FindArchive(name)) {
      out.insert(a->categories.begin(), a->categories.end());
    } else if (auto c = tax.Canonical(name)) {
      out.insert(*c);
    } else {
      return Err(Status::InvalidArgument(
          "unknown arXiv category or archive '" + name +
          "'; use ids such as cs.CL, archives such as cs or math, or all"));
    }
  }
  if (out.empty()) {
    return Err(Status::InvalidArgument("no categories given; e.g. --categories cs.CL,cs.LG"));
  }
  return std::vector<std::string>(out.begin(), out.end());
}

HarvestPlan PlanHarvest(std::vector<std::string> categories, size_t max_names) {
  const core::Taxonomy& tax = core::Taxonomy::Default();
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  HarvestPlan plan;
  plan.categories = categories;
  std::set<std::string> followed(categories.begin(), categories.end());
  std::vector<std::string> names;  // feed names in archive order
  std::set<std::string> sets;
  for (const core::Archive& a : tax.archives()) {
    std::vector<std::string> mine;
    for (const std::string& c : a.categories) {
      if (followed.count(c)) mine.push_back(c);
    }
    if (mine.empty()) continue;
    sets.insert(arxiv::OaiSetForArchive(a.id));
    if (mine.size() == a.categories.size() && a.categories.size() > 1) {
      names.push_back(a.id);  // the whole archive in one name
    } else {
      names.insert(names.end(), mine.begin(), mine.end());
    }
  }
  max_names = std::max<size_t>(1, max_names);
  for (size_t i = 0; i < names.size(); i += max_names) {
    std::vector<std::string> part(names.begin() + i,
                                  names.begin() + std::min(names.size(), i + max_names));
    plan.rss_groups.push_back(core::Join(part, "+"));
  }
  plan.oai_sets.assign(sets.begin(), sets.end());
  return plan;
}

}  // namespace coolpapers::harvest
