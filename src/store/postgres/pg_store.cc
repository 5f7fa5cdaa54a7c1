#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "store/faq_content.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_rows.h"
#include "store/store_rows.h"

namespace coolpapers::store::postgres {

// ---- Change sequence ----
//
// One row, change_seq(id = 1). Every write transaction that changes what lists or derived
// indexes show takes that row's lock (SELECT ... FOR UPDATE first thing, or the UPDATE that
// bumps it), numbers the rows it writes after the value it read, and writes the new value in the
// same transaction. The lock is held until commit, so such transactions commit one after the
// other in sequence order: once any node can see change_seq = N or a row with seq N, every
// transaction that used a number <= N has committed and is visible to its next statement. A
// node following ChangedSince(after) therefore never misses a row committed later with a lower
// number, which a sequence object (nextval is not transactional: numbers are taken in one
// order and committed in another) could not promise. Reading the value (ChangeSeq, polled every
// second by every node) takes no lock: one primary-key read.

int64_t LockChangeSeq(pqxx::work& w) {
  return w.exec("SELECT value FROM change_seq WHERE id = 1 FOR UPDATE")[0][0].as<int64_t>();
}

void WriteChangeSeq(pqxx::work& w, int64_t value) {
  w.exec_params("UPDATE change_seq SET value = $1 WHERE id = 1", value);
}

// ---- rows ----

Paper ReadPaper(const pqxx::row& r, int c) {
  Paper p;
  p.id = Text(r[c]);
  p.version = r[c + 1].as<int>();
  p.title = Text(r[c + 2]);
  p.abstract = Text(r[c + 3]);
  p.authors = core::Split(TextView(r[c + 4]), '\n');
  p.categories = core::Split(TextView(r[c + 5]), ' ');
  p.comments = Text(r[c + 6]);
  p.journal_ref = Text(r[c + 7]);
  p.doi = Text(r[c + 8]);
  p.published = Text(r[c + 9]);
  p.updated = Text(r[c + 10]);
  return p;
}

namespace {

constexpr auto kFlushInterval = std::chrono::seconds(1);

std::vector<std::string> ToVector(std::span<const std::string> ids) {
  return std::vector<std::string>(ids.begin(), ids.end());
}

}  // namespace

// ---- opening ----

PostgresStore::PostgresStore(const std::string& url, size_t pool_size)
    : pool_(url, pool_size), flusher_([this] { FlushLoop(); }) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                           size_t pool_size) {
  Result<std::unique_ptr<pqxx::connection>> c = Connect(url);
  if (!c) return Err(c.error());
  try {
    pqxx::nontransaction n(**c);
    n.exec("SET client_min_messages = warning");
  } catch (const std::exception& e) {
    return Err(PgError("opening the store at " + RedactUrl(url), e));
  }
  Status st = Migrate(**c, "store", StoreSchemaSteps());
  if (!st.ok()) {
    return Err(Status(st.code(), "opening the store at " + RedactUrl(url) + ": " + st.message()));
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(url, pool_size));
}

PostgresStore::~PostgresStore() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  (void)FlushClicks();  // best effort: the destructor cannot report
}

Result<int> PostgresStore::SchemaVersion() {
  int version = 0;
  Status st = pool_.Run("reading the schema version", [&](pqxx::connection& c) -> Status {
    Result<int> v = postgres::SchemaVersion(c, "store");
    if (!v) return v.error();
    version = *v;
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return version;
}

// ---- writes ----

Result<UpsertCounts> PostgresStore::Upsert(std::span<const Paper> papers,
                                           std::span<const Membership> memberships) {
  if (Status st = ValidateUpsert(papers, memberships); !st.ok()) return Err(st);
  UpsertCounts counts;
  Status st = pool_.Run("writing " + std::to_string(papers.size()) + " papers",
                        [&](pqxx::connection& c) -> Status {
                          pqxx::work w(c);
                          const int64_t seq0 = LockChangeSeq(w);
                          int64_t seq = seq0;
                          counts = MergePapers(w, papers, memberships, &seq);
                          if (seq != seq0) WriteChangeSeq(w, seq);
                          w.commit();
                          return Status::Ok();
                        });
  if (!st.ok()) return Err(st);
  return counts;
}

Status PostgresStore::SetDayStatus(const DayStatus& d) {
  return pool_.Run("writing the status of " + d.category + " " + d.day,
                   [&](pqxx::connection& c) -> Status {
                     pqxx::work w(c);
                     pqxx::result r = w.exec_params(
                         "INSERT INTO day_status (category, day, expected, stored) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (category, day) DO UPDATE SET "
                         "expected = EXCLUDED.expected, stored = EXCLUDED.stored "
                         "WHERE (day_status.expected, day_status.stored) IS DISTINCT FROM "
                         "(EXCLUDED.expected, EXCLUDED.stored)",
                         d.category, d.day, d.expected, d.stored);
                     // Completeness is shown on list pages: let caches see it.
                     if (r.affected_rows() > 0) {
                       w.exec("UPDATE change_seq SET value = value + 1 WHERE id = 1");
                     }
                     w.commit();
                     return Status::Ok();
                   });
}

Status PostgresStore::SetState(const std::string& key, const std::string& value) {
  if (key.empty()) return Status::InvalidArgument("state key is empty");
  return pool_.Run("writing state " + key, [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    n.exec_params(
        "INSERT INTO state (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        key, value);
    return Status::Ok();
  });
}

Status PostgresStore::DeleteState(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("state key is empty");
  return pool_.Run("deleting state " + key, [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    n.exec_params("DELETE FROM state WHERE key = $1", key);
    return Status::Ok();
  });
}

Status PostgresStore::PutFaq(const FaqRecord& f) {
  if (f.paper_id.empty() || f.lang.empty()) {
    return Status::InvalidArgument("FAQ needs a paper id and a language");
  }
  return pool_.Run("writing the FAQ of " + f.paper_id, [&](pqxx::connection& c) -> Status {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "INSERT INTO faqs (paper_id, version, lang, model, prompt_version, content_json, "
        "source, tokens, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (paper_id, version, lang, model, prompt_version) DO UPDATE SET "
        "content_json = EXCLUDED.content_json, source = EXCLUDED.source, "
        "tokens = EXCLUDED.tokens, created = EXCLUDED.created "
        "WHERE (faqs.content_json, faqs.source, faqs.tokens, faqs.created) IS DISTINCT FROM "
        "(EXCLUDED.content_json, EXCLUDED.source, EXCLUDED.tokens, EXCLUDED.created)",
        f.paper_id, f.version, f.lang, f.model, f.prompt_version, f.content_json, f.source,
        static_cast<long long>(f.tokens), f.created);
    if (r.affected_rows() == 0) return Status::Ok();  // identical FAQ: nothing to re-index
    // FAQ text is part of the paper's search document: move the paper up the change feed. The
    // bump takes the change_seq lock (see "Change sequence").
    int64_t seq =
        w.exec("UPDATE change_seq SET value = value + 1 WHERE id = 1 RETURNING value")[0][0]
            .as<int64_t>();
    w.exec_params("UPDATE papers SET seq = $2 WHERE id = $1", f.paper_id,
                  static_cast<long long>(seq));
    w.commit();
    return Status::Ok();
  });
}

// ---- clicks ----

Status PostgresStore::AddClick(const std::string& paper_id, const std::string& kind) {
  if (kind != "pdf" && kind != "kimi" && kind != "copy" && kind != "rel") {
    return Status::InvalidArgument("unknown click kind '" + kind + "'; use pdf, kimi, copy or rel");
  }
  if (paper_id.empty()) return Status::InvalidArgument("click without a paper id");
  std::lock_guard<std::mutex> lock(queue_mu_);
  ++queued_clicks_[{paper_id, kind}];
  return Status::Ok();
}

void PostgresStore::FlushLoop() {
  std::unique_lock<std::mutex> lock(queue_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, kFlushInterval, [&] { return stopping_; });
    if (stopping_) break;
    if (queued_clicks_.empty()) continue;
    lock.unlock();
    (void)FlushClicks();  // a failed batch stays queued for the next round
    lock.lock();
  }
}

Status PostgresStore::FlushClicks() {
  std::unique_lock<std::shared_mutex> flushing(flush_mu_);
  std::map<ClickKey, int64_t> batch;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    batch.swap(queued_clicks_);
  }
  if (batch.empty()) return Status::Ok();
  std::vector<std::string> ids, kinds, counts;
  for (const auto& [k, n] : batch) {
    ids.push_back(k.first);
    kinds.push_back(k.second);
    counts.push_back(std::to_string(n));
  }
  Status st = pool_.Run("writing " + std::to_string(batch.size()) + " click counters",
                        [&](pqxx::connection& c) -> Status {
                          pqxx::nontransaction n(c);  // one statement: atomic by itself
                          n.exec_params(
                              "INSERT INTO clicks (paper_id, kind, n) SELECT * FROM "
                              "unnest($1::text[], $2::text[], $3::bigint[]) "
                              "ON CONFLICT (paper_id, kind) DO UPDATE SET n = clicks.n + "
                              "EXCLUDED.n",
                              TextArray(ids), TextArray(kinds), TextArray(counts));
                          return Status::Ok();
                        });
  if (!st.ok()) {  // back to the queue, merged with what came meanwhile
    std::lock_guard<std::mutex> lock(queue_mu_);
    for (const auto& [k, n] : batch) queued_clicks_[k] += n;
  }
  return st;
}

Status PostgresStore::Flush() { return FlushClicks(); }

template <class F>
void PostgresStore::ForQueuedClicks(F&& add) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  for (const auto& [k, n] : queued_clicks_) add(k, n);
}

Result<std::map<std::string, ClickCounts>> PostgresStore::GetClicks(
    std::span<const std::string> paper_ids) {
  std::map<std::string, ClickCounts> out;
  for (const std::string& id : paper_ids) out[id];
  if (paper_ids.empty()) return out;
  std::shared_lock<std::shared_mutex> reading(flush_mu_);  // no flush between table and queue
  Status st = pool_.Run("reading clicks", [&](pqxx::connection& c) -> Status {
    for (auto& [id, cc] : out) cc = ClickCounts();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        "SELECT paper_id, kind, n FROM clicks WHERE paper_id = ANY($1::text[])",
        TextArray(ToVector(paper_ids)));
    for (const auto& row : r) AddKind(out[Text(row[0])], TextView(row[1]), row[2].as<int64_t>());
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  ForQueuedClicks([&](const ClickKey& k, int64_t n) {
    auto it = out.find(k.first);
    if (it != out.end()) AddKind(it->second, k.second, n);
  });
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> PostgresStore::ClickTotals() {
  std::map<std::string, int64_t> totals;
  std::shared_lock<std::shared_mutex> reading(flush_mu_);
  Status st = pool_.Run("reading click totals", [&](pqxx::connection& c) -> Status {
    totals.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec(
        "SELECT paper_id, SUM(n) FROM clicks GROUP BY paper_id HAVING SUM(n) > 0 "
        "ORDER BY paper_id");
    for (const auto& row : r) totals.emplace_hint(totals.end(), Text(row[0]), row[1].as<int64_t>());
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  ForQueuedClicks([&](const ClickKey& k, int64_t n) { totals[k.first] += n; });
  std::vector<std::pair<std::string, int64_t>> out;
  out.reserve(totals.size());
  for (auto& [id, n] : totals) {
    if (n > 0) out.emplace_back(id, n);
  }
  return out;
}

// ---- reads ----

Result<std::optional<Paper>> PostgresStore::GetPaper(const std::string& id) {
  std::optional<Paper> out;
  Status st = pool_.Run("reading paper " + id, [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    pqxx::result r =
        n.exec_params(std::string("SELECT ") + kPaperColumns + " FROM papers WHERE id = $1", id);
    out.reset();
    if (!r.empty()) out = ReadPaper(r[0], 0);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::vector<Paper>> PostgresStore::GetPapers(std::span<const std::string> ids) {
  std::unordered_map<std::string, Paper> found;
  if (!ids.empty()) {
    Status st = pool_.Run("reading papers", [&](pqxx::connection& c) -> Status {
      found.clear();
      pqxx::nontransaction n(c);
      pqxx::result r = n.exec_params(
          std::string("SELECT ") + kPaperColumns + " FROM papers WHERE id = ANY($1::text[])",
          TextArray(ToVector(ids)));
      for (const auto& row : r) {
        Paper p = ReadPaper(row, 0);
        std::string id = p.id;
        found.emplace(std::move(id), std::move(p));
      }
      return Status::Ok();
    });
    if (!st.ok()) return Err(st);
  }
  return InIdOrder(ids, found);
}

Result<std::vector<ListEntry>> PostgresStore::ListDay(const ListQuery& q) {
  if (q.include.empty()) return std::vector<ListEntry>();
  ListCategories categories(q);
  // One statement (one snapshot): the memberships of the day with their stored papers.
  std::unordered_map<std::string, std::pair<ListCandidate, Paper>> best;
  Status st = pool_.Run("listing day " + q.day, [&](pqxx::connection& c) -> Status {
    best.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        "SELECT m.category, m.type, m.position, p.id, p.version, p.title, p.abstract, "
        "p.authors, p.categories, p.comments, p.journal_ref, p.doi, p.published, p.updated "
        "FROM memberships m JOIN papers p ON p.id = m.paper_id "
        "WHERE m.category = ANY($1::text[]) AND m.day = $2 AND m.type <= $3",
        TextArray(q.include), q.day, q.include_replacements ? 3 : 1);
    for (const auto& row : r) {
      ListCandidate cand = categories.Candidate(Text(row[0]), row[1].as<int>(), row[2].as<int>());
      std::string id = Text(row[3]);
      auto it = best.find(id);
      if (it == best.end()) {
        best.emplace(std::move(id), std::make_pair(std::move(cand), ReadPaper(row, 3)));
      } else if (cand.key() < it->second.first.key()) {
        it->second.first = std::move(cand);
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);

  std::vector<std::pair<ListCandidate, Paper>> rows;
  rows.reserve(best.size());
  for (auto& [id, cp] : best) rows.push_back(std::move(cp));
  return RankListing(q, std::move(rows));
}

Result<std::vector<DayCount>> PostgresStore::Days(std::span<const std::string> categories) {
  std::vector<DayCount> out;
  Status st = pool_.Run("listing days", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    pqxx::result r =
        categories.empty()
            ? n.exec(
                  "SELECT day, COUNT(DISTINCT paper_id) FROM memberships WHERE type <= 1 "
                  "GROUP BY day ORDER BY day DESC")
            : n.exec_params(
                  "SELECT day, COUNT(DISTINCT paper_id) FROM memberships "
                  "WHERE category = ANY($1::text[]) AND type <= 1 "
                  "GROUP BY day ORDER BY day DESC",
                  TextArray(ToVector(categories)));
    for (const auto& row : r) out.push_back({Text(row[0]), row[1].as<int>()});
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::optional<std::string>> PostgresStore::LatestDay(
    std::span<const std::string> categories) {
  std::optional<std::string> out;
  Status st = pool_.Run("reading the latest day", [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    // Per category the max is one index seek on (category, day).
    pqxx::result r = categories.empty()
                         ? n.exec("SELECT MAX(day) FROM memberships")
                         : n.exec_params(
                               "SELECT MAX((SELECT MAX(day) FROM memberships m "
                               "WHERE m.category = c)) FROM unnest($1::text[]) AS c",
                               TextArray(ToVector(categories)));
    out.reset();
    if (!r[0][0].is_null()) out = Text(r[0][0]);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::vector<Membership>> PostgresStore::MembershipsOf(const std::string& paper_id) {
  std::vector<Membership> out;
  Status st = pool_.Run("reading memberships of " + paper_id, [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        "SELECT category, day, type, position FROM memberships WHERE paper_id = $1 "
        "ORDER BY day, type, category",
        paper_id);
    for (const auto& row : r) {
      Membership m;
      m.paper_id = paper_id;
      m.category = Text(row[0]);
      m.day = Text(row[1]);
      m.type = static_cast<AnnounceType>(std::clamp(row[2].as<int>(), 0, 3));
      m.position = row[3].as<int>();
      out.push_back(std::move(m));
    }
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::optional<DayStatus>> PostgresStore::GetDayStatus(const std::string& category,
                                                             const std::string& day) {
  std::optional<DayStatus> out;
  Status st = pool_.Run("reading day status", [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        "SELECT expected, stored FROM day_status WHERE category = $1 AND day = $2", category, day);
    out.reset();
    if (!r.empty()) out = DayStatus{category, day, r[0][0].as<int>(), r[0][1].as<int>()};
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::optional<std::string>> PostgresStore::GetState(const std::string& key) {
  std::optional<std::string> out;
  Status st = pool_.Run("reading state " + key, [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params("SELECT value FROM state WHERE key = $1", key);
    out.reset();
    if (!r.empty()) out = Text(r[0][0]);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> PostgresStore::ListState(
    const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  Status st = pool_.Run("listing state " + prefix + "*", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    // starts_with, not LIKE: the prefix may hold '%' or '_'.
    pqxx::result r = n.exec_params(
        "SELECT key, value FROM state WHERE starts_with(key, $1) ORDER BY key", prefix);
    for (const auto& row : r) out.emplace_back(Text(row[0]), Text(row[1]));
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::optional<FaqRecord>> PostgresStore::GetFaq(const std::string& paper_id, int version,
                                                       const std::string& lang,
                                                       const std::string& model,
                                                       int prompt_version) {
  std::optional<FaqRecord> out;
  Status st = pool_.Run("reading the FAQ of " + paper_id, [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(
        "SELECT content_json, source, tokens, created FROM faqs WHERE paper_id = $1 AND "
        "version = $2 AND lang = $3 AND model = $4 AND prompt_version = $5",
        paper_id, version, lang, model, prompt_version);
    out.reset();
    if (r.empty()) return Status::Ok();
    FaqRecord f = FaqOfKey(paper_id, version, lang, model, prompt_version);
    f.content_json = Text(r[0][0]);
    f.source = Text(r[0][1]);
    f.tokens = r[0][2].as<int64_t>();
    f.created = Text(r[0][3]);
    out = std::move(f);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<std::unordered_map<std::string, std::string>> PostgresStore::FaqTexts(
    const std::vector<std::string>& paper_ids) {
  std::unordered_map<std::string, std::string> out;
  if (paper_ids.empty()) return out;
  Status st = pool_.Run("reading FAQ texts", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    // Per paper and language the newest record only (DISTINCT ON keeps the first of each).
    pqxx::result r = n.exec_params(
        "SELECT DISTINCT ON (paper_id, lang) paper_id, content_json FROM faqs "
        "WHERE paper_id = ANY($1::text[]) "
        "ORDER BY paper_id, lang, created DESC, version DESC, prompt_version DESC, model",
        TextArray(paper_ids));
    for (const auto& row : r) {
      std::string text;
      AppendFaqText(TextView(row[1]), text);
      if (text.empty()) continue;
      std::string& dst = out[Text(row[0])];
      if (!dst.empty()) dst += '\n';
      dst += text;
    }
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<int64_t> PostgresStore::ChangeSeq() {
  int64_t seq = 0;
  Status st = pool_.Run("reading the change sequence", [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    seq = n.exec("SELECT value FROM change_seq WHERE id = 1")[0][0].as<int64_t>();
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return seq;
}

Result<std::vector<std::pair<int64_t, Paper>>> PostgresStore::ChangedSince(int64_t after_seq,
                                                                           int limit) {
  std::vector<std::pair<int64_t, Paper>> out;
  Status st = pool_.Run("reading changes", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params(std::string("SELECT seq, ") + kPaperColumns +
                                       " FROM papers WHERE seq > $1 ORDER BY seq LIMIT $2",
                                   static_cast<long long>(after_seq), std::max(limit, 0));
    out.reserve(r.size());
    for (const auto& row : r) out.emplace_back(row[0].as<int64_t>(), ReadPaper(row, 1));
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

Result<StoreStats> PostgresStore::Stats() {
  StoreStats s;
  Status st = pool_.Run("reading stats", [&](pqxx::connection& c) -> Status {
    pqxx::nontransaction n(c);
    pqxx::row r = n.exec(
        "SELECT (SELECT COUNT(*) FROM papers), (SELECT COUNT(*) FROM memberships), "
        "(SELECT COUNT(DISTINCT day) FROM memberships), "
        "(SELECT COUNT(DISTINCT category) FROM memberships), (SELECT COUNT(*) FROM faqs), "
        "(SELECT value FROM change_seq WHERE id = 1), "
        "(SELECT coalesce(MIN(day), '') FROM memberships), "
        "(SELECT coalesce(MAX(day), '') FROM memberships)")[0];
    s.papers = r[0].as<int64_t>();
    s.memberships = r[1].as<int64_t>();
    s.days = r[2].as<int64_t>();
    s.categories = r[3].as<int64_t>();
    s.faqs = r[4].as<int64_t>();
    s.change_seq = r[5].as<int64_t>();
    s.first_day = Text(r[6]);
    s.last_day = Text(r[7]);
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return s;
}

Result<std::vector<CategoryStats>> PostgresStore::CategoryCounts() {
  std::vector<CategoryStats> out;
  Status st = pool_.Run("reading category counts", [&](pqxx::connection& c) -> Status {
    out.clear();
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec(
        "SELECT category, COUNT(DISTINCT paper_id) AS n, MIN(day), MAX(day) FROM memberships "
        "WHERE type <= 1 GROUP BY category ORDER BY n DESC, category");
    for (const auto& row : r) {
      out.push_back({Text(row[0]), row[1].as<int64_t>(), Text(row[2]), Text(row[3])});
    }
    return Status::Ok();
  });
  if (!st.ok()) return Err(st);
  return out;
}

}  // namespace coolpapers::store::postgres
