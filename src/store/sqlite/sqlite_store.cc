#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "store/faq_content.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/paper_links.h"
#include "store/store_rows.h"

namespace coolpapers::store::sqlite {
namespace {

constexpr size_t kMaxIdleReaders = 16;
constexpr int kReaderBusyTimeoutMs = 1000;

constexpr const char* kPaperColumns =
    "id, version, title, abstract, authors, categories, comments, journal_ref, doi, published, "
    "updated";

constexpr const char* kInsertPaper =
    "INSERT INTO papers (id, version, title, abstract, authors, categories, comments, "
    "journal_ref, doi, published, updated, seq) "
    "VALUES (?1, max(?2, 1), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (id) DO NOTHING";

// The merged row: an empty incoming field keeps the stored one; version 0 keeps the version;
// `published` keeps the earliest and `updated` the latest date seen, so the result does not
// depend on the order in which sources are imported. A row is only overwritten by a version at
// least as new, or (version unknown) by data at least as recently updated.
#define CP_MERGED                                                                \
  "CASE WHEN ?2 > 0 THEN ?2 ELSE version END, coalesce(nullif(?3, ''), title), " \
  "coalesce(nullif(?4, ''), abstract), coalesce(nullif(?5, ''), authors), "      \
  "coalesce(nullif(?6, ''), categories), coalesce(nullif(?7, ''), comments), "   \
  "coalesce(nullif(?8, ''), journal_ref), coalesce(nullif(?9, ''), doi), "       \
  "CASE WHEN ?10 = '' THEN published WHEN published = '' THEN ?10 "              \
  "ELSE min(published, ?10) END, "                                               \
  "CASE WHEN ?11 = '' THEN updated ELSE max(updated, ?11) END"

constexpr const char* kUpdatePaper =
    "UPDATE papers SET (version, title, abstract, authors, categories, comments, journal_ref, "
    "doi, published, updated) = (" CP_MERGED
    "), seq = ?12 "
    "WHERE id = ?1 AND (?2 >= version OR (?2 = 0 AND (?11 = '' OR ?11 >= updated))) AND "
    "(version, title, abstract, authors, categories, comments, journal_ref, doi, published, "
    "updated) IS NOT (" CP_MERGED ")";
#undef CP_MERGED

constexpr const char* kInsertMembership =
    "INSERT INTO memberships (category, day, paper_id, type, position) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";

// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`.
std::string JsonArray(std::span<const std::string> items) {
  std::string out = "[";
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += core::JsonEscape(s);
    out += '"';
  }
  out += ']';
  return out;
}

// Reads the kPaperColumns starting at column `c`.
Paper ReadPaper(const Stmt& s, int c) {
  Paper p;
  p.id = s.Text(c);
  p.version = static_cast<int>(s.Int(c + 1));
  p.title = s.Text(c + 2);
  p.abstract = s.Text(c + 3);
  p.authors = core::Split(s.TextView(c + 4), '\n');
  p.categories = core::Split(s.TextView(c + 5), ' ');
  p.comments = s.Text(c + 6);
  p.journal_ref = s.Text(c + 7);
  p.doi = s.Text(c + 8);
  p.published = s.Text(c + 9);
  p.updated = s.Text(c + 10);
  return p;
}

Status StepError(Connection& c, std::string_view what) { return c.Error(what); }

// Binds a paper to ?1..?11 of kInsertPaper / kUpdatePaper. `authors`/`cats` must outlive the step.
void BindPaper(Stmt& s, const Paper& p, const std::string& authors, const std::string& cats) {
  s.Bind(1, p.id, true);
  s.Bind(2, static_cast<int64_t>(std::max(p.version, 0)));
  s.Bind(3, p.title, true);
  s.Bind(4, p.abstract, true);
  s.Bind(5, authors, true);
  s.Bind(6, cats, true);
  s.Bind(7, p.comments, true);
  s.Bind(8, p.journal_ref, true);
  s.Bind(9, p.doi, true);
  s.Bind(10, p.published, true);
  s.Bind(11, p.updated, true);
}

// Which papers an Upsert call has written, so a new membership bumps the change sequence of a
// paper only when its row was not written anyway. Memberships usually follow their papers in
// the same order, so lookups try the paper after the last one found before hashing.
class TouchedPapers {
 public:
  explicit TouchedPapers(std::span<const Paper> papers)
      : papers_(papers), marked_(papers.size(), false) {}
  void Mark(size_t index) { marked_[index] = true; }
  // Marks the paper `id`; true if it was not marked before.
  bool MarkById(std::string_view id) {
    size_t i = Find(id);
    if (i == kNone) return others_.insert(std::string(id)).second;
    bool fresh = !marked_[i];
    marked_[i] = true;
    return fresh;
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  size_t Find(std::string_view id) {
    for (size_t i = hint_; i < papers_.size() && i < hint_ + 2; ++i) {
      if (papers_[i].id == id) return hint_ = i;
    }
    if (index_.empty()) {
      for (size_t i = 0; i < papers_.size(); ++i) index_.emplace(papers_[i].id, i);
    }
    auto it = index_.find(id);
    if (it == index_.end()) return kNone;
    return hint_ = it->second;
  }

  std::span<const Paper> papers_;
  std::vector<bool> marked_;
  size_t hint_ = 0;
  std::unordered_map<std::string_view, size_t> index_;  // built on the first miss
  std::unordered_set<std::string> others_;              // memberships of papers not in the call
};

}  // namespace

// ---- opening ----

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  Result<std::unique_ptr<Connection>> writer = Connection::Open(path, /*create=*/true);
  if (!writer) return Err(writer.error());
  Connection& w = **writer;
  Status st = w.Exec(
      "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
      "PRAGMA temp_store=MEMORY; "
      "PRAGMA cache_size=-65536; PRAGMA foreign_keys=OFF");
  if (!st.ok()) return Err(st);
  st = Migrate(w);
  if (!st.ok()) return Err(st);
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, std::move(*writer)));
}

SqliteStore::ReaderLease::~ReaderLease() {
  if (!c_) return;
  std::lock_guard<std::mutex> lock(owner_->pool_mu_);
  if (owner_->idle_readers_.size() < kMaxIdleReaders) {
    owner_->idle_readers_.push_back(std::move(c_));
  }
}

Result<SqliteStore::ReaderLease> SqliteStore::Reader() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(c));
    }
  }
  // WAL readers never wait on the write lock; the short busy timeout only covers WAL recovery.
  Result<std::unique_ptr<Connection>> c =
      Connection::Open(path_, /*create=*/false, kReaderBusyTimeoutMs);
  if (!c) return Err(c.error());
  Status st = (*c)->Exec(
      "PRAGMA query_only=1; PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456; "
      "PRAGMA temp_store=MEMORY");
  if (!st.ok()) return Err(st);
  return ReaderLease(this, std::move(*c));
}

Result<int> SqliteStore::SchemaVersion() {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  return sqlite::SchemaVersion(**r);
}

// ---- writes ----

Result<UpsertCounts> SqliteStore::Upsert(std::span<const Paper> papers,
                                         std::span<const Membership> memberships) {
  if (Status st = ValidateUpsert(papers, memberships); !st.ok()) return Err(st);
  UpsertCounts result;
  Status st = writer_->Run([&](Connection& w) -> Status {
    std::vector<bool> inserted;
    Result<UpsertCounts> c = UpsertLocked(w, papers, memberships, &inserted);
    if (!c) return c.error();
    result = *c;
    return LinkArxivPapers(w, papers, &inserted);
  });
  if (!st.ok()) return Err(st);
  return result;
}

// Runs on the writer thread, inside the batch transaction (its own savepoint).
Result<UpsertCounts> SqliteStore::UpsertLocked(Connection& w, std::span<const Paper> papers,
                                               std::span<const Membership> memberships,
                                               std::vector<bool>* inserted_rows) {
  inserted_rows->assign(papers.size(), false);
  Result<int64_t> seq0 = ReadChangeSeq(w);
  if (!seq0) return Err(seq0.error());
  int64_t seq = *seq0;

  UpsertCounts counts;
  TouchedPapers touched(papers);  // papers written in this call
  {
    Result<Stmt> ins = w.Prepare(kInsertPaper);
    Result<Stmt> upd = w.Prepare(kUpdatePaper);
    if (!ins) return Err(ins.error());
    if (!upd) return Err(upd.error());
    std::string authors, cats;
    for (const Paper& p : papers) {
      authors = JoinAuthors(p.authors);
      cats = JoinCategories(p.categories);
      BindPaper(*ins, p, authors, cats);
      ins->Bind(12, seq + 1);
      if (ins->Step() != SQLITE_DONE) return Err(StepError(w, "inserting paper " + p.id));
      bool inserted = w.Changes() > 0;
      ins->Reset();
      if (inserted) {
        ++counts.inserted;
        ++seq;
        touched.Mark(static_cast<size_t>(&p - papers.data()));
        (*inserted_rows)[static_cast<size_t>(&p - papers.data())] = true;
        continue;
      }
      BindPaper(*upd, p, authors, cats);
      upd->Bind(12, seq + 1);
      if (upd->Step() != SQLITE_DONE) return Err(StepError(w, "updating paper " + p.id));
      bool updated = w.Changes() > 0;
      upd->Reset();
      if (updated) {
        ++counts.updated;
        ++seq;
        touched.Mark(static_cast<size_t>(&p - papers.data()));
      } else {
        ++counts.unchanged;
      }
    }
  }
  {
    Result<Stmt> ins = w.Prepare(kInsertMembership);
    Result<Stmt> bump = w.Prepare("UPDATE papers SET seq = ?2 WHERE id = ?1");
    if (!ins) return Err(ins.error());
    if (!bump) return Err(bump.error());
    for (const Membership& m : memberships) {
      ins->Bind(1, m.category, true);
      ins->Bind(2, m.day, true);
      ins->Bind(3, m.paper_id, true);
      ins->Bind(4, static_cast<int64_t>(m.type));
      ins->Bind(5, static_cast<int64_t>(m.position));
      if (ins->Step() != SQLITE_DONE) return Err(StepError(w, "adding membership " + m.paper_id));
      bool added = w.Changes() > 0;
      ins->Reset();
      if (!added) continue;
      ++counts.memberships_added;
      ++seq;
      // A paper listed on a new day changes what derived indexes should know about it.
      if (touched.MarkById(m.paper_id)) {
        bump->Bind(1, m.paper_id, true);
        bump->Bind(2, seq);
        if (Status st = bump->Run(); !st.ok()) return Err(st);
        bump->Reset();
      }
    }
  }
  if (seq != *seq0) {
    if (Status st = WriteChangeSeq(w, seq); !st.ok()) return Err(st);
  }
  return counts;
}

Status SqliteStore::AddClick(const std::string& paper_id, const std::string& kind) {
  if (kind != "pdf" && kind != "kimi" && kind != "copy" && kind != "rel") {
    return Status::InvalidArgument("unknown click kind '" + kind + "'; use pdf, kimi, copy or rel");
  }
  if (paper_id.empty()) return Status::InvalidArgument("click without a paper id");
  return writer_->AddClick(paper_id, kind);
}

Status SqliteStore::SetDayStatus(const DayStatus& d) {
  return writer_->Run([&d](Connection& w) -> Status {
    {
      Result<Stmt> s = w.Prepare(
          "INSERT INTO day_status (category, day, expected, stored) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (category, day) DO UPDATE SET expected = ?3, stored = ?4 "
          "WHERE expected IS NOT ?3 OR stored IS NOT ?4");
      if (!s) return s.error();
      s->Bind(1, d.category, true);
      s->Bind(2, d.day, true);
      s->Bind(3, static_cast<int64_t>(d.expected));
      s->Bind(4, static_cast<int64_t>(d.stored));
      if (Status st = s->Run(); !st.ok()) return st;
    }
    if (w.Changes() > 0) {  // completeness is shown on list pages: let caches see it
      Result<int64_t> seq = ReadChangeSeq(w);
      if (!seq) return seq.error();
      if (Status st = WriteChangeSeq(w, *seq + 1); !st.ok()) return st;
    }
    return Status::Ok();
  });
}

Status SqliteStore::SetState(const std::string& key, const std::string& value) {
  if (key.empty()) return Status::InvalidArgument("state key is empty");
  return writer_->SetState(key, value);
}

Status SqliteStore::Flush() { return writer_->Flush(); }

Status SqliteStore::DeleteState(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("state key is empty");
  return writer_->DeleteState(key);
}

Status SqliteStore::PutFaq(const FaqRecord& f) {
  if (f.paper_id.empty() || f.lang.empty()) {
    return Status::InvalidArgument("FAQ needs a paper id and a language");
  }
  return writer_->Run([&f](Connection& w) -> Status {
    {
      Result<Stmt> s = w.Prepare(
          "INSERT INTO faqs (paper_id, version, lang, model, prompt_version, content_json, "
          "source, tokens, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
          "ON CONFLICT (paper_id, version, lang, model, prompt_version) DO UPDATE SET "
          "content_json = ?6, source = ?7, tokens = ?8, created = ?9 "
          "WHERE (content_json, source, tokens, created) IS NOT (?6, ?7, ?8, ?9)");
      if (!s) return s.error();
      s->Bind(1, f.paper_id, true);
      s->Bind(2, static_cast<int64_t>(f.version));
      s->Bind(3, f.lang, true);
      s->Bind(4, f.model, true);
      s->Bind(5, static_cast<int64_t>(f.prompt_version));
      s->Bind(6, f.content_json, true);
      s->Bind(7, f.source, true);
      s->Bind(8, f.tokens);
      s->Bind(9, f.created, true);
      if (Status st = s->Run(); !st.ok()) return st;
    }
    if (w.Changes() == 0) return Status::Ok();  // identical FAQ: nothing to re-index
    // FAQ text is part of the paper's search document: move the paper up the change feed.
    Result<int64_t> seq = ReadChangeSeq(w);
    if (!seq) return seq.error();
    {
      Result<Stmt> bump = w.Prepare("UPDATE papers SET seq = ?2 WHERE id = ?1");
      if (!bump) return bump.error();
      bump->Bind(1, f.paper_id, true);
      bump->Bind(2, *seq + 1);
      if (Status st = bump->Run(); !st.ok()) return st;
    }
    return WriteChangeSeq(w, *seq + 1);
  });
}

// ---- reads ----

Result<std::optional<Paper>> SqliteStore::GetPaper(const std::string& id) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s =
      (*r)->Prepare(std::string("SELECT ") + kPaperColumns + " FROM papers WHERE id = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, id, true);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<Paper>();
  if (rc != SQLITE_ROW) return Err((*r)->Error("reading paper " + id));
  return std::optional<Paper>(ReadPaper(*s, 0));
}

namespace {

// Papers whose id is in `ids` (any order), keyed by id.
Result<std::unordered_map<std::string, Paper>> FetchPapers(Connection& c,
                                                           std::span<const std::string> ids) {
  std::unordered_map<std::string, Paper> out;
  if (ids.empty()) return out;
  Result<Stmt> s = c.Prepare(std::string("SELECT ") + kPaperColumns +
                             " FROM papers WHERE id IN (SELECT value FROM json_each(?1))");
  if (!s) return Err(s.error());
  std::string json = JsonArray(ids);
  s->Bind(1, json, true);
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    Paper p = ReadPaper(*s, 0);
    std::string id = p.id;
    out.emplace(std::move(id), std::move(p));
  }
  if (rc != SQLITE_DONE) return Err(c.Error("reading papers"));
  return out;
}

}  // namespace

Result<std::vector<Paper>> SqliteStore::GetPapers(std::span<const std::string> ids) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<std::unordered_map<std::string, Paper>> found = FetchPapers(**r, ids);
  if (!found) return Err(found.error());
  return InIdOrder(ids, *found);
}

Result<std::vector<ListEntry>> SqliteStore::ListDay(const ListQuery& q) {
  if (q.include.empty()) return std::vector<ListEntry>();
  ListCategories categories(q);

  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/false);  // one snapshot
  if (!txn) return Err(txn.error());

  std::unordered_map<std::string, ListCandidate> best;
  {
    Result<Stmt> s = c.Prepare(
        "SELECT paper_id, category, type, position FROM memberships "
        "WHERE category IN (SELECT value FROM json_each(?1)) AND day = ?2 AND type <= ?3");
    if (!s) return Err(s.error());
    std::string cats = JsonArray(q.include);
    s->Bind(1, cats, true);
    s->Bind(2, q.day, true);
    s->Bind(3, static_cast<int64_t>(q.include_replacements ? 3 : 1));
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) {
      ListCandidate cand = categories.Candidate(s->Text(1), static_cast<int>(s->Int(2)),
                                                static_cast<int>(s->Int(3)));
      auto [it, fresh] = best.try_emplace(s->Text(0), cand);
      if (!fresh && cand.key() < it->second.key()) it->second = std::move(cand);
    }
    if (rc != SQLITE_DONE) return Err(c.Error("listing day " + q.day));
  }

  std::vector<std::string> ids;
  ids.reserve(best.size());
  for (const auto& [id, cand] : best) ids.push_back(id);
  Result<std::unordered_map<std::string, Paper>> papers = FetchPapers(c, ids);
  if (!papers) return Err(papers.error());

  std::vector<std::pair<ListCandidate, Paper>> rows;
  rows.reserve(best.size());
  for (auto& [id, cand] : best) {
    auto it = papers->find(id);
    if (it == papers->end()) continue;  // listed, metadata not stored yet
    rows.emplace_back(std::move(cand), std::move(it->second));
  }
  return RankListing(q, std::move(rows));
}

Result<std::vector<DayCount>> SqliteStore::Days(std::span<const std::string> categories) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  std::string cats;
  Result<Stmt> s =
      categories.empty()
          ? c.Prepare(
                "SELECT day, COUNT(DISTINCT paper_id) FROM memberships WHERE type <= 1 "
                "GROUP BY day ORDER BY day DESC")
          : c.Prepare(
                "SELECT day, COUNT(DISTINCT paper_id) FROM memberships "
                "WHERE category IN (SELECT value FROM json_each(?1)) AND type <= 1 "
                "GROUP BY day ORDER BY day DESC");
  if (!s) return Err(s.error());
  if (!categories.empty()) {
    cats = JsonArray(categories);
    s->Bind(1, cats, true);
  }
  std::vector<DayCount> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.push_back({s->Text(0), static_cast<int>(s->Int(1))});
  if (rc != SQLITE_DONE) return Err(c.Error("listing days"));
  return out;
}

Result<std::optional<std::string>> SqliteStore::LatestDay(std::span<const std::string> categories) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  std::string cats;
  // Per category the max is one index seek on (category, day).
  Result<Stmt> s = categories.empty()
                       ? c.Prepare("SELECT MAX(day) FROM memberships")
                       : c.Prepare(
                             "SELECT MAX(d) FROM (SELECT (SELECT MAX(day) FROM memberships "
                             "WHERE category = j.value) AS d FROM json_each(?1) AS j)");
  if (!s) return Err(s.error());
  if (!categories.empty()) {
    cats = JsonArray(categories);
    s->Bind(1, cats, true);
  }
  if (s->Step() != SQLITE_ROW) return Err(c.Error("reading latest day"));
  if (s->IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(s->Text(0));
}

Result<std::vector<Membership>> SqliteStore::MembershipsOf(const std::string& paper_id) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(
      "SELECT category, day, type, position FROM memberships WHERE paper_id = ?1 "
      "ORDER BY day, type, category");
  if (!s) return Err(s.error());
  s->Bind(1, paper_id, true);
  std::vector<Membership> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    Membership m;
    m.paper_id = paper_id;
    m.category = s->Text(0);
    m.day = s->Text(1);
    m.type = static_cast<AnnounceType>(std::clamp<int64_t>(s->Int(2), 0, 3));
    m.position = static_cast<int>(s->Int(3));
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return Err((*r)->Error("reading memberships of " + paper_id));
  return out;
}

namespace {

// The batch marker (BatchedWriter::kBatchMarkerKey) as read in the current transaction.
Result<std::optional<std::string>> ReadBatchMarker(Connection& c) {
  Result<Stmt> s = c.Prepare("SELECT value FROM state WHERE key = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, std::string_view(BatchedWriter::kBatchMarkerKey), true);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Err(c.Error("reading the click batch marker"));
  return std::optional<std::string>(s->Text(0));
}

// Within a read transaction, after reading the clicks table: calls `add` for every queued click
// that the transaction's snapshot does not hold yet (read-your-writes without counting twice).
Status AddQueuedClicks(Connection& c, const BatchedWriter& writer,
                       const std::vector<BatchedWriter::ClickGroup>& queued,
                       const std::function<void(const BatchedWriter::ClickKey&, int64_t)>& add) {
  Result<std::optional<std::string>> marker = ReadBatchMarker(c);
  if (!marker) return marker.error();
  const int64_t in_snapshot = writer.CommittedBatch(*marker);
  for (const BatchedWriter::ClickGroup& g : queued) {
    if (g.batch <= in_snapshot) continue;
    for (const auto& [k, n] : g.clicks) add(k, n);
  }
  return Status::Ok();
}

}  // namespace

Result<std::map<std::string, ClickCounts>> SqliteStore::GetClicks(
    std::span<const std::string> paper_ids) {
  std::map<std::string, ClickCounts> out;
  for (const std::string& id : paper_ids) out[id];
  if (paper_ids.empty()) return out;
  // Queued clicks first, then the snapshot: the marker read with it tells which queued batches
  // the snapshot already holds.
  std::vector<std::string> wanted(paper_ids.begin(), paper_ids.end());
  std::vector<BatchedWriter::ClickGroup> queued = writer_->ClickOverlay(&wanted);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/false);
  if (!txn) return Err(txn.error());
  {
    Result<Stmt> s = c.Prepare(
        "SELECT paper_id, kind, n FROM clicks WHERE paper_id IN (SELECT value FROM json_each(?1))");
    if (!s) return Err(s.error());
    std::string ids = JsonArray(paper_ids);
    s->Bind(1, ids, true);
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) AddKind(out[s->Text(0)], s->TextView(1), s->Int(2));
    if (rc != SQLITE_DONE) return Err(c.Error("reading clicks"));
  }
  Status added = AddQueuedClicks(c, *writer_, queued, [&](const auto& k, int64_t n) {
    AddKind(out[k.first], k.second, n);
  });
  if (!added.ok()) return Err(added);
  (void)txn->Commit();
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteStore::ClickTotals() {
  std::vector<BatchedWriter::ClickGroup> queued = writer_->ClickOverlay(nullptr);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/false);
  if (!txn) return Err(txn.error());
  std::map<std::string, int64_t> totals;
  {
    Result<Stmt> s = c.Prepare(
        "SELECT paper_id, SUM(n) AS total FROM clicks GROUP BY paper_id HAVING total > 0 "
        "ORDER BY paper_id");
    if (!s) return Err(s.error());
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) totals.emplace_hint(totals.end(), s->Text(0), s->Int(1));
    if (rc != SQLITE_DONE) return Err(c.Error("reading click totals"));
  }
  Status added = AddQueuedClicks(c, *writer_, queued,
                                 [&](const auto& k, int64_t n) { totals[k.first] += n; });
  if (!added.ok()) return Err(added);
  (void)txn->Commit();
  std::vector<std::pair<std::string, int64_t>> out;
  out.reserve(totals.size());
  for (auto& [id, n] : totals) {
    if (n > 0) out.emplace_back(id, n);
  }
  return out;
}

Result<std::optional<DayStatus>> SqliteStore::GetDayStatus(const std::string& category,
                                                           const std::string& day) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s =
      (*r)->Prepare("SELECT expected, stored FROM day_status WHERE category = ?1 AND day = ?2");
  if (!s) return Err(s.error());
  s->Bind(1, category, true);
  s->Bind(2, day, true);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<DayStatus>();
  if (rc != SQLITE_ROW) return Err((*r)->Error("reading day status"));
  return std::optional<DayStatus>(
      DayStatus{category, day, static_cast<int>(s->Int(0)), static_cast<int>(s->Int(1))});
}

Result<std::optional<std::string>> SqliteStore::GetState(const std::string& key) {
  if (auto queued = writer_->PendingState(key)) return *queued;  // nullopt: a queued deletion
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare("SELECT value FROM state WHERE key = ?1");
  if (!s) return Err(s.error());
  s->Bind(1, key, true);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Err((*r)->Error("reading state " + key));
  return std::optional<std::string>(s->Text(0));
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::ListState(
    const std::string& prefix) {
  // Queued writes first, then the snapshot: a batch leaves the writer's in-flight set only after
  // it committed, so every write is in one or the other (the queued value wins, as in GetState).
  std::map<std::string, std::optional<std::string>> queued = writer_->PendingStates(prefix);
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  // Keys in [prefix, prefix + U+10FFFF): a range scan of the primary key.
  Result<Stmt> s = (*r)->Prepare(
      "SELECT key, value FROM state WHERE key >= ?1 AND key < ?1 || char(1114111) ORDER BY key");
  if (!s) return Err(s.error());
  s->Bind(1, prefix, true);
  std::map<std::string, std::string> found;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) found.emplace(s->Text(0), s->Text(1));
  if (rc != SQLITE_DONE) return Err((*r)->Error("listing state " + prefix + "*"));
  // Writes still queued for the writer are newer than the snapshot (read-your-writes).
  for (auto& [key, value] : queued) {
    if (value) {
      found[key] = std::move(*value);
    } else {
      found.erase(key);
    }
  }
  return std::vector<std::pair<std::string, std::string>>(found.begin(), found.end());
}

Result<std::optional<FaqRecord>> SqliteStore::GetFaq(const std::string& paper_id, int version,
                                                     const std::string& lang,
                                                     const std::string& model, int prompt_version) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(
      "SELECT content_json, source, tokens, created FROM faqs WHERE paper_id = ?1 AND "
      "version = ?2 AND lang = ?3 AND model = ?4 AND prompt_version = ?5");
  if (!s) return Err(s.error());
  s->Bind(1, paper_id, true);
  s->Bind(2, static_cast<int64_t>(version));
  s->Bind(3, lang, true);
  s->Bind(4, model, true);
  s->Bind(5, static_cast<int64_t>(prompt_version));
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<FaqRecord>();
  if (rc != SQLITE_ROW) return Err((*r)->Error("reading FAQ of " + paper_id));
  FaqRecord f = FaqOfKey(paper_id, version, lang, model, prompt_version);
  f.content_json = s->Text(0);
  f.source = s->Text(1);
  f.tokens = s->Int(2);
  f.created = s->Text(3);
  return std::optional<FaqRecord>(std::move(f));
}

namespace {

constexpr size_t kFaqIdsPerQuery = 500;

// "SELECT ... WHERE paper_id IN (?1, ..., ?500)": a fixed parameter count keeps one cached
// statement; unused parameters stay NULL, which matches nothing.
std::string FaqTextsSql() {
  std::string sql =
      "SELECT paper_id, lang, content_json FROM faqs WHERE paper_id IN (";
  for (size_t i = 1; i <= kFaqIdsPerQuery; ++i) {
    if (i > 1) sql += ", ";
    sql += '?' + std::to_string(i);
  }
  sql += ") ORDER BY paper_id, lang, created DESC, version DESC, prompt_version DESC, model";
  return sql;
}

}  // namespace

Result<std::unordered_map<std::string, std::string>> SqliteStore::FaqTexts(
    const std::vector<std::string>& paper_ids) {
  std::unordered_map<std::string, std::string> out;
  if (paper_ids.empty()) return out;
  // Each id once, so no paper's text is read (and appended) twice across chunks.
  std::vector<std::string_view> ids;
  ids.reserve(paper_ids.size());
  std::unordered_set<std::string_view> seen;
  for (const std::string& id : paper_ids) {
    if (seen.insert(id).second) ids.push_back(id);
  }
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  static const std::string kSql = FaqTextsSql();
  for (size_t begin = 0; begin < ids.size(); begin += kFaqIdsPerQuery) {
    size_t end = std::min(ids.size(), begin + kFaqIdsPerQuery);
    Result<Stmt> s = (*r)->Prepare(kSql);
    if (!s) return Err(s.error());
    for (size_t i = begin; i < end; ++i) {
      s->Bind(static_cast<int>(i - begin) + 1, ids[i], true);
    }
    std::string last_paper, last_lang;
    int rc;
    while ((rc = s->Step()) == SQLITE_ROW) {
      std::string paper = s->Text(0), lang = s->Text(1);
      if (paper == last_paper && lang == last_lang) continue;  // an older FAQ of that language
      last_paper = paper;
      last_lang = lang;
      std::string text;
      AppendFaqText(s->TextView(2), text);
      if (text.empty()) continue;
      std::string& dst = out[paper];
      if (!dst.empty()) dst += '\n';
      dst += text;
    }
    if (rc != SQLITE_DONE) return Err((*r)->Error("reading FAQ texts"));
  }
  return out;
}

Result<int64_t> SqliteStore::ChangeSeq() {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  return ReadChangeSeq(**r);
}

Result<std::vector<std::pair<int64_t, Paper>>> SqliteStore::ChangedSince(int64_t after_seq,
                                                                         int limit) {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(std::string("SELECT seq, ") + kPaperColumns +
                                 " FROM papers WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!s) return Err(s.error());
  s->Bind(1, after_seq);
  s->Bind(2, static_cast<int64_t>(std::max(limit, 0)));
  std::vector<std::pair<int64_t, Paper>> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.emplace_back(s->Int(0), ReadPaper(*s, 1));
  if (rc != SQLITE_DONE) return Err((*r)->Error("reading changes"));
  return out;
}

Result<StoreStats> SqliteStore::Stats() {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Connection& c = **r;
  Result<Transaction> txn = Transaction::Begin(c, /*immediate=*/false);
  if (!txn) return Err(txn.error());
  Result<Stmt> s = c.Prepare(
      "SELECT (SELECT COUNT(*) FROM papers), (SELECT COUNT(*) FROM memberships), "
      "(SELECT COUNT(DISTINCT day) FROM memberships), "
      "(SELECT COUNT(DISTINCT category) FROM memberships), (SELECT COUNT(*) FROM faqs), "
      "(SELECT value FROM change_seq WHERE id = 1), "
      "(SELECT MIN(day) FROM memberships), (SELECT MAX(day) FROM memberships)");
  if (!s) return Err(s.error());
  if (s->Step() != SQLITE_ROW) return Err(c.Error("reading stats"));
  StoreStats st;
  st.papers = s->Int(0);
  st.memberships = s->Int(1);
  st.days = s->Int(2);
  st.categories = s->Int(3);
  st.faqs = s->Int(4);
  st.change_seq = s->Int(5);
  st.first_day = s->Text(6);
  st.last_day = s->Text(7);
  return st;
}

Result<std::vector<CategoryStats>> SqliteStore::CategoryCounts() {
  Result<ReaderLease> r = Reader();
  if (!r) return Err(r.error());
  Result<Stmt> s = (*r)->Prepare(
      "SELECT category, COUNT(DISTINCT paper_id) AS n, MIN(day), MAX(day) FROM memberships "
      "WHERE type <= 1 GROUP BY category ORDER BY n DESC, category");
  if (!s) return Err(s.error());
  std::vector<CategoryStats> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    out.push_back({s->Text(0), s->Int(1), s->Text(2), s->Text(3)});
  }
  if (rc != SQLITE_DONE) return Err((*r)->Error("reading category counts"));
  return out;
}

}  // namespace coolpapers::store::sqlite
