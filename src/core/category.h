#pragma once
// The arXiv category taxonomy: archives (cs, math, astro-ph, ...), their categories with
// display names, and arXiv's aliases (math.IT = cs.IT, math.MP = math-ph, q-fin.EC = econ.GN,
// math.ST = stat.TH, cs.NA = math.NA, cs.SY = eess.SY, ...), plus the category expressions used
// in URLs: "a,b,c" (union) and "a+b-c-d" (in a or b and in neither c nor d).

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace coolpapers::core {

struct Category {
  std::string id;       // "cs.CL"; for archives without subcategories the archive id ("hep-th")
  std::string name;     // "Computation and Language"
  std::string archive;  // "cs"
};

struct Archive {
  std::string id;     // "cs", "astro-ph", "physics", "hep-th"
  std::string name;   // "Computer Science"
  std::string group;  // "Computer Science", "Mathematics", "Physics", "Quantitative Biology", ...
  std::vector<std::string> categories;  // category ids in arXiv's order
};

class Taxonomy {
 public:
  // The built-in arXiv taxonomy (every current archive and category).
  static const Taxonomy& Default();

  const std::vector<Archive>& archives() const { return archives_; }
  // nullptr when unknown. Aliases resolve to their canonical category. Lookups accept any letter
  // case ("CS.cl", "HEP-TH") and return arXiv's spelling.
  const Category* FindCategory(std::string_view id) const;
  const Archive* FindArchive(std::string_view id) const;
  // Canonical id for a category or alias (case-sensitive as arXiv: "cs.CL"); nullopt if unknown.
  std::optional<std::string> Canonical(std::string_view id) const;

  // Every (alias, canonical) pair, e.g. ("math.IT", "cs.IT"), ("cmp-lg", "cs.CL").
  const std::vector<std::pair<std::string, std::string>>& aliases() const { return aliases_; }
  // Canonical categories an archive's listing covers: its own categories, the canonical targets
  // of its aliases (cs -> math.NA, eess.SY) and a legacy bare archive category ("astro-ph").
  // Empty for an unknown archive.
  std::vector<std::string> ExpandArchive(std::string_view archive_id) const;
  // The known category, alias or archive id closest to `text` by edit distance (for "did you
  // mean" hints).
  std::string ClosestId(std::string_view text) const;

 private:
  friend class TaxonomyBuilder;
  std::vector<Archive> archives_;
  std::vector<Category> categories_;
  std::vector<std::pair<std::string, std::string>> aliases_;  // alias -> canonical
  // Lower-cased id (category or alias) -> index into categories_; lower-cased archive id ->
  // index into archives_. Built once.
  std::unordered_map<std::string, size_t> category_index_;
  std::unordered_map<std::string, size_t> archive_index_;
};

// The most dash-separated pieces any category, alias or archive id has ("cond-mat.stat-mech":
// 3); a category expression is split at '-' and re-joined at most this far.
inline constexpr size_t kMaxIdPieces = 3;

// A parsed category expression from a URL path segment.
struct CategoryFilter {
  std::vector<std::string> include;  // canonical category ids (archives expanded)
  std::vector<std::string> exclude;  // canonical category ids (archives expanded)
  // The canonical text of the expression, e.g. "cs.CL,cs.LG" or "cs.AI+cs.LG-cs.CV".
  std::string canonical;
};

// Parses "cs.CL", "cs", "cs.CL,cs.LG", "cs.AI+cs.LG-cs.CV-stat.ML". Unknown names give an error
// naming the bad part and suggesting a close known category.
Result<CategoryFilter> ParseCategoryExpression(std::string_view expr,
                                               const Taxonomy& taxonomy = Taxonomy::Default());

}  // namespace coolpapers::core
