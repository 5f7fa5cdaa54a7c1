// PostgresStore's bulk merge of papers and memberships (Upsert, and the paper rows of venue
// papers): COPY into session-local temporary tables, then one set-based statement per step.
// The field merge rule is SqliteStore's (store/sqlite/sqlite_store.h).
#include <string>
#include <unordered_map>
#include <vector>

#include "store/postgres/pg_rows.h"

namespace coolpapers::store::postgres {
namespace {

// Session-local staging tables, emptied at each commit. Created once per connection (IF NOT
// EXISTS; notices are silenced on pooled connections).
constexpr const char* kStagingTables = R"sql(
CREATE TEMP TABLE IF NOT EXISTS cp_in_papers (
  ord INTEGER NOT NULL, id TEXT COLLATE "C" NOT NULL, version INTEGER NOT NULL,
  title TEXT NOT NULL, abstract TEXT NOT NULL, authors TEXT NOT NULL, categories TEXT NOT NULL,
  comments TEXT NOT NULL, journal_ref TEXT NOT NULL, doi TEXT NOT NULL,
  published TEXT COLLATE "C" NOT NULL, updated TEXT COLLATE "C" NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS cp_in_members (
  category TEXT COLLATE "C" NOT NULL, day TEXT COLLATE "C" NOT NULL,
  paper_id TEXT COLLATE "C" NOT NULL, type SMALLINT NOT NULL, position INTEGER NOT NULL
) ON COMMIT DELETE ROWS;
)sql";

// Existing rows the incoming ones may overwrite (a version at least as new, or, version
// unknown, data at least as recently updated), merged: an empty incoming field keeps the stored
// one; version 0 keeps the version; `published` keeps the earliest and `updated` the latest
// date seen. Only rows whose merged fields differ are written. Returns (ord, title, first
// author, doi) of each written row, as stored.
constexpr const char* kUpdatePapers = R"sql(
UPDATE papers p SET (version, title, abstract, authors, categories, comments, journal_ref, doi,
                     published, updated, seq) =
  (m.version, m.title, m.abstract, m.authors, m.categories, m.comments, m.journal_ref, m.doi,
   m.published, m.updated, $1::bigint + m.ord)
FROM (
  SELECT u.ord, u.id,
    CASE WHEN u.version > 0 THEN u.version ELSE o.version END AS version,
    coalesce(nullif(u.title, ''), o.title) AS title,
    coalesce(nullif(u.abstract, ''), o.abstract) AS abstract,
    coalesce(nullif(u.authors, ''), o.authors) AS authors,
    coalesce(nullif(u.categories, ''), o.categories) AS categories,
    coalesce(nullif(u.comments, ''), o.comments) AS comments,
    coalesce(nullif(u.journal_ref, ''), o.journal_ref) AS journal_ref,
    coalesce(nullif(u.doi, ''), o.doi) AS doi,
    CASE WHEN u.published = '' THEN o.published WHEN o.published = '' THEN u.published
         ELSE least(o.published, u.published) END AS published,
    CASE WHEN u.updated = '' THEN o.updated ELSE greatest(o.updated, u.updated) END AS updated
  FROM cp_in_papers u JOIN papers o ON o.id = u.id
  WHERE u.version >= o.version OR (u.version = 0 AND (u.updated = '' OR u.updated >= o.updated))
) m
WHERE p.id = m.id AND
  (p.version, p.title, p.abstract, p.authors, p.categories, p.comments, p.journal_ref, p.doi,
   p.published, p.updated) IS DISTINCT FROM
  (m.version, m.title, m.abstract, m.authors, m.categories, m.comments, m.journal_ref, m.doi,
   m.published, m.updated)
RETURNING m.ord, p.title, split_part(p.authors, E'\n', 1), p.doi
)sql";

// New papers. No other transaction inserts papers meanwhile (every paper write holds the
// change_seq lock), so an anti-join suffices. Returns the ord of each inserted row.
constexpr const char* kInsertPapers = R"sql(
INSERT INTO papers (id, version, title, abstract, authors, categories, comments, journal_ref,
                    doi, published, updated, seq)
SELECT id, greatest(version, 1), title, abstract, authors, categories, comments, journal_ref,
       doi, published, updated, $1::bigint + ord
FROM cp_in_papers u WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = u.id)
RETURNING seq - $1::bigint
)sql";

// New memberships; a paper listed on a new day changes what derived indexes should know about
// it, so each such paper not written by this call ($1: the sequence before it) gets a new
// number after $2. Returns (memberships added, papers renumbered).
constexpr const char* kInsertMemberships = R"sql(
WITH added AS (
  INSERT INTO memberships (category, day, paper_id, type, position)
  SELECT category, day, paper_id, type, position FROM cp_in_members
  ON CONFLICT DO NOTHING RETURNING paper_id
), stale AS (
  SELECT p.id, row_number() OVER (ORDER BY p.id) AS k FROM papers p
  WHERE p.id IN (SELECT paper_id FROM added) AND p.seq <= $1::bigint
), bumped AS (
  UPDATE papers p SET seq = $2::bigint + s.k FROM stale s WHERE p.id = s.id RETURNING 1
)
SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM bumped)
)sql";

bool IsVenueId(std::string_view id) { return id.find('@') != std::string_view::npos; }

// The first non-empty author as Upsert stores it.
std::string FirstAuthor(const Paper& p) {
  for (const std::string& a : p.authors) {
    if (a.empty()) continue;
    std::string first = a;
    for (char& c : first) c = (c == '\n' || c == '\r') ? ' ' : c;
    return first;
  }
  return "";
}

// Writes one round of papers (each id at most once) numbered after `seq`; appends the written
// arXiv papers to `written`.
void MergeRound(pqxx::work& w, std::span<const Paper> papers, const std::vector<size_t>& round,
                int64_t seq, UpsertCounts& counts, std::vector<WrittenPaper>& written) {
  {
    pqxx::stream_to copy(w, "cp_in_papers",
                         std::vector<std::string>{"ord", "id", "version", "title", "abstract",
                                                  "authors", "categories", "comments",
                                                  "journal_ref", "doi", "published", "updated"});
    for (size_t k = 0; k < round.size(); ++k) {
      const Paper& p = papers[round[k]];
      copy << std::make_tuple(static_cast<int>(k + 1), p.id, std::max(p.version, 0), p.title,
                              p.abstract, JoinAuthors(p.authors), JoinCategories(p.categories),
                              p.comments, p.journal_ref, p.doi, p.published, p.updated);
    }
    copy.complete();
  }
  pqxx::result updated = w.exec_params(kUpdatePapers, static_cast<long long>(seq));
  for (const auto& row : updated) {
    const Paper& p = papers[round[row[0].as<size_t>() - 1]];
    if (IsVenueId(p.id)) continue;
    written.push_back(WrittenPaper{p.id, Text(row[1]), Text(row[2]), Text(row[3]), false});
  }
  pqxx::result inserted = w.exec_params(kInsertPapers, static_cast<long long>(seq));
  for (const auto& row : inserted) {
    const Paper& p = papers[round[row[0].as<size_t>() - 1]];
    if (IsVenueId(p.id)) continue;
    written.push_back(WrittenPaper{p.id, p.title, FirstAuthor(p), p.doi, true});
  }
  counts.updated += static_cast<int64_t>(updated.size());
  counts.inserted += static_cast<int64_t>(inserted.size());
  counts.unchanged +=
      static_cast<int64_t>(round.size()) - static_cast<int64_t>(updated.size() + inserted.size());
  w.exec("TRUNCATE cp_in_papers");
}

}  // namespace

UpsertCounts MergePapers(pqxx::work& w, std::span<const Paper> papers,
                         std::span<const Membership> memberships, int64_t* seq) {
  UpsertCounts counts;
  if (papers.empty() && memberships.empty()) return counts;
  const int64_t seq0 = *seq;
  w.exec(kStagingTables);
  // A paper given twice in one call is merged in order, as if given in two calls: rounds of
  // distinct ids (the second occurrence of an id goes to the second round, ...).
  std::vector<std::vector<size_t>> rounds;
  {
    std::unordered_map<std::string_view, size_t> seen;
    for (size_t i = 0; i < papers.size(); ++i) {
      size_t r = seen[papers[i].id]++;
      if (r >= rounds.size()) rounds.emplace_back();
      rounds[r].push_back(i);
    }
  }
  std::vector<WrittenPaper> written;
  int64_t next = seq0;
  for (const std::vector<size_t>& round : rounds) {
    UpsertCounts before = counts;
    MergeRound(w, papers, round, next, counts, written);
    if (counts.inserted + counts.updated > before.inserted + before.updated) {
      next += static_cast<int64_t>(round.size());
    }
  }
  if (!memberships.empty()) {
    {
      pqxx::stream_to copy(w, "cp_in_members",
                           std::vector<std::string>{"category", "day", "paper_id", "type",
                                                    "position"});
      for (const Membership& m : memberships) {
        copy << std::make_tuple(m.category, m.day, m.paper_id, static_cast<int>(m.type),
                                m.position);
      }
      copy.complete();
    }
    pqxx::row r = w.exec_params(kInsertMemberships, static_cast<long long>(seq0),
                                static_cast<long long>(next))[0];
    counts.memberships_added = r[0].as<int64_t>();
    next += counts.memberships_added;
  }
  // Rows written in a round are numbered next + ord, so the last used number may be below
  // next + round size; the sequence moves to the end of the reserved range (numbers are
  // unique and increasing, gaps are harmless).
  *seq = next;
  if (!written.empty()) LinkArxivPapers(w, written);
  return counts;
}

}  // namespace coolpapers::store::postgres
