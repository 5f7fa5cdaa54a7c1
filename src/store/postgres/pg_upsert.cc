// PostgresStore's bulk merge of papers and memberships (Upsert, and the paper rows of venue
// papers). The field merge rule is SqliteStore's (store/sqlite/sqlite_store.h).
//
// Speed (an import writes batches of 20,000 papers): one query finds which of the call's papers
// and memberships are stored already; the new ones (all of them in a first import) are written
// with COPY straight into their tables, written once; only the stored ones go through a staging
// table and a set-based merge. This is safe because every paper write holds the change_seq lock
// (pg_store.cc, "Change sequence"): no other transaction can insert the same rows meanwhile.
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/postgres/pg_rows.h"
#include "store/store_rows.h"

namespace coolpapers::store::postgres {
namespace {

// Session-local staging table for papers already stored, emptied at each commit. Created once
// per connection (IF NOT EXISTS; notices are silenced on pooled connections).
constexpr const char* kStagingTable = R"sql(
CREATE TEMP TABLE IF NOT EXISTS cp_in_papers (
  ord INTEGER NOT NULL, id TEXT COLLATE "C" NOT NULL, version INTEGER NOT NULL,
  title TEXT NOT NULL, abstract TEXT NOT NULL, authors TEXT NOT NULL, categories TEXT NOT NULL,
  comments TEXT NOT NULL, journal_ref TEXT NOT NULL, doi TEXT NOT NULL,
  published TEXT COLLATE "C" NOT NULL, updated TEXT COLLATE "C" NOT NULL
) ON COMMIT DELETE ROWS
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

// Streams `rows` of `papers` (with ord = position in `rows` + 1, and `extra` as the last column:
// the raw version and nothing for staging, the version and seq for papers) to `table`.
template <class Extra>
void CopyPapers(pqxx::work& w, const std::string& table, const std::vector<std::string>& columns,
                std::span<const Paper> papers, const std::vector<size_t>& rows, Extra&& extra) {
  pqxx::stream_to copy(w, table, columns);
  for (size_t k = 0; k < rows.size(); ++k) {
    const Paper& p = papers[rows[k]];
    copy << std::tuple_cat(extra(k, p),
                           std::make_tuple(p.id, p.title, p.abstract, JoinAuthors(p.authors),
                                           JoinCategories(p.categories), p.comments,
                                           p.journal_ref, p.doi, p.published, p.updated));
  }
  copy.complete();
}

const std::vector<std::string>& PaperCopyColumns(bool staging) {
  static const std::vector<std::string> kStaging = {
      "ord",     "version",     "id",  "title",     "abstract", "authors", "categories",
      "comments", "journal_ref", "doi", "published", "updated"};
  static const std::vector<std::string> kPapers = {
      "seq",      "version",     "id",  "title",     "abstract", "authors", "categories",
      "comments", "journal_ref", "doi", "published", "updated"};
  return staging ? kStaging : kPapers;
}

// Writes one round of papers (each id at most once) numbered after `seq` (row k of the round
// gets seq + k + 1 when written); appends the written arXiv papers to `written` and the ids of
// all written papers to `written_ids`.
void MergeRound(pqxx::work& w, std::span<const Paper> papers, const std::vector<size_t>& round,
                int64_t seq, UpsertCounts& counts, std::vector<WrittenPaper>& written,
                std::unordered_set<std::string_view>& written_ids) {
  std::vector<std::string> ids;
  ids.reserve(round.size());
  for (size_t i : round) ids.push_back(papers[i].id);
  std::unordered_set<std::string> stored;
  for (const auto& row : w.exec_params("SELECT id FROM papers WHERE id = ANY($1::text[])",
                                       TextArray(ids))) {
    stored.insert(Text(row[0]));
  }
  std::vector<size_t> fresh, old;  // round positions
  for (size_t k = 0; k < round.size(); ++k) {
    (stored.count(papers[round[k]].id) ? old : fresh).push_back(k);
  }
  if (!fresh.empty()) {
    std::vector<size_t> rows;
    for (size_t k : fresh) rows.push_back(round[k]);
    CopyPapers(w, "papers", PaperCopyColumns(false), papers, rows, [&](size_t j, const Paper& p) {
      return std::make_tuple(static_cast<long long>(seq + 1 + static_cast<int64_t>(fresh[j])),
                             std::max(p.version, 1));
    });
    for (size_t i : rows) {
      const Paper& p = papers[i];
      written_ids.insert(p.id);
      if (!IsVenueId(p.id)) written.push_back(WrittenPaper{p.id, p.title, FirstAuthor(p), p.doi, true});
    }
    counts.inserted += static_cast<int64_t>(fresh.size());
  }
  if (!old.empty()) {
    w.exec(kStagingTable);
    std::vector<size_t> rows;
    for (size_t k : old) rows.push_back(round[k]);
    CopyPapers(w, "cp_in_papers", PaperCopyColumns(true), papers, rows,
               [&](size_t j, const Paper& p) {
                 return std::make_tuple(static_cast<int>(old[j] + 1), std::max(p.version, 0));
               });
    pqxx::result updated = w.exec_params(kUpdatePapers, static_cast<long long>(seq));
    for (const auto& row : updated) {
      const Paper& p = papers[round[row[0].as<size_t>() - 1]];
      written_ids.insert(p.id);
      if (IsVenueId(p.id)) continue;
      written.push_back(WrittenPaper{p.id, Text(row[1]), Text(row[2]), Text(row[3]), false});
    }
    counts.updated += static_cast<int64_t>(updated.size());
    counts.unchanged += static_cast<int64_t>(old.size() - updated.size());
    w.exec("TRUNCATE cp_in_papers");
  }
}

// Adds the memberships not stored yet (COPY), and gives each paper listed on a new day that this
// call did not write a new number after `*seq`, so derived indexes see the new listing. Advances
// `*seq` by the number of memberships added. Returns that number.
int64_t AddMemberships(pqxx::work& w, std::span<const Membership> memberships,
                       const std::unordered_set<std::string_view>& written_ids, int64_t* seq) {
  using Key = std::tuple<std::string_view, std::string_view, std::string_view>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      std::hash<std::string_view> h;
      return h(std::get<0>(k)) * 31 + h(std::get<1>(k)) * 7 + h(std::get<2>(k));
    }
  };
  std::unordered_set<std::string> paper_ids;
  for (const Membership& m : memberships) paper_ids.insert(m.paper_id);
  pqxx::result existing = w.exec_params(
      "SELECT category, day, paper_id FROM memberships WHERE paper_id = ANY($1::text[])",
      TextArray(std::vector<std::string>(paper_ids.begin(), paper_ids.end())));
  std::unordered_set<Key, KeyHash> seen;
  for (const auto& row : existing) seen.insert({TextView(row[0]), TextView(row[1]), TextView(row[2])});
  std::vector<const Membership*> added;
  for (const Membership& m : memberships) {
    if (seen.insert({m.category, m.day, m.paper_id}).second) added.push_back(&m);
  }
  if (added.empty()) return 0;
  {
    pqxx::stream_to copy(w, "memberships",
                         std::vector<std::string>{"category", "day", "paper_id", "type",
                                                  "position"});
    for (const Membership* m : added) {
      copy << std::make_tuple(m->category, m->day, m->paper_id, static_cast<int>(m->type),
                              m->position);
    }
    copy.complete();
  }
  std::set<std::string_view> stale;  // listed anew, row not written by this call; by id
  for (const Membership* m : added) {
    if (!written_ids.count(m->paper_id)) stale.insert(m->paper_id);
  }
  if (!stale.empty()) {
    std::vector<std::string> ids, seqs;
    int64_t k = *seq;
    for (std::string_view id : stale) {
      ids.emplace_back(id);
      seqs.push_back(std::to_string(++k));
    }
    w.exec_params(
        "UPDATE papers p SET seq = v.seq FROM unnest($1::text[], $2::bigint[]) AS v(id, seq) "
        "WHERE p.id = v.id",
        TextArray(ids), TextArray(seqs));
  }
  *seq += static_cast<int64_t>(added.size());
  return static_cast<int64_t>(added.size());
}

}  // namespace

UpsertCounts MergePapers(pqxx::work& w, std::span<const Paper> papers,
                         std::span<const Membership> memberships, int64_t* seq) {
  UpsertCounts counts;
  if (papers.empty() && memberships.empty()) return counts;
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
  std::unordered_set<std::string_view> written_ids;
  for (const std::vector<size_t>& round : rounds) {
    const int64_t before = counts.inserted + counts.updated;
    MergeRound(w, papers, round, *seq, counts, written, written_ids);
    // Rows written in a round are numbered seq + position; the sequence moves to the end of the
    // round's range (numbers stay unique and increasing; gaps are harmless).
    if (counts.inserted + counts.updated > before) *seq += static_cast<int64_t>(round.size());
  }
  if (!memberships.empty()) {
    counts.memberships_added = AddMemberships(w, memberships, written_ids, seq);
  }
  if (!written.empty()) LinkArxivPapers(w, written);
  return counts;
}

}  // namespace coolpapers::store::postgres
