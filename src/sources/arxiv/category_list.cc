#include "sources/arxiv/category_list.h"

#include <algorithm>

#include "core/category.h"

namespace coolpapers::sources::arxiv {
namespace {

// "cs.XY" or "hep-xx": lowercase archive (letters and '-'), optional ".Subject".
bool LooksLikeCategoryOfKnownArchive(const std::string& s, const core::Taxonomy& t) {
  size_t dot = s.find('.');
  std::string archive = s.substr(0, dot);
  if (archive.empty() || !std::all_of(archive.begin(), archive.end(),
                                      [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; })) {
    return false;
  }
  if (dot != std::string::npos) {
    std::string sub = s.substr(dot + 1);
    if (sub.empty() || !std::all_of(sub.begin(), sub.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
        })) {
      return false;
    }
  }
  return t.FindArchive(archive) != nullptr;
}

}  // namespace

std::vector<std::string> CanonicalCategories(const std::vector<std::string>& raw) {
  const core::Taxonomy& t = core::Taxonomy::Default();
  std::vector<std::string> out;
  for (const std::string& c : raw) {
    std::optional<std::string> canonical = t.Canonical(c);
    std::string id;
    if (canonical) {
      id = std::move(*canonical);
    } else if (LooksLikeCategoryOfKnownArchive(c, t)) {
      id = c;
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
  }
  return out;
}

}  // namespace coolpapers::sources::arxiv
