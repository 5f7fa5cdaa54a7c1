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

// The input of Store::Upsert: a paper needs an id; a membership needs a paper id, a category
// and a YYYY-MM-DD day. The first that does not is the error.
Status ValidateUpsert(std::span<const Paper> papers, std::span<const Membership> memberships);

// The stored forms of Paper::authors (one a line; line breaks inside a name become spaces) and
// Paper::categories (space-separated); empty entries are dropped.
std::string JoinAuthors(const std::vector<std::string>& authors);
std::string JoinCategories(const std::vector<std::string>& cats);

// Adds `n` clicks of `kind` ("pdf", "kimi", "copy", "rel"; anything else adds nothing).
void AddKind(ClickCounts& cc, std::string_view kind, int64_t n);

// A FAQ record with its key (paper, version, language, model, prompt version) set.
FaqRecord FaqOfKey(const std::string& paper_id, int version, const std::string& lang,
                   const std::string& model, int prompt_version);

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

// ---- venue papers ----

// The paper rows of venue papers (version 1; title, abstract, authors and DOI of the venue
// paper), after checking that each has an id "<local>@<Source>", an edition and a title; the
// first that has not is the error.
Result<std::vector<Paper>> PapersOfVenuePapers(std::span<const core::VenuePaper> papers);

// Conference by name, then the newest year first; editions of one conference and year keep
// their order.
void SortVenueEditions(std::vector<VenueEditionCount>& editions);

// ---- links (the rule of store.h, PaperLink) ----

// Venue papers have ids "<local>@<Source>"; arXiv papers have no '@'.
bool IsVenueId(std::string_view id);

// "10.18653/V1/2024.ACL-LONG.3", "https://doi.org/10..." -> "10.18653/v1/2024.acl-long.3".
std::string DoiKey(std::string_view doi);

// The keys a paper is linked by: its title key (title and first author) and its DOI key.
struct LinkKeys {
  std::string title_key, doi;
  bool operator==(const LinkKeys&) const = default;
};

LinkKeys LinkKeysOf(std::string_view title, std::string_view first_author, std::string_view doi);

}  // namespace coolpapers::store
