#pragma once
// Cleaning the category list of an upstream record before it is stored.

#include <string>
#include <vector>

namespace coolpapers::sources::arxiv {

// Maps aliases to canonical categories (math.IT -> cs.IT), drops duplicates and tokens that are
// not arXiv categories (MSC/ACM classes such as "68T05" or "I.2.7" that some dumps mix in), and
// keeps the order (primary first). An unknown category of a known archive ("cs.XY") is kept,
// so a category newer than the built-in taxonomy is not lost.
std::vector<std::string> CanonicalCategories(const std::vector<std::string>& raw);

}  // namespace coolpapers::sources::arxiv
