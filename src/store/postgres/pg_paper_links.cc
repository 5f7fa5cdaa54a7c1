// PostgresStore's venue paper <-> arXiv links: link_keys holds each paper's title key
// (core/title_key.h) and DOI, indexed, so a new paper finds its candidates with one lookup;
// paper_links holds one row per linked venue paper. The rule is Store's (store.h, PaperLink);
// the behaviour is SqliteStore's (store/sqlite/paper_links.cc), keys written in bulk.
#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "core/title_key.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/store_rows.h"

namespace coolpapers::store::postgres {
namespace {

using Keys = LinkKeys;

struct KeyChange {
  std::string id;
  std::optional<Keys> before;
  Keys now;
};

constexpr const char* kKeyStaging =
    "CREATE TEMP TABLE IF NOT EXISTS cp_in_keys (paper_id TEXT COLLATE \"C\" NOT NULL, "
    "venue BOOLEAN NOT NULL, title_key TEXT COLLATE \"C\", doi TEXT COLLATE \"C\") "
    "ON COMMIT DELETE ROWS";

// Empty keys are stored as NULL, so the partial indexes hold only real keys.
const char* KeyOrNull(const std::string& key) { return key.empty() ? nullptr : key.c_str(); }

// Given papers as stored after a write, writes the key rows that differ from the stored ones and
// returns the changes. Papers `inserted` by the write have no key row yet: they are not looked
// up, and their rows are copied straight into link_keys.
std::vector<KeyChange> SyncKeys(pqxx::work& w, const std::vector<WrittenPaper>& papers) {
  std::vector<std::string> lookup;
  for (const WrittenPaper& p : papers) {
    if (!p.inserted) lookup.push_back(p.id);
  }
  std::unordered_map<std::string, Keys> stored;
  if (!lookup.empty()) {
    pqxx::result r = w.exec_params(
        "SELECT paper_id, coalesce(title_key, ''), coalesce(doi, '') FROM link_keys "
        "WHERE paper_id = ANY($1::text[])",
        TextArray(lookup));
    for (const auto& row : r) stored.emplace(Text(row[0]), Keys{Text(row[1]), Text(row[2])});
  }
  std::vector<KeyChange> changes;
  std::vector<const KeyChange*> fresh, merged;
  changes.reserve(papers.size());
  for (const WrittenPaper& p : papers) {
    KeyChange c{p.id, std::nullopt, LinkKeysOf(p.title, p.first_author, p.doi)};
    if (auto it = stored.find(p.id); it != stored.end()) {
      if (it->second == c.now) continue;
      c.before = it->second;
    }
    changes.push_back(std::move(c));
    (p.inserted ? fresh : merged).push_back(&changes.back());
  }
  const std::vector<std::string> columns = {"paper_id", "venue", "title_key", "doi"};
  auto copy_rows = [&](const std::string& table, const std::vector<const KeyChange*>& rows) {
    pqxx::stream_to copy(w, table, columns);
    for (const KeyChange* c : rows) {
      copy << std::make_tuple(c->id, IsVenueId(c->id), KeyOrNull(c->now.title_key),
                              KeyOrNull(c->now.doi));
    }
    copy.complete();
  };
  if (!fresh.empty()) copy_rows("link_keys", fresh);
  if (!merged.empty()) {
    w.exec(kKeyStaging);
    copy_rows("cp_in_keys", merged);
    w.exec(
        "INSERT INTO link_keys (paper_id, venue, title_key, doi) "
        "SELECT paper_id, venue, title_key, doi FROM cp_in_keys "
        "ON CONFLICT (paper_id) DO UPDATE SET venue = EXCLUDED.venue, "
        "title_key = EXCLUDED.title_key, doi = EXCLUDED.doi");
    w.exec("TRUNCATE cp_in_keys");
  }
  return changes;
}

struct Target {
  std::string arxiv_id, method;
};

// The link the rule (store.h, PaperLink) gives each of `venue_ids` now (an empty arxiv_id for
// none), in three queries whatever their number: the arXiv ids their aliases name, the one
// arXiv paper sharing their DOI, the one sharing their title key.
std::unordered_map<std::string, Target> ChooseTargets(pqxx::work& w,
                                                      const std::vector<std::string>& venue_ids) {
  const std::string ids = TextArray(venue_ids);
  std::unordered_map<std::string, std::set<std::string>> named;  // venue id -> arXiv ids
  for (const auto& row : w.exec_params(
           "SELECT paper_id, alias FROM paper_aliases WHERE paper_id = ANY($1::text[]) "
           "AND alias LIKE 'arXiv:%'",
           ids)) {
    Result<core::ArxivId> id = core::ArxivId::Parse(TextView(row[1]));
    if (id) named[Text(row[0])].insert(id->base());
  }
  // Per venue paper, the arXiv paper with the same key when exactly one has it.
  pqxx::result keyed = w.exec_params(
      "SELECT v.paper_id, "
      "(SELECT CASE WHEN count(*) = 1 THEN min(a.paper_id) END FROM (SELECT paper_id FROM "
      "link_keys a WHERE a.doi = v.doi AND NOT a.venue LIMIT 2) a), "
      "(SELECT CASE WHEN count(*) = 1 THEN min(a.paper_id) END FROM (SELECT paper_id FROM "
      "link_keys a WHERE a.title_key = v.title_key AND NOT a.venue LIMIT 2) a) "
      "FROM link_keys v WHERE v.paper_id = ANY($1::text[])",
      ids);
  std::unordered_map<std::string, Target> out;
  for (const auto& row : keyed) {
    if (!row[1].is_null()) {
      out[Text(row[0])] = Target{Text(row[1]), "doi"};
    } else if (!row[2].is_null()) {
      out[Text(row[0])] = Target{Text(row[2]), "title"};
    }
  }
  for (const auto& [venue_id, arxiv_ids] : named) {
    if (arxiv_ids.size() == 1) out[venue_id] = Target{*arxiv_ids.begin(), "id"};
  }
  return out;
}

enum class LinkChange { kNone, kAdded, kChanged, kRemoved };

struct Relinked {
  LinkChange change = LinkChange::kNone;
  bool linked = false;  // has a link afterwards
};

// Recomputes the links of `venue_ids` (each once), in a fixed number of statements. The
// arXiv version a link records is kept while it points to the same paper; a new link records
// the version stored now (0 when the arXiv paper is not stored yet).
std::vector<Relinked> RelinkMany(pqxx::work& w, const std::vector<std::string>& venue_ids) {
  std::vector<Relinked> out(venue_ids.size());
  if (venue_ids.empty()) return out;
  std::unordered_map<std::string, Target> targets = ChooseTargets(w, venue_ids);
  std::unordered_map<std::string, PaperLink> old;
  for (const auto& row : w.exec_params(
           "SELECT venue_id, arxiv_id, method, arxiv_version FROM paper_links "
           "WHERE venue_id = ANY($1::text[])",
           TextArray(venue_ids))) {
    old[Text(row[0])] = PaperLink{Text(row[0]), Text(row[1]), Text(row[2]), row[3].as<int>(),
                                  "", ""};
  }
  std::vector<std::string> arxiv_ids;
  for (const auto& [venue_id, t] : targets) arxiv_ids.push_back(t.arxiv_id);
  std::unordered_map<std::string, int> versions;
  for (const auto& row : w.exec_params("SELECT id, version FROM papers WHERE id = ANY($1::text[])",
                                       TextArray(arxiv_ids))) {
    versions[Text(row[0])] = row[1].as<int>();
  }
  std::vector<std::string> removed, put_venue, put_arxiv, put_method, put_version;
  for (size_t i = 0; i < venue_ids.size(); ++i) {
    auto t = targets.find(venue_ids[i]);
    auto o = old.find(venue_ids[i]);
    const bool had = o != old.end();
    if (t == targets.end()) {
      if (had) {
        removed.push_back(venue_ids[i]);
        out[i].change = LinkChange::kRemoved;
      }
      continue;
    }
    out[i].linked = true;
    int version = had && o->second.arxiv_id == t->second.arxiv_id ? o->second.arxiv_version : 0;
    if (version == 0) {
      auto v = versions.find(t->second.arxiv_id);
      version = v == versions.end() ? 0 : v->second;
    }
    if (had && o->second.arxiv_id == t->second.arxiv_id && o->second.method == t->second.method &&
        o->second.arxiv_version == version) {
      continue;
    }
    put_venue.push_back(venue_ids[i]);
    put_arxiv.push_back(t->second.arxiv_id);
    put_method.push_back(t->second.method);
    put_version.push_back(std::to_string(version));
    out[i].change = had ? LinkChange::kChanged : LinkChange::kAdded;
  }
  if (!removed.empty()) {
    w.exec_params("DELETE FROM paper_links WHERE venue_id = ANY($1::text[])", TextArray(removed));
  }
  if (!put_venue.empty()) {
    w.exec_params(
        "INSERT INTO paper_links (venue_id, arxiv_id, method, arxiv_version) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) "
        "ON CONFLICT (venue_id) DO UPDATE SET arxiv_id = EXCLUDED.arxiv_id, "
        "method = EXCLUDED.method, arxiv_version = EXCLUDED.arxiv_version",
        TextArray(put_venue), TextArray(put_arxiv), TextArray(put_method),
        TextArray(put_version));
  }
  return out;
}

// Stored rows of `ids` (all papers when null) as WrittenPaper, ordered by id.
std::vector<WrittenPaper> StoredPapers(pqxx::work& w, const std::vector<std::string>* ids) {
  const std::string cols = "SELECT id, title, split_part(authors, E'\\n', 1), doi FROM papers ";
  pqxx::result r = ids == nullptr
                       ? w.exec(cols + "ORDER BY id")
                       : w.exec_params(cols + "WHERE id = ANY($1::text[]) ORDER BY id",
                                       TextArray(*ids));
  std::vector<WrittenPaper> out;
  out.reserve(r.size());
  for (const auto& row : r) {
    out.push_back(WrittenPaper{Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), false});
  }
  return out;
}

}  // namespace

void LinkArxivPapers(pqxx::work& w, const std::vector<WrittenPaper>& written) {
  std::vector<KeyChange> changes = SyncKeys(w, written);
  if (changes.empty()) return;
  // Without venue papers nothing can be relinked: only the keys are written.
  if (!w.exec("SELECT EXISTS (SELECT 1 FROM venue_papers)")[0][0].as<bool>()) return;
  std::vector<std::string> titles, dois, fresh;
  for (const KeyChange& c : changes) {
    for (const Keys* k : {c.before ? &*c.before : nullptr, &c.now}) {
      if (k == nullptr) continue;
      if (!k->title_key.empty()) titles.push_back(k->title_key);
      if (!k->doi.empty()) dois.push_back(k->doi);
    }
    if (!c.before) fresh.push_back(c.id);
  }
  // Venue papers sharing an old or new key, and those whose id link waited for a new paper.
  pqxx::result affected = w.exec_params(
      "SELECT paper_id FROM link_keys WHERE venue AND (title_key = ANY($1::text[]) OR "
      "doi = ANY($2::text[])) UNION "
      "SELECT venue_id FROM paper_links WHERE arxiv_version = 0 AND arxiv_id = ANY($3::text[]) "
      "ORDER BY 1",
      TextArray(titles), TextArray(dois), TextArray(fresh));
  std::vector<std::string> venue_ids;
  for (const auto& row : affected) venue_ids.push_back(Text(row[0]));
  RelinkMany(w, venue_ids);
}

int64_t LinkVenuePapers(pqxx::work& w, std::span<const core::VenuePaper> papers) {
  std::vector<std::string> ids;
  ids.reserve(papers.size());
  for (const core::VenuePaper& v : papers) ids.push_back(v.id);
  SyncKeys(w, StoredPapers(w, &ids));
  // Each paper once (a venue file may repeat one), counted once per occurrence as SQLite does.
  std::vector<std::string> distinct(ids);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<Relinked> r = RelinkMany(w, distinct);
  std::unordered_map<std::string, bool> linked_now;
  for (size_t i = 0; i < distinct.size(); ++i) linked_now[distinct[i]] = r[i].linked;
  int64_t linked = 0;
  for (const std::string& id : ids) linked += linked_now[id] ? 1 : 0;
  return linked;
}

RelinkCounts RelinkAll(pqxx::work& w) {
  SyncKeys(w, StoredPapers(w, nullptr));
  pqxx::result venue_ids = w.exec(
      "SELECT paper_id FROM venue_papers UNION SELECT venue_id FROM paper_links ORDER BY 1");
  std::vector<std::string> ids;
  for (const auto& row : venue_ids) ids.push_back(Text(row[0]));
  RelinkCounts counts;
  for (const Relinked& r : RelinkMany(w, ids)) {
    ++counts.venue_papers;
    counts.linked += r.linked ? 1 : 0;
    counts.added += r.change == LinkChange::kAdded ? 1 : 0;
    counts.changed += r.change == LinkChange::kChanged ? 1 : 0;
    counts.removed += r.change == LinkChange::kRemoved ? 1 : 0;
  }
  return counts;
}

namespace {

constexpr const char* kLinkColumns =
    "SELECT l.venue_id, l.arxiv_id, l.method, l.arxiv_version, coalesce(v.edition, ''), "
    "coalesce(v.grp, '') FROM paper_links l LEFT JOIN venue_papers v ON v.paper_id = l.venue_id ";

void ReadLinks(const pqxx::result& r, std::vector<PaperLink>& out) {
  for (const auto& row : r) {
    out.push_back(PaperLink{Text(row[0]), Text(row[1]), Text(row[2]), row[3].as<int>(),
                            Text(row[4]), Text(row[5])});
  }
}

}  // namespace

Result<std::vector<PaperLink>> PostgresStore::LinksOf(std::span<const std::string> paper_ids) {
  std::vector<PaperLink> out;
  if (paper_ids.empty()) return out;
  Status st = pool_.Run("reading paper links", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    std::string ids = TextArray(std::vector<std::string>(paper_ids.begin(), paper_ids.end()));
    ReadLinks(n.exec_params(std::string(kLinkColumns) +
                                "WHERE l.venue_id = ANY($1::text[]) OR l.arxiv_id = "
                                "ANY($1::text[]) ORDER BY l.venue_id",
                            ids),
              out);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::vector<PaperLink>> PostgresStore::ListLinks() {
  std::vector<PaperLink> out;
  Status st = pool_.Run("listing paper links", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    ReadLinks(n.exec(std::string(kLinkColumns) + "ORDER BY l.venue_id"), out);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<RelinkCounts> PostgresStore::Relink() {
  RelinkCounts counts;
  Status st = pool_.Run("relinking venue papers", [&](pqxx::connection& c) -> Status {
    pqxx::work w(c);
    LockChangeSeq(w);  // one link writer at a time, like every paper write
    counts = RelinkAll(w);
    w.commit();
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return counts;
}

}  // namespace coolpapers::store::postgres
