#pragma once
// Splitting upstream author strings ("A. Smith, B. Jones and C. Wu") into one name per author.
// Used by the OAI arXivRaw parser and the Kaggle snapshot importer, whose author fields are
// single strings.

#include <string>
#include <string_view>
#include <vector>

namespace coolpapers::sources::arxiv {

// Splits on commas, semicolons and the word "and" outside parentheses (affiliations in
// parentheses are dropped), collapses whitespace, and drops empty names.
// "A, B, and C (MIT)" -> {"A", "B", "C"}.
std::vector<std::string> SplitAuthorList(std::string_view authors);

}  // namespace coolpapers::sources::arxiv
