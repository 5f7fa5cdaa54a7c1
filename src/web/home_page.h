#pragma once
// The home page body: every arXiv archive and category grouped as arXiv groups them, each
// category with its list link, Feed link and a date picker, plus how many announcement days
// are stored; then the venues section.

#include <map>
#include <string>

#include "core/category.h"
#include "store/store.h"
#include "web/html.h"

namespace coolpapers::web {

// What the store holds for one category (only categories with at least one day appear).
struct CategoryDays {
  int days = 0;
  std::string first_day;
  std::string last_day;
  int last_count = 0;  // papers listed on last_day
};

// Reads the per-category day summaries (one Days() query per category; the caller caches the
// rendered page by change sequence).
Result<std::map<std::string, CategoryDays>> ReadCategoryDays(store::Store& store,
                                                             const core::Taxonomy& taxonomy);

// The <main> content of the home page (templates/home_page.mustache); `venues` is the venues
// section's content.
Html RenderHomeBody(const core::Taxonomy& taxonomy,
                    const std::map<std::string, CategoryDays>& days, const Html& venues);

}  // namespace coolpapers::web
