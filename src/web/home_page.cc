#include "web/home_page.h"

#include <span>
#include <vector>

#include "core/text.h"
#include "web/templates.h"

namespace coolpapers::web {
namespace {

View CategoryView(const core::Category& cat, const CategoryDays* days) {
  View v;
  v.Text("id", cat.id).Text("name", cat.name);
  if (days) {
    View stored;
    stored.Text("days", days->days)
        .Text("day_word", days->days == 1 ? "day" : "days")
        .Text("first_day", days->first_day)
        .Text("last_day", days->last_day)
        .Text("last_count", days->last_count);
    v.Child("stored", std::move(stored));
  }
  return v;
}

View ArchiveView(const core::Archive& archive, const core::Taxonomy& taxonomy,
                 const std::map<std::string, CategoryDays>& days) {
  std::vector<View> categories;
  int stored = 0;
  for (const std::string& cat_id : archive.categories) {
    const core::Category* cat = taxonomy.FindCategory(cat_id);
    if (!cat) continue;
    auto it = days.find(cat->id);
    if (it != days.end()) ++stored;
    categories.push_back(CategoryView(*cat, it == days.end() ? nullptr : &it->second));
  }
  const int count = static_cast<int>(categories.size());
  View v;
  v.Text("id", archive.id)
      .Text("name", archive.name)
      .Text("count", count)
      .Text("category_word", count == 1 ? "category" : "categories")
      .List("categories", std::move(categories));
  v.Flag("single", count == 1);
  if (stored > 0) {
    View with_days;
    with_days.Text("n", stored);
    v.Child("stored_count", std::move(with_days));
  }
  return v;
}

}  // namespace

Result<std::map<std::string, CategoryDays>> ReadCategoryDays(store::Store& store,
                                                             const core::Taxonomy& taxonomy) {
  std::map<std::string, CategoryDays> out;
  for (const core::Archive& archive : taxonomy.archives()) {
    for (const std::string& cat : archive.categories) {
      if (out.count(cat)) continue;
      std::vector<std::string> one{cat};
      auto days = store.Days(std::span<const std::string>(one));
      if (!days) return Err(days.error());
      if (days->empty()) continue;
      CategoryDays& cd = out[cat];
      cd.days = static_cast<int>(days->size());
      cd.last_day = days->front().day;
      cd.last_count = days->front().count;
      cd.first_day = days->back().day;
    }
  }
  return out;
}

Html RenderHomeBody(const core::Taxonomy& taxonomy,
                    const std::map<std::string, CategoryDays>& days, const Html& venues) {
  // Groups in the taxonomy's order of first appearance, each with its archives.
  std::vector<std::string> group_names;
  for (const core::Archive& a : taxonomy.archives()) {
    bool seen = false;
    for (const std::string& g : group_names) seen = seen || g == a.group;
    if (!seen) group_names.push_back(a.group);
  }
  std::vector<View> groups;
  for (const std::string& group : group_names) {
    std::vector<View> archives;
    for (const core::Archive& a : taxonomy.archives()) {
      if (a.group == group) archives.push_back(ArchiveView(a, taxonomy, days));
    }
    View g;
    g.Text("name", group).List("archives", std::move(archives));
    groups.push_back(std::move(g));
  }
  View v;
  v.List("groups", std::move(groups)).Markup("venues_html", venues);
  return RenderTemplate("home_page", v);
}

}  // namespace coolpapers::web
