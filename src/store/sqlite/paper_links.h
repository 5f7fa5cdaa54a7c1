#pragma once
// Venue paper <-> arXiv links in SQLite (schema 3): link_keys holds each paper's title key
// (core/title_key.h) and DOI, indexed, so a new paper finds its candidates with one lookup;
// paper_links holds one row per linked venue paper. The rule is Store's (store.h, PaperLink).
// Every function here runs on the writer connection inside the batch transaction.

#include <span>
#include <string>
#include <vector>

#include "core/paper.h"
#include "core/status.h"
#include "core/venue.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace coolpapers::store::sqlite {

// The keys of `papers` (arXiv papers, as stored after the write) are brought up to date; the
// venue papers that share an old or new key with one of them, or whose id link was waiting
// for one of them, are relinked. `inserted` (optional, one flag per paper) says which papers
// the write inserted as new rows: their keys are written without looking up a previous row
// when the database holds no venue papers.
Status LinkArxivPapers(Connection& w, std::span<const Paper> papers,
                       const std::vector<bool>* inserted = nullptr);

// The keys of `papers` (venue papers, written just before) are brought up to date and each is
// relinked. Returns how many of them are linked afterwards.
Result<int64_t> LinkVenuePapers(Connection& w, std::span<const core::VenuePaper> papers);

// Every paper's key and every venue paper's link, recomputed (Store::Relink).
Result<RelinkCounts> RelinkAll(Connection& w);

}  // namespace coolpapers::store::sqlite
