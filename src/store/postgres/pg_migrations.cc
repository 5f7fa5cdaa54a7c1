// The PostgreSQL schema of the store (component "store" of postgres::Migrate), the same tables
// as SQLite's steps 1-3 (store/sqlite/migrations.cc). Identifiers, days, dates and keys use the
// "C" collation: they compare byte-wise as in SQLite, whatever the database's locale, so ordering
// (by id, by key, min/max of dates) and prefix ranges agree between the two stores.

#include <array>
#include <span>

#include "store/postgres/pg_store.h"

namespace coolpapers::store::postgres {
namespace {

// Ordered schema steps; step i (1-based) brings the schema to version i. Never edit a step that
// has shipped: append a new one.
constexpr std::array<const char*, 3> kSteps = {
    // 1: papers, memberships, clicks, day status, state, FAQs, change sequence.
    R"sql(
CREATE TABLE papers (
  id TEXT COLLATE "C" PRIMARY KEY,
  version INTEGER NOT NULL DEFAULT 1,
  title TEXT NOT NULL DEFAULT '',
  abstract TEXT NOT NULL DEFAULT '',
  authors TEXT NOT NULL DEFAULT '',              -- one author per line
  categories TEXT NOT NULL DEFAULT '',           -- space-separated, primary first
  comments TEXT NOT NULL DEFAULT '',
  journal_ref TEXT NOT NULL DEFAULT '',
  doi TEXT NOT NULL DEFAULT '',
  published TEXT COLLATE "C" NOT NULL DEFAULT '',
  updated TEXT COLLATE "C" NOT NULL DEFAULT '',
  seq BIGINT NOT NULL                            -- change sequence of the last write to this row
);
CREATE INDEX papers_by_seq ON papers (seq);
CREATE TABLE memberships (
  category TEXT COLLATE "C" NOT NULL,
  day TEXT COLLATE "C" NOT NULL,
  paper_id TEXT COLLATE "C" NOT NULL,
  type SMALLINT NOT NULL,                        -- 0 new, 1 cross, 2 replace, 3 replace-cross
  position INTEGER NOT NULL,
  PRIMARY KEY (category, day, paper_id)
);
CREATE INDEX memberships_by_day ON memberships (day, category);
CREATE INDEX memberships_by_paper ON memberships (paper_id);
CREATE TABLE clicks (
  paper_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (paper_id, kind)
);
CREATE TABLE day_status (
  category TEXT COLLATE "C" NOT NULL,
  day TEXT COLLATE "C" NOT NULL,
  expected INTEGER NOT NULL,
  stored INTEGER NOT NULL,
  PRIMARY KEY (category, day)
);
CREATE TABLE state (
  key TEXT COLLATE "C" PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE faqs (
  paper_id TEXT COLLATE "C" NOT NULL,
  version INTEGER NOT NULL,
  lang TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  prompt_version INTEGER NOT NULL,
  content_json TEXT NOT NULL,
  source TEXT NOT NULL,
  tokens BIGINT NOT NULL,
  created TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (paper_id, version, lang, model, prompt_version)
);
CREATE TABLE change_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value BIGINT NOT NULL
);
INSERT INTO change_seq (id, value) VALUES (1, 0);
)sql",
    // 2: venue papers (each also a row of papers) and the other ids they are known by.
    R"sql(
CREATE TABLE venue_papers (
  paper_id TEXT COLLATE "C" PRIMARY KEY,         -- "2024.acl-long.3@ACL", a row of papers
  edition TEXT COLLATE "C" NOT NULL,             -- "ACL.2024"
  grp TEXT COLLATE "C" NOT NULL,                 -- "Long", "Oral", "Main"
  position INTEGER NOT NULL,                     -- order within the edition
  pdf_url TEXT NOT NULL,
  page_url TEXT NOT NULL,
  pages TEXT NOT NULL DEFAULT ''
);
CREATE INDEX venue_papers_by_edition ON venue_papers (edition, position);
CREATE TABLE paper_aliases (
  alias TEXT COLLATE "C" PRIMARY KEY,            -- "AZWqXfM6z9@OpenReview"
  paper_id TEXT COLLATE "C" NOT NULL
);
CREATE INDEX paper_aliases_by_paper ON paper_aliases (paper_id);
)sql",
    // 3: venue paper <-> arXiv links (pg_paper_links.cc).
    R"sql(
CREATE TABLE link_keys (
  paper_id TEXT COLLATE "C" PRIMARY KEY,
  venue BOOLEAN NOT NULL,                        -- a venue paper ("...@Source"), else arXiv
  title_key TEXT COLLATE "C",                    -- core::TitleKey: "<normalised title>|<surname>"
  doi TEXT COLLATE "C"                           -- lower case; both NULL when none
);
CREATE INDEX link_keys_by_title ON link_keys (title_key, venue) WHERE title_key IS NOT NULL;
CREATE INDEX link_keys_by_doi ON link_keys (doi, venue) WHERE doi IS NOT NULL;
CREATE TABLE paper_links (
  venue_id TEXT COLLATE "C" PRIMARY KEY,         -- "2024.acl-long.3@ACL"
  arxiv_id TEXT COLLATE "C" NOT NULL,            -- "2402.12354"
  method TEXT NOT NULL,                          -- "id" | "doi" | "title"
  arxiv_version INTEGER NOT NULL                 -- the arXiv version stored when linked; 0 not stored
);
CREATE INDEX paper_links_by_arxiv ON paper_links (arxiv_id);
)sql",
};

}  // namespace

std::span<const char* const> StoreSchemaSteps() { return kSteps; }

}  // namespace coolpapers::store::postgres
