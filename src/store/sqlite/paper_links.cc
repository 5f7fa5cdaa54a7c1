// Venue paper <-> arXiv links (schema 3): keys and links kept current on every write of a paper.
#include "store/sqlite/paper_links.h"

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "core/arxiv_id.h"
#include "core/text.h"
#include "core/title_key.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_rows.h"

namespace coolpapers::store::sqlite {
namespace {

using Keys = LinkKeys;

// The keys of a paper row as Upsert inserts it (the first non-empty author leads).
Keys KeysOfInserted(const Paper& p) {
  std::string first;
  for (const std::string& a : p.authors) {
    if (a.empty()) continue;
    first = a;
    for (char& c : first) c = (c == '\n' || c == '\r') ? ' ' : c;
    break;
  }
  return LinkKeysOf(p.title, first, p.doi);
}

// The keys of the stored row of `id`; nullopt when the paper is not stored.
Result<std::optional<Keys>> StoredKeys(Connection& w, const std::string& id) {
  Result<Stmt> s = w.Prepare("SELECT title, authors, doi FROM papers WHERE id = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, id, true);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<Keys>();
  if (rc != SQLITE_ROW) return Err(w.Error("reading paper " + id + " for its link keys"));
  std::string_view authors = s->TextView(1);
  return std::optional<Keys>(
      LinkKeysOf(s->TextView(0), authors.substr(0, authors.find('\n')), s->TextView(2)));
}

// The stored key row of `id`; nullopt when it has none (a paper stored since schema 3 always
// has one, so none means the paper was inserted by the write being linked).
Result<std::optional<Keys>> KeyRow(Connection& w, const std::string& id) {
  Result<Stmt> s = w.Prepare("SELECT title_key, doi FROM link_keys WHERE paper_id = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, id, true);
  int rc = s->Step();
  if (rc == SQLITE_ROW) return std::optional<Keys>(Keys{s->Text(0), s->Text(1)});
  if (rc == SQLITE_DONE) return std::optional<Keys>();
  return Err(w.Error("reading the link keys of " + id));
}

// Empty keys are stored as NULL, so the partial indexes hold only real keys.
void BindKey(Stmt& s, int i, const std::string& key) {
  if (key.empty()) {
    s.BindNull(i);
  } else {
    s.Bind(i, key, true);
  }
}

Status PutKeyRow(Connection& w, const std::string& id, const Keys& k) {
  Result<Stmt> s = w.Prepare(
      "INSERT INTO link_keys (paper_id, venue, title_key, doi) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (paper_id) DO UPDATE SET venue = ?2, title_key = ?3, doi = ?4");
  if (!s) return s.error();
  s->Bind(1, id, true);
  s->Bind(2, int64_t{IsVenueId(id) ? 1 : 0});
  BindKey(*s, 3, k.title_key);
  BindKey(*s, 4, k.doi);
  return s->Run();
}

// Venue papers whose key (title or DOI) equals `key`; appended to `out`.
Status VenueIdsWithKey(Connection& w, const char* column, const std::string& key,
                       std::set<std::string>& out) {
  if (key.empty()) return Status::Ok();
  Result<Stmt> s = w.Prepare(std::string("SELECT paper_id FROM link_keys WHERE ") + column +
                             " = ?1 AND venue = 1");
  if (!s) return s.error();
  s->Bind(1, key, true);
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.insert(s->Text(0));
  return rc == SQLITE_DONE ? Status::Ok() : w.Error("finding venue papers by key");
}

// The one arXiv paper whose `column` equals `key`; "" when none or several.
Result<std::string> UniqueArxivWithKey(Connection& w, const char* column, const std::string& key) {
  if (key.empty()) return std::string();
  Result<Stmt> s = w.Prepare(std::string("SELECT paper_id FROM link_keys WHERE ") + column +
                             " = ?1 AND venue = 0 LIMIT 2");
  if (!s) return Err(s.error());
  s->Bind(1, key, true);
  std::vector<std::string> ids;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) ids.push_back(s->Text(0));
  if (rc != SQLITE_DONE) return Err(w.Error("finding arXiv papers by key"));
  return ids.size() == 1 ? ids[0] : std::string();
}

// The one arXiv id the venue paper's aliases name ("arXiv:2402.12354v2"); "" when none or
// several different ones.
Result<std::string> ArxivIdOfAliases(Connection& w, const std::string& venue_id) {
  Result<Stmt> s = w.Prepare(
      "SELECT alias FROM paper_aliases WHERE paper_id = ?1 AND alias LIKE 'arXiv:%'");
  if (!s) return Err(s.error());
  s->Bind(1, venue_id, true);
  std::set<std::string> ids;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    Result<core::ArxivId> id = core::ArxivId::Parse(s->TextView(0));
    if (id) ids.insert(id->base());
  }
  if (rc != SQLITE_DONE) return Err(w.Error("reading the aliases of " + venue_id));
  return ids.size() == 1 ? *ids.begin() : std::string();
}

struct Target {
  std::string arxiv_id, method;
};

// The link the rule (store.h, PaperLink) gives `venue_id` now; an empty arxiv_id for none.
Result<Target> ChooseTarget(Connection& w, const std::string& venue_id) {
  Result<std::string> by_id = ArxivIdOfAliases(w, venue_id);
  if (!by_id) return Err(by_id.error());
  if (!by_id->empty()) return Target{*by_id, "id"};
  Result<Stmt> s = w.Prepare("SELECT title_key, doi FROM link_keys WHERE paper_id = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, venue_id, true);
  if (s->Step() != SQLITE_ROW) return Target{};
  std::string title_key = s->Text(0), doi = s->Text(1);
  s->Reset();
  Result<std::string> by_doi = UniqueArxivWithKey(w, "doi", doi);
  if (!by_doi) return Err(by_doi.error());
  if (!by_doi->empty()) return Target{*by_doi, "doi"};
  Result<std::string> by_title = UniqueArxivWithKey(w, "title_key", title_key);
  if (!by_title) return Err(by_title.error());
  if (!by_title->empty()) return Target{*by_title, "title"};
  return Target{};
}

Result<int64_t> StoredVersion(Connection& w, const std::string& arxiv_id) {
  Result<Stmt> s = w.Prepare("SELECT version FROM papers WHERE id = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, arxiv_id, true);
  int rc = s->Step();
  if (rc == SQLITE_ROW) return s->Int(0);
  if (rc == SQLITE_DONE) return int64_t{0};
  return Err(w.Error("reading the version of " + arxiv_id));
}

enum class LinkChange { kNone, kAdded, kChanged, kRemoved };

// Recomputes the link of one venue paper. `linked` says whether it has one afterwards.
Result<LinkChange> Relink(Connection& w, const std::string& venue_id, bool* linked) {
  Result<Target> t = ChooseTarget(w, venue_id);
  if (!t) return Err(t.error());
  std::optional<PaperLink> old;
  {
    Result<Stmt> s = w.Prepare(
        "SELECT arxiv_id, method, arxiv_version FROM paper_links WHERE venue_id = ?1");
    if (!s) return Err(s.error());
    s->Bind(1, venue_id, true);
    if (s->Step() == SQLITE_ROW) {
      old = PaperLink{venue_id, s->Text(0), s->Text(1), static_cast<int>(s->Int(2)), "", ""};
    }
  }
  *linked = !t->arxiv_id.empty();
  if (t->arxiv_id.empty()) {
    if (!old) return LinkChange::kNone;
    Result<Stmt> del = w.Prepare("DELETE FROM paper_links WHERE venue_id = ?1");
    if (!del) return Err(del.error());
    del->Bind(1, venue_id, true);
    if (Status st = del->Run(); !st.ok()) return Err(st);
    return LinkChange::kRemoved;
  }
  int64_t version = old && old->arxiv_id == t->arxiv_id ? old->arxiv_version : 0;
  if (version == 0) {
    Result<int64_t> v = StoredVersion(w, t->arxiv_id);
    if (!v) return Err(v.error());
    version = *v;
  }
  if (old && old->arxiv_id == t->arxiv_id && old->method == t->method &&
      old->arxiv_version == version) {
    return LinkChange::kNone;
  }
  Result<Stmt> put = w.Prepare(
      "INSERT INTO paper_links (venue_id, arxiv_id, method, arxiv_version) VALUES (?1, ?2, ?3, "
      "?4) ON CONFLICT (venue_id) DO UPDATE SET arxiv_id = ?2, method = ?3, arxiv_version = ?4");
  if (!put) return Err(put.error());
  put->Bind(1, venue_id, true);
  put->Bind(2, t->arxiv_id, true);
  put->Bind(3, t->method, true);
  put->Bind(4, version);
  if (Status st = put->Run(); !st.ok()) return Err(st);
  return old ? LinkChange::kChanged : LinkChange::kAdded;
}

// Venue papers with an id link waiting for `arxiv_id` to be stored.
Status WaitingFor(Connection& w, const std::string& arxiv_id, std::set<std::string>& out) {
  Result<Stmt> s = w.Prepare(
      "SELECT venue_id FROM paper_links WHERE arxiv_id = ?1 AND arxiv_version = 0");
  if (!s) return s.error();
  s->Bind(1, arxiv_id, true);
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.insert(s->Text(0));
  return rc == SQLITE_DONE ? Status::Ok() : w.Error("finding links waiting for " + arxiv_id);
}

// Writes the keys of one stored paper (`inserted`: the paper as given to the write, used when
// the paper has no key row yet, i.e. the write inserted it); for an arXiv paper, adds to
// `affected` the venue papers whose candidates may have changed.
Status UpdateKeys(Connection& w, const std::string& id, const Paper* inserted,
                  std::set<std::string>* affected) {
  Result<std::optional<Keys>> before = KeyRow(w, id);
  if (!before) return before.error();
  Keys now;
  if (!*before && inserted != nullptr) {
    now = KeysOfInserted(*inserted);
  } else {
    Result<std::optional<Keys>> stored = StoredKeys(w, id);
    if (!stored) return stored.error();
    if (!*stored) return Status::Ok();
    now = **stored;
  }
  if (*before && (*before)->title_key == now.title_key && (*before)->doi == now.doi) {
    return Status::Ok();
  }
  if (Status st = PutKeyRow(w, id, now); !st.ok()) return st;
  if (affected == nullptr) return Status::Ok();
  Keys old = before->value_or(Keys{});
  for (const std::string* key : {&old.title_key, &now.title_key}) {
    if (Status st = VenueIdsWithKey(w, "title_key", *key, *affected); !st.ok()) return st;
  }
  for (const std::string* key : {&old.doi, &now.doi}) {
    if (Status st = VenueIdsWithKey(w, "doi", *key, *affected); !st.ok()) return st;
  }
  if (!*before) return WaitingFor(w, id, *affected);
  return Status::Ok();
}

}  // namespace

Status LinkArxivPapers(Connection& w, std::span<const Paper> papers,
                       const std::vector<bool>* inserted) {
  // Without venue papers nothing can be relinked: only the keys are written.
  Result<Stmt> any = w.Prepare("SELECT EXISTS (SELECT 1 FROM venue_papers)");
  if (!any) return any.error();
  if (any->Step() != SQLITE_ROW) return w.Error("checking for venue papers");
  const bool venues = any->Int(0) != 0;
  any->Reset();
  std::set<std::string> affected;
  for (size_t i = 0; i < papers.size(); ++i) {
    const Paper& p = papers[i];
    if (IsVenueId(p.id)) continue;
    // A row this write inserted has no key row to compare with (papers are never deleted),
    // and without venue papers no link depends on the old keys: write the keys at once.
    if (!venues && inserted != nullptr && (*inserted)[i]) {
      if (Status st = PutKeyRow(w, p.id, KeysOfInserted(p)); !st.ok()) return st;
      continue;
    }
    if (Status st = UpdateKeys(w, p.id, &p, venues ? &affected : nullptr); !st.ok()) return st;
  }
  bool linked = false;
  for (const std::string& venue_id : affected) {
    Result<LinkChange> c = Relink(w, venue_id, &linked);
    if (!c) return c.error();
  }
  return Status::Ok();
}

Result<int64_t> LinkVenuePapers(Connection& w, std::span<const core::VenuePaper> papers) {
  for (const core::VenuePaper& v : papers) {
    if (Status st = UpdateKeys(w, v.id, nullptr, nullptr); !st.ok()) return Err(st);
  }
  int64_t linked = 0;
  for (const core::VenuePaper& v : papers) {
    bool is_linked = false;
    Result<LinkChange> c = Relink(w, v.id, &is_linked);
    if (!c) return Err(c.error());
    linked += is_linked ? 1 : 0;
  }
  return linked;
}

Result<RelinkCounts> RelinkAll(Connection& w) {
  std::vector<std::string> ids;
  {
    Result<Stmt> s = w.Prepare("SELECT id FROM papers ORDER BY id");
    if (!s) return Err(s.error());
    while (s->Step() == SQLITE_ROW) ids.push_back(s->Text(0));
  }
  for (const std::string& id : ids) {
    if (Status st = UpdateKeys(w, id, nullptr, nullptr); !st.ok()) return Err(st);
  }
  std::vector<std::string> venue_ids;
  {
    Result<Stmt> s = w.Prepare(
        "SELECT paper_id FROM venue_papers UNION SELECT venue_id FROM paper_links ORDER BY 1");
    if (!s) return Err(s.error());
    while (s->Step() == SQLITE_ROW) venue_ids.push_back(s->Text(0));
  }
  RelinkCounts counts;
  for (const std::string& venue_id : venue_ids) {
    bool linked = false;
    Result<LinkChange> c = Relink(w, venue_id, &linked);
    if (!c) return Err(c.error());
    ++counts.venue_papers;
    counts.linked += linked ? 1 : 0;
    counts.added += *c == LinkChange::kAdded ? 1 : 0;
    counts.changed += *c == LinkChange::kChanged ? 1 : 0;
    counts.removed += *c == LinkChange::kRemoved ? 1 : 0;
  }
  return counts;
}

namespace {

constexpr const char* kLinkColumns =
    "SELECT l.venue_id, l.arxiv_id, l.method, l.arxiv_version, coalesce(v.edition, ''), "
    "coalesce(v.grp, '') FROM paper_links l LEFT JOIN venue_papers v ON v.paper_id = l.venue_id ";

Status ReadLinks(Connection& c, Stmt& s, std::vector<PaperLink>& out) {
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(PaperLink{s.Text(0), s.Text(1), s.Text(2), static_cast<int>(s.Int(3)),
                            s.Text(4), s.Text(5)});
  }
  return rc == SQLITE_DONE ? Status::Ok() : c.Error("reading paper links");
}

}  // namespace

Result<std::vector<PaperLink>> SqliteStore::LinksOf(std::span<const std::string> paper_ids) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(std::string(kLinkColumns) +
                                 "WHERE l.venue_id = ?1 UNION ALL " + kLinkColumns +
                                 "WHERE l.arxiv_id = ?1 AND l.venue_id <> ?1");
  if (!s) return Err(s.error());
  std::vector<PaperLink> out;
  for (const std::string& id : paper_ids) {
    s->Bind(1, id, true);
    if (Status st = ReadLinks(**r, *s, out); !st.ok()) return Err(st);
    s->Reset();
  }
  std::sort(out.begin(), out.end(), [](const PaperLink& a, const PaperLink& b) {
    return a.venue_id < b.venue_id;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const PaperLink& a, const PaperLink& b) {
                          return a.venue_id == b.venue_id;
                        }),
            out.end());
  return out;
}

Result<std::vector<PaperLink>> SqliteStore::ListLinks() {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(std::string(kLinkColumns) + "ORDER BY l.venue_id");
  if (!s) return Err(s.error());
  std::vector<PaperLink> out;
  if (Status st = ReadLinks(**r, *s, out); !st.ok()) return Err(st);
  return out;
}

Result<RelinkCounts> SqliteStore::Relink() {
  RelinkCounts counts;
  Status st = writer_->Run([&](Connection& w) -> Status {
    Result<RelinkCounts> c = RelinkAll(w);
    if (!c) return c.error();
    counts = *c;
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return counts;
}

}  // namespace coolpapers::store::sqlite
