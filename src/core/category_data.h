#pragma once
// The arXiv category taxonomy as data: ids and English names as on arxiv.org's category
// taxonomy page. Only category.cc reads this; everyone else uses core::Taxonomy.

#include <span>
#include <string_view>

namespace coolpapers::core::taxonomy_data {

struct ArchiveDef {
  std::string_view group;  // "Physics"
  std::string_view id;     // "astro-ph"
  std::string_view name;   // "Astrophysics"
};

struct CategoryDef {
  std::string_view archive;  // "astro-ph"
  std::string_view id;       // "astro-ph.CO"
  std::string_view name;     // "Cosmology and Nongalactic Astrophysics"
};

struct AliasDef {
  std::string_view alias;      // "math.IT"
  std::string_view canonical;  // "cs.IT"
};

// Groups and archives in the order arXiv lists them.
std::span<const ArchiveDef> Archives();
// Categories in arXiv's order (alphabetical by id within an archive), aliases left out. An
// archive with no entries here (gr-qc, hep-th, quant-ph, ...) is its own single category.
std::span<const CategoryDef> Categories();
// Bare archives old papers carry as a category ("astro-ph" before 2009, "cond-mat" before 2004,
// "q-bio" before 2003-09); they stay findable as categories of their archive.
std::span<const std::string_view> LegacyArchiveCategories();
// alias -> canonical as arXiv lists them ("stat.TH is an alias for math.ST", ...), then the
// defunct archives arXiv subsumed into categories ("cmp-lg" -> cs.CL, ...).
std::span<const AliasDef> Aliases();

}  // namespace coolpapers::core::taxonomy_data
