// SqliteStore's venue papers: a paper row each (so FAQs, clicks, search and the change feed see
// them as papers), a venue_papers row with what only a venue has, and paper_aliases for the
// other ids a paper is known by.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "store/sqlite/migrations.h"
#include "store/sqlite/paper_links.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_rows.h"

namespace coolpapers::store::sqlite {
namespace {

constexpr const char* kUpsertVenueRow = R"sql(
INSERT INTO venue_papers (paper_id, edition, grp, position, pdf_url, page_url, pages)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (paper_id) DO UPDATE SET edition = ?2, grp = ?3, position = ?4, pdf_url = ?5,
  page_url = ?6, pages = ?7
WHERE (edition, grp, position, pdf_url, page_url, pages) IS NOT (?2, ?3, ?4, ?5, ?6, ?7))sql";

// Writes the venue rows; the ids whose row was new or changed go to `changed`.
Status WriteVenueRows(Connection& w, std::span<const core::VenuePaper> papers,
                      std::unordered_set<std::string>& changed) {
  Result<Stmt> s = w.Prepare(kUpsertVenueRow);
  if (!s) return s.error();
  for (const core::VenuePaper& v : papers) {
    s->Bind(1, v.id, true);
    s->Bind(2, v.venue, true);
    s->Bind(3, v.group, true);
    s->Bind(4, static_cast<int64_t>(v.position));
    s->Bind(5, v.pdf_url, true);
    s->Bind(6, v.page_url, true);
    s->Bind(7, v.pages, true);
    if (s->Step() != SQLITE_DONE) return w.Error("writing venue paper " + v.id);
    if (w.Changes() > 0) changed.insert(v.id);
    s->Reset();
  }
  return Status::Ok();
}

Result<int64_t> WriteAliases(Connection& w, std::span<const core::VenuePaper> papers) {
  Result<Stmt> s = w.Prepare("INSERT OR IGNORE INTO paper_aliases (alias, paper_id) VALUES (?1, ?2)");
  if (!s) return Err(s.error());
  int64_t added = 0;
  for (const core::VenuePaper& v : papers) {
    for (const std::string& alias : v.other_ids) {
      if (alias.empty() || alias == v.id) continue;
      s->Bind(1, alias, true);
      s->Bind(2, v.id, true);
      if (s->Step() != SQLITE_DONE) return Err(w.Error("writing alias " + alias));
      added += w.Changes();
      s->Reset();
    }
  }
  return added;
}

// Papers whose venue row changed but whose paper row did not: bump their row sequence so
// derived indexes re-read them. Returns how many were bumped.
Result<int64_t> BumpChangedVenueRows(Connection& w, const std::unordered_set<std::string>& changed,
                                     int64_t written_after) {
  if (changed.empty()) return int64_t{0};
  Result<int64_t> seq = ReadChangeSeq(w);
  if (!seq) return Err(seq.error());
  Result<Stmt> bump = w.Prepare("UPDATE papers SET seq = ?2 WHERE id = ?1 AND seq <= ?3");
  if (!bump) return Err(bump.error());
  int64_t bumped = 0;
  for (const std::string& id : changed) {
    bump->Bind(1, id, true);
    bump->Bind(2, *seq + bumped + 1);
    bump->Bind(3, written_after);
    if (bump->Step() != SQLITE_DONE) return Err(w.Error("marking venue paper " + id));
    bumped += w.Changes();
    bump->Reset();
  }
  if (bumped > 0) {
    if (Status st = WriteChangeSeq(w, *seq + bumped); !st.ok()) return Err(st);
  }
  return bumped;
}

core::VenuePaper ReadVenuePaper(const Stmt& s) {
  core::VenuePaper v;
  v.id = s.Text(0);
  v.venue = s.Text(1);
  v.group = s.Text(2);
  v.position = static_cast<int>(s.Int(3));
  v.pdf_url = s.Text(4);
  v.page_url = s.Text(5);
  v.pages = s.Text(6);
  return v;
}

constexpr const char* kVenueColumns =
    "v.paper_id, v.edition, v.grp, v.position, v.pdf_url, v.page_url, v.pages";

}  // namespace

Result<VenueUpsertCounts> SqliteStore::UpsertVenuePapers(std::span<const core::VenuePaper> papers) {
  Result<std::vector<Paper>> rows = PapersOfVenuePapers(papers);
  if (!rows) return Err(rows.error());
  VenueUpsertCounts counts;
  Status st = writer_->Run([&](Connection& w) -> Status {
    Result<int64_t> seq0 = ReadChangeSeq(w);
    if (!seq0) return seq0.error();
    std::unordered_set<std::string> changed;
    if (Status s = WriteVenueRows(w, papers, changed); !s.ok()) return s;
    std::vector<bool> inserted;
    Result<UpsertCounts> c = UpsertLocked(w, *rows, {}, &inserted);
    if (!c) return c.error();
    Result<int64_t> bumped = BumpChangedVenueRows(w, changed, *seq0);
    if (!bumped) return bumped.error();
    Result<int64_t> aliases = WriteAliases(w, papers);
    if (!aliases) return aliases.error();
    counts.inserted = c->inserted;
    counts.updated = c->updated + *bumped;
    counts.unchanged = c->unchanged - *bumped;
    counts.aliases_added = *aliases;
    Result<int64_t> linked = LinkVenuePapers(w, papers);
    if (!linked) return linked.error();
    counts.linked = *linked;
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return counts;
}

Result<std::vector<VenueEditionCount>> SqliteStore::VenueEditions() {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(
      "SELECT edition, grp, COUNT(*), MIN(position) FROM venue_papers GROUP BY edition, grp "
      "ORDER BY edition, MIN(position)");
  if (!s) return Err(s.error());
  std::vector<VenueEditionCount> out;
  while (s->Step() == SQLITE_ROW) {
    std::string edition = s->Text(0);
    if (out.empty() || out.back().edition != edition) out.push_back({edition, 0, {}});
    out.back().papers += s->Int(2);
    out.back().groups.emplace_back(s->Text(1), s->Int(2));
  }
  SortVenueEditions(out);
  return out;
}

Result<std::vector<core::VenuePaper>> SqliteStore::ListVenue(const std::string& edition,
                                                             const std::string& group) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(std::string("SELECT ") + kVenueColumns +
                                 " FROM venue_papers v WHERE v.edition = ?1 AND (?2 = '' OR "
                                 "lower(v.grp) = lower(?2)) ORDER BY v.position");
  if (!s) return Err(s.error());
  s->Bind(1, edition, true);
  s->Bind(2, group, true);
  std::vector<core::VenuePaper> out;
  while (s->Step() == SQLITE_ROW) out.push_back(ReadVenuePaper(*s));
  if (Status st = FillVenuePapers(**r, out); !st.ok()) return Err(st);
  return out;
}

Result<std::vector<core::VenuePaper>> SqliteStore::GetVenuePapers(
    std::span<const std::string> ids) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(std::string("SELECT ") + kVenueColumns +
                                 " FROM venue_papers v WHERE v.paper_id = ?1 OR v.paper_id = "
                                 "(SELECT paper_id FROM paper_aliases WHERE alias = ?1)");
  if (!s) return Err(s.error());
  std::vector<core::VenuePaper> out;
  std::unordered_set<std::string> seen;
  for (const std::string& id : ids) {
    s->Bind(1, id, true);
    if (s->Step() == SQLITE_ROW) {
      core::VenuePaper v = ReadVenuePaper(*s);
      if (seen.insert(v.id).second) out.push_back(std::move(v));
    }
    s->Reset();
  }
  if (Status st = FillVenuePapers(**r, out); !st.ok()) return Err(st);
  return out;
}

Result<std::vector<core::VenuePaper>> SqliteStore::ExportVenuePapers(const std::string& after,
                                                                     int limit) {
  if (limit < 1) {
    return Err(Status::InvalidArgument("export page size " + std::to_string(limit) +
                                       " must be at least 1"));
  }
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(std::string("SELECT ") + kVenueColumns +
                                 " FROM venue_papers v WHERE v.paper_id > ?1 "
                                 "ORDER BY v.paper_id LIMIT ?2");
  if (!s) return Err(s.error());
  s->Bind(1, after, true);
  s->Bind(2, static_cast<int64_t>(limit));
  std::vector<core::VenuePaper> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.push_back(ReadVenuePaper(*s));
  if (rc != SQLITE_DONE) return Err((*r)->Error("exporting venue papers after '" + after + "'"));
  if (Status st = FillVenuePapers(**r, out); !st.ok()) return Err(st);
  return out;
}

// Title, abstract, authors and DOI from the paper rows; other ids from the aliases.
Status SqliteStore::FillVenuePapers(Connection& c, std::vector<core::VenuePaper>& papers) {
  std::vector<std::string> ids;
  ids.reserve(papers.size());
  for (const auto& v : papers) ids.push_back(v.id);
  Result<std::vector<Paper>> rows = GetPapers(ids);
  if (!rows) return rows.error();
  std::unordered_map<std::string, const Paper*> by_id;
  for (const Paper& p : *rows) by_id.emplace(p.id, &p);
  Result<Stmt> aliases = c.Prepare("SELECT alias FROM paper_aliases WHERE paper_id = ?1 ORDER BY alias");
  if (!aliases) return aliases.error();
  for (core::VenuePaper& v : papers) {
    if (auto it = by_id.find(v.id); it != by_id.end()) {
      v.title = it->second->title;
      v.abstract = it->second->abstract;
      v.authors = it->second->authors;
      v.doi = it->second->doi;
    }
    aliases->Bind(1, v.id, true);
    while (aliases->Step() == SQLITE_ROW) v.other_ids.push_back(aliases->Text(0));
    aliases->Reset();
  }
  return Status::Ok();
}

}  // namespace coolpapers::store::sqlite
