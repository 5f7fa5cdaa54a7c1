#pragma once
// Internal to the store backends (sqlite/, postgres/): the rules on rows that do not depend on
// the database, so both backends apply them the same way.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/paper.h"
#include "core/status.h"
#include "store/store.h"

namespace coolpapers::store {

// A paper needs an id; a membership needs a paper id, a category and a YYYY-MM-DD day.
Status ValidatePaper(const Paper& p);
Status ValidateMembership(const Membership& m);

// The stored forms of Paper::authors (one a line; line breaks inside a name become spaces) and
// Paper::categories (space-separated); empty entries are dropped.
std::string JoinAuthors(const std::vector<std::string>& authors);
std::string JoinCategories(const std::vector<std::string>& cats);

// Adds `n` clicks of `kind` ("pdf", "kimi", "copy", "rel"; anything else adds nothing).
void AddKind(ClickCounts& cc, std::string_view kind, int64_t n);

// Appends the questions and answers of a FAQ's content_json to `out`, one per line; content
// that store/faq_content.h does not accept adds nothing.
void AppendFaqText(std::string_view content_json, std::string& out);

// The papers of `found` (by id) in the order of `ids`, each once; ids not found are skipped.
// Takes the papers out of `found`.
std::vector<Paper> InIdOrder(std::span<const std::string> ids,
                             std::unordered_map<std::string, Paper>& found);

// ---- ListDay ----

// Candidate membership chosen for a paper in ListDay; smaller key wins.
struct ListCandidate {
  int type;
  size_t category_index;  // position of `category` in ListQuery::include
  int position;
  std::string category;
  auto key() const { return std::tie(type, category_index, position); }
};

// Index of each category of `q.include`, for ListCandidate::category_index.
class ListCategories {
 public:
  explicit ListCategories(const ListQuery& q);
  // The candidate of a membership row of the day in `category`.
  ListCandidate Candidate(std::string category, int type, int position) const;

 private:
  std::unordered_map<std::string, size_t> index_;
  size_t unknown_;
};

// The day's listing from the best candidate of each paper with its stored paper: papers in a
// category of `q.exclude` are dropped; sections new, cross-lists, then replacements (replaced
// papers and replaced cross-lists form one section in the listing's order, as arXiv lists
// them), within a section by category order of `q.include`, then position, then id.
std::vector<ListEntry> RankListing(const ListQuery& q,
                                   std::vector<std::pair<ListCandidate, Paper>> rows);

}  // namespace coolpapers::store
