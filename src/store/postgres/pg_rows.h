#pragma once
// Internal to PostgresStore: what its source files share (row reading, the change sequence,
// the bulk paper merge and link maintenance). Every function taking a pqxx::work runs inside
// the caller's write transaction and may throw pqxx exceptions (the pool turns them into
// Status).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "core/paper.h"
#include "core/status.h"
#include "core/venue.h"
#include "store/postgres/pg_pool.h"
#include "store/store.h"

namespace coolpapers::store::postgres {

inline constexpr const char* kPaperColumns =
    "id, version, title, abstract, authors, categories, comments, journal_ref, doi, published, "
    "updated";

inline std::string Text(const pqxx::field& f) { return std::string(f.c_str(), f.size()); }
inline std::string_view TextView(const pqxx::field& f) {
  return std::string_view(f.c_str(), f.size());
}

// Reads the kPaperColumns starting at column `c`.
Paper ReadPaper(const pqxx::row& r, int c);


// Change sequence (see pg_store.cc): locks the change_seq row until the transaction ends and
// returns its value.
int64_t LockChangeSeq(pqxx::work& w);
void WriteChangeSeq(pqxx::work& w, int64_t value);

// The merge of Upsert (pg_upsert.cc): writes `papers` and `memberships` with COPY, numbering
// the rows it writes after `*seq` (the locked change sequence), which it advances. Link keys
// of arXiv papers are kept current (LinkArxivPapers). Inputs are validated by the caller.
UpsertCounts MergePapers(pqxx::work& w, std::span<const Paper> papers,
                         std::span<const Membership> memberships, int64_t* seq);

// Link maintenance (pg_paper_links.cc), the rule of store.h (PaperLink).
// An arXiv paper written by the current transaction, with its stored title, first author and
// DOI after the write; `inserted` when the write created it.
struct WrittenPaper {
  std::string id, title, first_author, doi;
  bool inserted = false;
};
// Brings the keys of `written` (arXiv papers) up to date and relinks the venue papers that share
// an old or new key with one of them, or whose id link waited for one of them.
void LinkArxivPapers(pqxx::work& w, const std::vector<WrittenPaper>& written);
// Brings the keys of `papers` (venue papers, just written) up to date and relinks each.
// Returns how many of them are linked afterwards.
int64_t LinkVenuePapers(pqxx::work& w, std::span<const core::VenuePaper> papers);
// Every paper's key and every venue paper's link, recomputed.
RelinkCounts RelinkAll(pqxx::work& w);

}  // namespace coolpapers::store::postgres
