#pragma once
// IndexDoc: what the search index stores about one paper. It is derived from the store's Paper
// (plus click totals) and kept as the Xapian document data, so search results, snippets and
// result pages need no store round trip.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/paper.h"

namespace coolpapers::search {

struct IndexDoc {
  std::string id;  // paper id (arXiv id) or a corpus document id (eval, venues)
  int version = 1;
  std::string title;
  std::string abstract;
  std::vector<std::string> authors;
  std::vector<std::string> categories;  // primary first
  std::string date;                     // "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD"), "" unknown
  int64_t stars = 0;                    // site-wide clicks, for sort=stars
  std::string extra_text;               // e.g. FAQ answers; searchable, not shown
  std::vector<std::string> keywords;    // top TF-IDF terms, filled by the indexer
  std::string venue;  // a venue paper's edition ("ICLR.2024"); "" for arXiv papers
};

// Whether `id` is a venue paper's ("<local>@<Source>", SPEC §11) rather than an arXiv id.
inline bool IsVenueId(std::string_view id) { return id.find('@') != std::string_view::npos; }

// The searchable text of a paper for statistics and embeddings: title, then abstract.
std::string DocText(const IndexDoc& d);

// From the store's record; `stars` is the paper's click total.
IndexDoc FromPaper(const core::Paper& p, int64_t stars = 0);
// Back to a Paper for rendering (fields the index does not keep are left empty).
core::Paper ToPaper(const IndexDoc& d);

// The Xapian document data: a compact binary form (without extra_text, which is only
// indexed), cheap to read back when a result page loads its documents.
std::string SerializeDoc(const IndexDoc& d);
// From SerializeDoc's form, or the JSON that earlier indexes stored; nullopt when `data` is
// neither (or is cut short).
std::optional<IndexDoc> ParseDoc(std::string_view data);

// "YYYYMMDDHHMMSS" from a date as above ("" when malformed): the sortable value-slot form.
std::string DateKey(const std::string& date);
// The value-slot date of `d`: DateKey(d.date), or for a venue paper without a date the first
// day of its edition's year ("ICLR.2024" -> "20240101000000"), so that time sorts and date:
// filters place venue papers by their edition.
std::string SortDateKey(const IndexDoc& d);

}  // namespace coolpapers::search
