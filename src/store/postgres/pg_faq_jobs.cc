#include "store/postgres/pg_faq_jobs.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {
namespace {

// Never edit a step that has shipped: append a new one.
constexpr std::array<const char*, 1> kFaqJobsSteps = {
    // 1: the jobs, the per-client start buckets and the daily token usage.
    "CREATE TABLE faq_jobs ("
    " key TEXT PRIMARY KEY,"
    " paper_id TEXT NOT NULL, version INTEGER NOT NULL, lang TEXT NOT NULL,"
    " priority INTEGER NOT NULL DEFAULT 2,"
    " state TEXT NOT NULL DEFAULT 'new',"  // new | running | complete | failed
    " owner TEXT NOT NULL DEFAULT '',"
    " generation BIGINT NOT NULL DEFAULT 0,"
    " lease_until TIMESTAMPTZ NOT NULL DEFAULT now(),"
    " items_json TEXT NOT NULL DEFAULT '[]',"
    " answered INTEGER NOT NULL DEFAULT 0,"
    " tokens BIGINT NOT NULL DEFAULT 0,"
    " source TEXT NOT NULL DEFAULT '',"
    " created TEXT NOT NULL DEFAULT '',"
    " error TEXT NOT NULL DEFAULT '',"
    " updated TIMESTAMPTZ NOT NULL DEFAULT now());"
    "CREATE INDEX faq_jobs_running_lease ON faq_jobs (lease_until) WHERE state = 'running';"
    "CREATE TABLE faq_client_starts ("
    " client TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, updated TIMESTAMPTZ NOT NULL);"
    "CREATE TABLE faq_token_usage (day TEXT PRIMARY KEY, used BIGINT NOT NULL);",
};

constexpr const char* kJobColumns =
    "key, paper_id, version, lang, priority, state, owner, generation,"
    " (state = 'running' AND lease_until > now()) AS live, items_json, answered, tokens, source,"
    " created, error";

SharedFaqJob RowToJob(const pqxx::row& r) {
  SharedFaqJob j;
  j.spec.key = r[0].as<std::string>();
  j.spec.paper_id = r[1].as<std::string>();
  j.spec.version = r[2].as<int>();
  j.spec.lang = r[3].as<std::string>();
  j.spec.priority = r[4].as<int>();
  const std::string state = r[5].as<std::string>();
  j.state = state == "complete" ? SharedFaqJob::State::kComplete
            : state == "failed" ? SharedFaqJob::State::kFailed
                                : SharedFaqJob::State::kRunning;
  j.owner = r[6].as<std::string>();
  j.generation = r[7].as<int64_t>();
  j.lease_live = r[8].as<bool>();
  j.items_json = r[9].as<std::string>();
  j.answered = r[10].as<int>();
  j.tokens = r[11].as<int64_t>();
  j.source = r[12].as<std::string>();
  j.created = r[13].as<std::string>();
  j.error = r[14].as<std::string>();
  return j;
}

std::string LeaseSql(std::chrono::seconds lease) {
  return "now() + interval '" + std::to_string(lease.count()) + " seconds'";
}

}  // namespace

PgFaqJobs::PgFaqJobs(std::string url, std::string node_id, std::chrono::seconds lease,
                     std::unique_ptr<pqxx::connection> conn)
    : url_(std::move(url)),
      node_id_(std::move(node_id)),
      lease_(lease),
      conn_(std::move(conn)) {}

Result<std::unique_ptr<PgFaqJobs>> PgFaqJobs::Open(const std::string& url, std::string node_id,
                                                   std::chrono::seconds lease) {
  lease = std::clamp(lease, std::chrono::seconds(1), std::chrono::seconds(60));
  Result<std::unique_ptr<pqxx::connection>> c = Connect(url);
  if (!c) return Err(c.error());
  if (Status st = Migrate(**c, "faq_jobs", kFaqJobsSteps); !st.ok()) return Err(st);
  return std::unique_ptr<PgFaqJobs>(
      new PgFaqJobs(url, std::move(node_id), lease, *std::move(c)));
}

Result<pqxx::connection*> PgFaqJobs::ConnLocked() {
  if (conn_ && conn_->is_open()) return conn_.get();
  conn_.reset();
  Result<std::unique_ptr<pqxx::connection>> c = Connect(url_);
  if (!c) return Err(c.error());
  conn_ = *std::move(c);
  return conn_.get();
}

template <class T, class F>
Result<T> PgFaqJobs::Run(const char* doing, F fn) {
  std::lock_guard lock(mu_);
  Result<pqxx::connection*> c = ConnLocked();
  if (!c) return Err(c.error());
  try {
    return fn(**c);
  } catch (const pqxx::broken_connection& e) {
    conn_.reset();
    return Err(PgError(doing, e));
  } catch (const std::exception& e) {
    return Err(PgError(doing, e));
  }
}

Result<ClaimResult> PgFaqJobs::Claim(const SharedFaqJobSpec& spec, bool restart) {
  return Run<ClaimResult>("claiming a FAQ job",
                          [&](pqxx::connection& c) -> Result<ClaimResult> {
    pqxx::work w(c);
    w.exec_params(
        "INSERT INTO faq_jobs (key, paper_id, version, lang, priority) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (key) DO NOTHING",
        spec.key, spec.paper_id, spec.version, spec.lang, spec.priority);
    pqxx::result r = w.exec_params(std::string("SELECT ") + kJobColumns +
                                       " FROM faq_jobs WHERE key = $1 FOR UPDATE SKIP LOCKED",
                                   spec.key);
    ClaimResult out;
    if (r.empty()) return out;  // another node is claiming it right now
    SharedFaqJob row = RowToJob(r[0]);
    if (row.state == SharedFaqJob::State::kRunning && row.lease_live && row.owner != node_id_) {
      out.job = std::move(row);
      return out;
    }
    if (row.state == SharedFaqJob::State::kComplete && !restart) {
      out.outcome = ClaimOutcome::kFinished;
      out.job = std::move(row);
      return out;
    }
    // Resume the partial answer of a running job whose owner is gone; start over otherwise.
    const bool resume = row.state == SharedFaqJob::State::kRunning;
    pqxx::result u = w.exec_params(
        std::string("UPDATE faq_jobs SET state = 'running', owner = $2,"
                    " generation = generation + 1, lease_until = ") +
            LeaseSql(lease_) +
            ", priority = LEAST(priority, $3), error = '', updated = now()" +
            (resume ? "" : ", items_json = '[]', answered = 0, tokens = 0, source = '',"
                           " created = ''") +
            " WHERE key = $1 RETURNING " + kJobColumns,
        spec.key, node_id_, spec.priority);
    w.commit();
    out.outcome = ClaimOutcome::kClaimed;
    out.job = RowToJob(u[0]);
    return out;
  });
}

Result<bool> PgFaqJobs::Renew(const std::string& key, int64_t generation) {
  return Run<bool>("renewing a FAQ job's lease", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "UPDATE faq_jobs SET lease_until = " + LeaseSql(lease_) +
            " WHERE key = $1 AND generation = $2 AND owner = $3 AND state = 'running'",
        key, generation, node_id_);
    w.commit();
    return r.affected_rows() == 1;
  });
}

Result<bool> PgFaqJobs::Progress(const std::string& key, int64_t generation,
                                 const SharedFaqProgress& p) {
  return Run<bool>("storing a FAQ job's partial answer", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "UPDATE faq_jobs SET lease_until = " + LeaseSql(lease_) +
            ", items_json = $4, answered = $5, tokens = $6, source = $7, updated = now()"
            " WHERE key = $1 AND generation = $2 AND owner = $3 AND state = 'running'",
        key, generation, node_id_, p.items_json, p.answered, p.tokens, p.source);
    w.commit();
    return r.affected_rows() == 1;
  });
}

Result<bool> PgFaqJobs::Complete(const std::string& key, int64_t generation,
                                 const SharedFaqProgress& p, const std::string& created) {
  return Run<bool>("completing a FAQ job", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "UPDATE faq_jobs SET state = 'complete', lease_until = now(), items_json = $4,"
        " answered = $5, tokens = $6, source = $7, created = $8, updated = now()"
        " WHERE key = $1 AND generation = $2 AND owner = $3 AND state = 'running'",
        key, generation, node_id_, p.items_json, p.answered, p.tokens, p.source, created);
    w.commit();
    return r.affected_rows() == 1;
  });
}

Result<bool> PgFaqJobs::Fail(const std::string& key, int64_t generation, const std::string& error) {
  return Run<bool>("recording a failed FAQ job", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "UPDATE faq_jobs SET state = 'failed', lease_until = now(), error = $4, updated = now()"
        " WHERE key = $1 AND generation = $2 AND owner = $3 AND state = 'running'",
        key, generation, node_id_, error);
    w.commit();
    return r.affected_rows() == 1;
  });
}

Result<bool> PgFaqJobs::Release(const std::string& key, int64_t generation) {
  return Run<bool>("releasing a FAQ job", [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "UPDATE faq_jobs SET lease_until = now() - interval '1 second', updated = now()"
        " WHERE key = $1 AND generation = $2 AND owner = $3 AND state = 'running'",
        key, generation, node_id_);
    w.commit();
    return r.affected_rows() == 1;
  });
}

Result<std::optional<SharedFaqJob>> PgFaqJobs::Get(const std::string& key) {
  return Run<std::optional<SharedFaqJob>>(
      "reading a FAQ job", [&](pqxx::connection& c) -> Result<std::optional<SharedFaqJob>> {
        pqxx::nontransaction n(c);
        pqxx::result r = n.exec_params(
            std::string("SELECT ") + kJobColumns + " FROM faq_jobs WHERE key = $1", key);
        if (r.empty()) return std::optional<SharedFaqJob>();
        return std::optional<SharedFaqJob>(RowToJob(r[0]));
      });
}

Result<std::vector<SharedFaqJob>> PgFaqJobs::Expired(int limit) {
  return Run<std::vector<SharedFaqJob>>(
      "listing FAQ jobs whose lease expired",
      [&](pqxx::connection& c) -> Result<std::vector<SharedFaqJob>> {
        pqxx::nontransaction n(c);
        // Buckets untouched for two hours are full again: forgetting them changes nothing.
        n.exec("DELETE FROM faq_client_starts WHERE updated < now() - interval '2 hours'");
        // Finished rows are only needed while readers follow them (the FAQ itself is stored).
        n.exec("DELETE FROM faq_jobs WHERE state IN ('complete', 'failed')"
               " AND updated < now() - interval '1 day'");
        pqxx::result r = n.exec_params(
            std::string("SELECT ") + kJobColumns +
                " FROM faq_jobs WHERE state = 'running' AND lease_until <= now()"
                " ORDER BY priority, lease_until LIMIT $1",
            std::max(0, limit));
        std::vector<SharedFaqJob> out;
        out.reserve(r.size());
        for (const pqxx::row& row : r) out.push_back(RowToJob(row));
        return out;
      });
}

Result<bool> PgFaqJobs::TakeClientStart(const std::string& client, int per_hour,
                                        std::chrono::seconds* wait) {
  if (per_hour <= 0) return true;
  return Run<bool>("taking a FAQ start from a client's bucket",
                   [&](pqxx::connection& c) -> Result<bool> {
    pqxx::work w(c);
    w.exec_params(
        "INSERT INTO faq_client_starts (client, tokens, updated) VALUES ($1, $2, now())"
        " ON CONFLICT (client) DO NOTHING",
        client, static_cast<double>(per_hour));
    pqxx::result r = w.exec_params(
        "SELECT tokens, EXTRACT(EPOCH FROM (now() - updated))::float8 FROM faq_client_starts"
        " WHERE client = $1 FOR UPDATE",
        client);
    double tokens = r[0][0].as<double>();
    double hours = std::max(0.0, r[0][1].as<double>()) / 3600.0;
    tokens = std::min<double>(per_hour, tokens + hours * per_hour);
    bool ok = tokens >= 1.0;
    if (ok) tokens -= 1.0;
    w.exec_params("UPDATE faq_client_starts SET tokens = $2, updated = now() WHERE client = $1",
                  client, tokens);
    w.commit();
    if (!ok && wait != nullptr) {
      double secs = (1.0 - tokens) * 3600.0 / per_hour;
      *wait = std::chrono::seconds(static_cast<int64_t>(std::ceil(secs - 1e-6)));
    }
    return ok;
  });
}

Result<int64_t> PgFaqJobs::AddTokens(const std::string& day, int64_t tokens) {
  return Run<int64_t>("adding to the day's FAQ token usage",
                      [&](pqxx::connection& c) -> Result<int64_t> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "INSERT INTO faq_token_usage (day, used) VALUES ($1, $2) ON CONFLICT (day)"
        " DO UPDATE SET used = faq_token_usage.used + EXCLUDED.used RETURNING used",
        day, std::max<int64_t>(0, tokens));
    w.commit();
    return r[0][0].as<int64_t>();
  });
}

Result<int64_t> PgFaqJobs::TokensOn(const std::string& day) {
  return Run<int64_t>("reading the day's FAQ token usage",
                      [&](pqxx::connection& c) -> Result<int64_t> {
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec_params("SELECT used FROM faq_token_usage WHERE day = $1", day);
    return r.empty() ? int64_t{0} : r[0][0].as<int64_t>();
  });
}

}  // namespace coolpapers::store::postgres

namespace coolpapers::store {

Result<std::unique_ptr<SharedFaqJobs>> OpenSharedFaqJobs(const std::string& url,
                                                         const std::string& node_id,
                                                         std::chrono::seconds lease) {
  if (!postgres::IsPostgresUrl(url)) return std::unique_ptr<SharedFaqJobs>();
  auto jobs = postgres::PgFaqJobs::Open(url, node_id, lease);
  if (!jobs) return Err(jobs.error());
  return std::unique_ptr<SharedFaqJobs>(*std::move(jobs));
}

std::string NewNodeId() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string rnd;
  for (int i = 0; i < 8; ++i) rnd += kHex[rd() % 16];
  return std::string(host[0] ? host : "node") + ":" + std::to_string(getpid()) + ":" + rnd;
}

}  // namespace coolpapers::store
