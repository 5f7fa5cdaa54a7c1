#include "store/sqlite/migrations.h"

#include <array>
#include <string>

#include "store/sqlite/paper_links.h"

namespace coolpapers::store::sqlite {
namespace {

// Ordered schema steps; step i (1-based) brings the schema to version i. Never edit a step that
// has shipped: append a new one.
constexpr std::array<const char*, 3> kSteps = {
    // 1: papers, memberships, clicks, day status, state, FAQs, change sequence.
    R"sql(
CREATE TABLE papers (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL DEFAULT 1,
  title TEXT NOT NULL DEFAULT '',
  abstract TEXT NOT NULL DEFAULT '',
  authors TEXT NOT NULL DEFAULT '',      -- one author per line
  categories TEXT NOT NULL DEFAULT '',   -- space-separated, primary first
  comments TEXT NOT NULL DEFAULT '',
  journal_ref TEXT NOT NULL DEFAULT '',
  doi TEXT NOT NULL DEFAULT '',
  published TEXT NOT NULL DEFAULT '',
  updated TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL                   -- change sequence of the last write to this row
);
CREATE INDEX papers_by_seq ON papers(seq);
CREATE TABLE memberships (
  category TEXT NOT NULL,
  day TEXT NOT NULL,
  paper_id TEXT NOT NULL,
  type INTEGER NOT NULL,                 -- 0 new, 1 cross, 2 replace, 3 replace-cross
  position INTEGER NOT NULL,
  PRIMARY KEY (category, day, paper_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_day ON memberships(day, category);
CREATE INDEX memberships_by_paper ON memberships(paper_id);
CREATE TABLE clicks (
  paper_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (paper_id, kind)
) WITHOUT ROWID;
CREATE TABLE day_status (
  category TEXT NOT NULL,
  day TEXT NOT NULL,
  expected INTEGER NOT NULL,
  stored INTEGER NOT NULL,
  PRIMARY KEY (category, day)
) WITHOUT ROWID;
CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE faqs (
  paper_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  lang TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_version INTEGER NOT NULL,
  content_json TEXT NOT NULL,
  source TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (paper_id, version, lang, model, prompt_version)
);
CREATE TABLE change_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
INSERT INTO change_seq (id, value) VALUES (1, 0);
)sql",
    // 2: venue papers (each also a row of papers) and the other ids they are known by.
    R"sql(
CREATE TABLE venue_papers (
  paper_id TEXT PRIMARY KEY,             -- "2024.acl-long.3@ACL", a row of papers
  edition TEXT NOT NULL,                 -- "ACL.2024"
  grp TEXT NOT NULL,                     -- "Long", "Oral", "Main"
  position INTEGER NOT NULL,             -- order within the edition
  pdf_url TEXT NOT NULL,
  page_url TEXT NOT NULL,
  pages TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX venue_papers_by_edition ON venue_papers(edition, position);
CREATE TABLE paper_aliases (
  alias TEXT PRIMARY KEY,                -- "AZWqXfM6z9@OpenReview"
  paper_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX paper_aliases_by_paper ON paper_aliases(paper_id);
)sql",
    // 3: venue paper <-> arXiv links (store/sqlite/paper_links.cc); the keys of the papers
    // already stored and their links are computed right after (LinkStepFill).
    R"sql(
CREATE TABLE link_keys (
  paper_id TEXT PRIMARY KEY,
  venue INTEGER NOT NULL,                -- 1: a venue paper ("...@Source"), 0: an arXiv paper
  title_key TEXT,                        -- core::TitleKey: "<normalised title>|<surname>"
  doi TEXT                               -- lower case; both NULL when none
) WITHOUT ROWID;
CREATE INDEX link_keys_by_title ON link_keys(title_key, venue) WHERE title_key IS NOT NULL;
CREATE INDEX link_keys_by_doi ON link_keys(doi, venue) WHERE doi IS NOT NULL;
CREATE TABLE paper_links (
  venue_id TEXT PRIMARY KEY,             -- "2024.acl-long.3@ACL"
  arxiv_id TEXT NOT NULL,                -- "2402.12354"
  method TEXT NOT NULL,                  -- "id" | "doi" | "title"
  arxiv_version INTEGER NOT NULL         -- the arXiv version stored when linked; 0 not stored
) WITHOUT ROWID;
CREATE INDEX paper_links_by_arxiv ON paper_links(arxiv_id);
)sql",
};

// Work of a step that SQL cannot do, run after it in the same transaction.
Status AfterStep(Connection& c, int version) {
  if (version != 3) return Status::Ok();
  Result<RelinkCounts> linked = RelinkAll(c);
  return linked ? Status::Ok() : linked.error();
}

Status EnsureVersionTable(Connection& c) {
  return c.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
}

}  // namespace

Result<int64_t> ReadChangeSeq(Connection& c) {
  Result<Stmt> s = c.Prepare("SELECT value FROM change_seq WHERE id = 1");
  if (!s) return Err(s.error());
  if (s->Step() != SQLITE_ROW) return Err(c.Error("reading change_seq"));
  return s->Int(0);
}

Status WriteChangeSeq(Connection& c, int64_t v) {
  Result<Stmt> s = c.Prepare("UPDATE change_seq SET value = ?1 WHERE id = 1");
  if (!s) return s.error();
  s->Bind(1, v);
  return s->Run();
}

int LatestSchemaVersion() { return static_cast<int>(kSteps.size()); }

Result<int> SchemaVersion(Connection& c) {
  Result<Stmt> s = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!s) return Err(s.error());
  if (s->Step() != SQLITE_ROW) return Err(c.Error("reading schema_version"));
  return static_cast<int>(s->Int(0));
}

Status Migrate(Connection& c) {
  Status st = EnsureVersionTable(c);
  if (!st.ok()) return st;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/true);
  if (!txn) return txn.error();
  Result<int> current = SchemaVersion(c);
  if (!current) return current.error();
  if (*current > LatestSchemaVersion()) {
    return Status::FailedPrecondition(
        "database " + c.path() + " has schema version " + std::to_string(*current) +
        " but this coolpapers knows only up to " + std::to_string(LatestSchemaVersion()) +
        "; upgrade coolpapers or use another --db");
  }
  for (int v = *current + 1; v <= LatestSchemaVersion(); ++v) {
    st = c.Exec(kSteps[v - 1]);
    if (st.ok()) st = AfterStep(c, v);
    if (!st.ok()) return Status(st.code(), "migration " + std::to_string(v) + ": " + st.message());
    st = c.Exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(v) + ")");
    if (!st.ok()) return st;
  }
  return txn->Commit();
}

}  // namespace coolpapers::store::sqlite
