// PostgresStore's venue papers: a paper row each (so FAQs, clicks, search and the change feed see
// them as papers), a venue_papers row with what only a venue has, and paper_aliases for the
// other ids a paper is known by. Behaviour of SqliteStore (store/sqlite/venue_rows.cc).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/store_rows.h"

namespace coolpapers::store::postgres {
namespace {

// Writes the venue rows (the last of several with one id wins); returns the ids whose row was
// new or changed.
std::vector<std::string> WriteVenueRows(pqxx::work& w, std::span<const core::VenuePaper> papers) {
  std::unordered_map<std::string_view, size_t> last;
  for (size_t i = 0; i < papers.size(); ++i) last[papers[i].id] = i;
  std::vector<std::string> ids, editions, groups, positions, pdfs, pages_urls, pages;
  for (size_t i = 0; i < papers.size(); ++i) {
    const core::VenuePaper& v = papers[i];
    if (last[v.id] != i) continue;
    ids.push_back(v.id);
    editions.push_back(v.venue);
    groups.push_back(v.group);
    positions.push_back(std::to_string(v.position));
    pdfs.push_back(v.pdf_url);
    pages_urls.push_back(v.page_url);
    pages.push_back(v.pages);
  }
  pqxx::result r = w.exec_params(
      "INSERT INTO venue_papers (paper_id, edition, grp, position, pdf_url, page_url, pages) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], "
      "$6::text[], $7::text[]) "
      "ON CONFLICT (paper_id) DO UPDATE SET edition = EXCLUDED.edition, grp = EXCLUDED.grp, "
      "position = EXCLUDED.position, pdf_url = EXCLUDED.pdf_url, page_url = EXCLUDED.page_url, "
      "pages = EXCLUDED.pages "
      "WHERE (venue_papers.edition, venue_papers.grp, venue_papers.position, "
      "venue_papers.pdf_url, venue_papers.page_url, venue_papers.pages) IS DISTINCT FROM "
      "(EXCLUDED.edition, EXCLUDED.grp, EXCLUDED.position, EXCLUDED.pdf_url, "
      "EXCLUDED.page_url, EXCLUDED.pages) RETURNING paper_id",
      TextArray(ids), TextArray(editions), TextArray(groups), TextArray(positions),
      TextArray(pdfs), TextArray(pages_urls), TextArray(pages));
  std::vector<std::string> changed;
  for (const auto& row : r) changed.push_back(Text(row[0]));
  return changed;
}

int64_t WriteAliases(pqxx::work& w, std::span<const core::VenuePaper> papers) {
  std::vector<std::string> aliases, ids;
  for (const core::VenuePaper& v : papers) {
    for (const std::string& alias : v.other_ids) {
      if (alias.empty() || alias == v.id) continue;
      aliases.push_back(alias);
      ids.push_back(v.id);
    }
  }
  if (aliases.empty()) return 0;
  pqxx::result r = w.exec_params(
      "INSERT INTO paper_aliases (alias, paper_id) SELECT * FROM unnest($1::text[], $2::text[]) "
      "ON CONFLICT (alias) DO NOTHING",
      TextArray(aliases), TextArray(ids));
  return static_cast<int64_t>(r.affected_rows());
}

// Papers whose venue row changed but whose paper row was not written by this call (its seq is
// still <= `written_after`): renumbered after `*seq` so derived indexes re-read them. Returns
// how many.
int64_t BumpChangedVenueRows(pqxx::work& w, const std::vector<std::string>& changed,
                             int64_t written_after, int64_t* seq) {
  if (changed.empty()) return 0;
  pqxx::result r = w.exec_params(
      "WITH stale AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM papers "
      "WHERE id = ANY($1::text[]) AND seq <= $2::bigint) "
      "UPDATE papers p SET seq = $3::bigint + s.k FROM stale s WHERE p.id = s.id RETURNING 1",
      TextArray(changed), static_cast<long long>(written_after), static_cast<long long>(*seq));
  *seq += static_cast<int64_t>(r.size());
  return static_cast<int64_t>(r.size());
}

constexpr const char* kVenueColumns =
    "v.paper_id, v.edition, v.grp, v.position, v.pdf_url, v.page_url, v.pages, "
    "coalesce(p.title, ''), coalesce(p.abstract, ''), coalesce(p.authors, ''), "
    "coalesce(p.doi, ''), "
    "coalesce((SELECT string_agg(a.alias, E'\\n' ORDER BY a.alias) FROM paper_aliases a "
    "WHERE a.paper_id = v.paper_id), '') ";

// A venue paper with its paper row's fields and its other ids.
core::VenuePaper ReadVenuePaper(const pqxx::row& r) {
  core::VenuePaper v;
  v.id = Text(r[0]);
  v.venue = Text(r[1]);
  v.group = Text(r[2]);
  v.position = r[3].as<int>();
  v.pdf_url = Text(r[4]);
  v.page_url = Text(r[5]);
  v.pages = Text(r[6]);
  v.title = Text(r[7]);
  v.abstract = Text(r[8]);
  v.authors = core::Split(TextView(r[9]), '\n');
  v.doi = Text(r[10]);
  v.other_ids = core::Split(TextView(r[11]), '\n');
  return v;
}

}  // namespace

Result<VenueUpsertCounts> PostgresStore::UpsertVenuePapers(
    std::span<const core::VenuePaper> papers) {
  Result<std::vector<Paper>> rows = PapersOfVenuePapers(papers);
  if (!rows) return Err(rows.error());
  VenueUpsertCounts counts;
  if (papers.empty()) return counts;
  Status st = pool_.Run("writing " + std::to_string(papers.size()) + " venue papers",
                        [&](pqxx::connection& c) -> Status {
                          pqxx::work w(c);
                          const int64_t seq0 = LockChangeSeq(w);
                          int64_t seq = seq0;
                          std::vector<std::string> changed = WriteVenueRows(w, papers);
                          UpsertCounts u = MergePapers(w, *rows, {}, &seq);
                          int64_t bumped = BumpChangedVenueRows(w, changed, seq0, &seq);
                          counts = VenueUpsertCounts();
                          counts.inserted = u.inserted;
                          counts.updated = u.updated + bumped;
                          counts.unchanged = u.unchanged - bumped;
                          counts.aliases_added = WriteAliases(w, papers);
                          counts.linked = LinkVenuePapers(w, papers);
                          if (seq != seq0) WriteChangeSeq(w, seq);
                          w.commit();
                          return Status::Ok();
                        });
  if (!st.ok()) return Err(st);
  return counts;
}

Result<std::vector<VenueEditionCount>> PostgresStore::VenueEditions() {
  std::vector<VenueEditionCount> out;
  Status st = pool_.Run("listing venue editions", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec(
        "SELECT edition, grp, COUNT(*) FROM venue_papers GROUP BY edition, grp "
        "ORDER BY edition, MIN(position)");
    for (const auto& row : r) {
      std::string edition = Text(row[0]);
      if (out.empty() || out.back().edition != edition) out.push_back({edition, 0, {}});
      out.back().papers += row[2].as<int64_t>();
      out.back().groups.emplace_back(Text(row[1]), row[2].as<int64_t>());
    }
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  SortVenueEditions(out);
  return out;
}

Result<std::vector<core::VenuePaper>> PostgresStore::ListVenue(const std::string& edition,
                                                               const std::string& group) {
  std::vector<core::VenuePaper> out;
  Status st = pool_.Run("listing venue " + edition, [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        std::string("SELECT ") + kVenueColumns +
            "FROM venue_papers v LEFT JOIN papers p ON p.id = v.paper_id "
            "WHERE v.edition = $1 AND ($2 = '' OR lower(v.grp) = lower($2)) ORDER BY v.position",
        edition, group);
    for (const auto& row : r) out.push_back(ReadVenuePaper(row));
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::vector<core::VenuePaper>> PostgresStore::GetVenuePapers(
    std::span<const std::string> ids) {
  std::vector<core::VenuePaper> out;
  if (ids.empty()) return out;
  Status st = pool_.Run("reading venue papers", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    // Each asked id (in order) resolved to its paper, directly or through an alias.
    pqxx::result r = n.exec_params(
        std::string("SELECT ") + kVenueColumns +
            "FROM unnest($1::text[]) WITH ORDINALITY AS q(id, ord) "
            "JOIN venue_papers v ON v.paper_id = coalesce((SELECT paper_id FROM venue_papers "
            "WHERE paper_id = q.id), (SELECT paper_id FROM paper_aliases WHERE alias = q.id)) "
            "LEFT JOIN papers p ON p.id = v.paper_id ORDER BY q.ord",
        TextArray(std::vector<std::string>(ids.begin(), ids.end())));
    std::unordered_set<std::string> seen;
    for (const auto& row : r) {
      core::VenuePaper v = ReadVenuePaper(row);
      if (seen.insert(v.id).second) out.push_back(std::move(v));
    }
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

}  // namespace coolpapers::store::postgres
