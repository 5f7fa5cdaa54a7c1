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

namespace coolpapers::store::postgres {
namespace {

bool IsVenueId(std::string_view id) { return id.find('@') != std::string_view::npos; }

// "10.18653/V1/2024.ACL-LONG.3", "https://doi.org/10..." -> "10.18653/v1/2024.acl-long.3".
std::string DoiKey(std::string_view doi) {
  std::string d = core::ToLower(core::Trim(doi));
  for (std::string_view prefix : {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                                  "http://dx.doi.org/", "doi:"}) {
    if (core::StartsWith(d, prefix)) return d.substr(prefix.size());
  }
  return d;
}

struct Keys {
  std::string title_key, doi;
  bool operator==(const Keys&) const = default;
};

Keys KeysOf(std::string_view title, const std::string& first_author, std::string_view doi) {
  std::vector<std::string> first_only;
  if (!first_author.empty()) first_only.push_back(first_author);
  return Keys{core::TitleKey(title, first_only), DoiKey(doi)};
}

struct KeyChange {
  std::string id;
  std::optional<Keys> before;
  Keys now;
};

constexpr const char* kKeyStaging =
    "CREATE TEMP TABLE IF NOT EXISTS cp_in_keys (paper_id TEXT COLLATE \"C\" NOT NULL, "
    "venue BOOLEAN NOT NULL, title_key TEXT COLLATE \"C\" NOT NULL, "
    "doi TEXT COLLATE \"C\" NOT NULL) ON COMMIT DELETE ROWS";

// Given papers as stored after a write, writes the key rows that differ from the stored ones
// (empty keys stored as NULL, so the partial indexes hold only real keys) and returns the
// changes. Papers `inserted` by the write have no key row yet and are not looked up.
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
  for (const WrittenPaper& p : papers) {
    KeyChange c{p.id, std::nullopt, KeysOf(p.title, p.first_author, p.doi)};
    if (auto it = stored.find(p.id); it != stored.end()) {
      if (it->second == c.now) continue;
      c.before = it->second;
    }
    changes.push_back(std::move(c));
  }
  if (changes.empty()) return changes;
  w.exec(kKeyStaging);
  {
    pqxx::stream_to copy(w, "cp_in_keys",
                         std::vector<std::string>{"paper_id", "venue", "title_key", "doi"});
    for (const KeyChange& c : changes) {
      copy << std::make_tuple(c.id, IsVenueId(c.id), c.now.title_key, c.now.doi);
    }
    copy.complete();
  }
  w.exec(
      "INSERT INTO link_keys (paper_id, venue, title_key, doi) "
      "SELECT paper_id, venue, nullif(title_key, ''), nullif(doi, '') FROM cp_in_keys "
      "ON CONFLICT (paper_id) DO UPDATE SET venue = EXCLUDED.venue, "
      "title_key = EXCLUDED.title_key, doi = EXCLUDED.doi");
  w.exec("TRUNCATE cp_in_keys");
  return changes;
}

// The one arXiv id the venue paper's aliases name ("arXiv:2402.12354v2"); "" when none or
// several different ones.
std::string ArxivIdOfAliases(pqxx::work& w, const std::string& venue_id) {
  pqxx::result r = w.exec_params(
      "SELECT alias FROM paper_aliases WHERE paper_id = $1 AND alias LIKE 'arXiv:%'", venue_id);
  std::set<std::string> ids;
  for (const auto& row : r) {
    Result<core::ArxivId> id = core::ArxivId::Parse(TextView(row[0]));
    if (id) ids.insert(id->base());
  }
  return ids.size() == 1 ? *ids.begin() : std::string();
}

// The one arXiv paper whose key in `column` equals `key`; "" when none or several.
std::string UniqueArxivWithKey(pqxx::work& w, const char* column, const std::string& key) {
  if (key.empty()) return "";
  pqxx::result r = w.exec_params(std::string("SELECT paper_id FROM link_keys WHERE ") + column +
                                     " = $1 AND NOT venue LIMIT 2",
                                 key);
  return r.size() == 1 ? Text(r[0][0]) : std::string();
}

struct Target {
  std::string arxiv_id, method;
};

// The link the rule (store.h, PaperLink) gives `venue_id` now; an empty arxiv_id for none.
Target ChooseTarget(pqxx::work& w, const std::string& venue_id) {
  std::string by_id = ArxivIdOfAliases(w, venue_id);
  if (!by_id.empty()) return Target{by_id, "id"};
  pqxx::result k = w.exec_params(
      "SELECT coalesce(title_key, ''), coalesce(doi, '') FROM link_keys WHERE paper_id = $1",
      venue_id);
  if (k.empty()) return Target{};
  std::string by_doi = UniqueArxivWithKey(w, "doi", Text(k[0][1]));
  if (!by_doi.empty()) return Target{by_doi, "doi"};
  std::string by_title = UniqueArxivWithKey(w, "title_key", Text(k[0][0]));
  if (!by_title.empty()) return Target{by_title, "title"};
  return Target{};
}

enum class LinkChange { kNone, kAdded, kChanged, kRemoved };

// Recomputes the link of one venue paper. `linked` says whether it has one afterwards.
LinkChange RelinkOne(pqxx::work& w, const std::string& venue_id, bool* linked) {
  Target t = ChooseTarget(w, venue_id);
  std::optional<PaperLink> old;
  pqxx::result o = w.exec_params(
      "SELECT arxiv_id, method, arxiv_version FROM paper_links WHERE venue_id = $1", venue_id);
  if (!o.empty()) old = PaperLink{venue_id, Text(o[0][0]), Text(o[0][1]), o[0][2].as<int>(), "", ""};
  *linked = !t.arxiv_id.empty();
  if (t.arxiv_id.empty()) {
    if (!old) return LinkChange::kNone;
    w.exec_params("DELETE FROM paper_links WHERE venue_id = $1", venue_id);
    return LinkChange::kRemoved;
  }
  int version = old && old->arxiv_id == t.arxiv_id ? old->arxiv_version : 0;
  if (version == 0) {
    pqxx::result v = w.exec_params("SELECT version FROM papers WHERE id = $1", t.arxiv_id);
    version = v.empty() ? 0 : v[0][0].as<int>();
  }
  if (old && old->arxiv_id == t.arxiv_id && old->method == t.method &&
      old->arxiv_version == version) {
    return LinkChange::kNone;
  }
  w.exec_params(
      "INSERT INTO paper_links (venue_id, arxiv_id, method, arxiv_version) VALUES ($1, $2, $3, "
      "$4) ON CONFLICT (venue_id) DO UPDATE SET arxiv_id = EXCLUDED.arxiv_id, "
      "method = EXCLUDED.method, arxiv_version = EXCLUDED.arxiv_version",
      venue_id, t.arxiv_id, t.method, version);
  return old ? LinkChange::kChanged : LinkChange::kAdded;
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
  bool linked = false;
  for (const auto& row : affected) RelinkOne(w, Text(row[0]), &linked);
}

int64_t LinkVenuePapers(pqxx::work& w, std::span<const core::VenuePaper> papers) {
  std::vector<std::string> ids;
  ids.reserve(papers.size());
  for (const core::VenuePaper& v : papers) ids.push_back(v.id);
  SyncKeys(w, StoredPapers(w, &ids));
  int64_t linked = 0;
  for (const core::VenuePaper& v : papers) {
    bool is_linked = false;
    RelinkOne(w, v.id, &is_linked);
    linked += is_linked ? 1 : 0;
  }
  return linked;
}

RelinkCounts RelinkAll(pqxx::work& w) {
  SyncKeys(w, StoredPapers(w, nullptr));
  pqxx::result venue_ids = w.exec(
      "SELECT paper_id FROM venue_papers UNION SELECT venue_id FROM paper_links ORDER BY 1");
  RelinkCounts counts;
  for (const auto& row : venue_ids) {
    bool linked = false;
    LinkChange c = RelinkOne(w, Text(row[0]), &linked);
    ++counts.venue_papers;
    counts.linked += linked ? 1 : 0;
    counts.added += c == LinkChange::kAdded ? 1 : 0;
    counts.changed += c == LinkChange::kChanged ? 1 : 0;
    counts.removed += c == LinkChange::kRemoved ? 1 : 0;
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
