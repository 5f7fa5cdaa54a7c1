#include "store/postgres/pg_paper_requests.h"

#include <algorithm>
#include <functional>
#include <mutex>

#include <pqxx/pqxx>

#include "store/postgres/pg_cluster.h"
#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {
namespace {

// Serialises Request's count-then-insert across nodes (transaction-level advisory lock).
constexpr int kRequestsLockSpace = 0x63707231;  // "cpr1"

bool Pending(const std::string& state) { return state == "queued" || state == "fetching"; }

}  // namespace

struct PgPaperRequests::Impl {
  std::string url;
  PaperRequestLimits limits;
  std::mutex mu;
  std::unique_ptr<pqxx::connection> conn;

  // Runs `body` on the connection (reconnecting if needed), turning exceptions into Statuses.
  template <typename T>
  Result<T> Run(const std::string& doing, const std::function<Result<T>(pqxx::connection&)>& body) {
    std::lock_guard lock(mu);
    if (!conn) {
      auto c = Connect(url);
      if (!c) return Err(c.error());
      conn = std::move(*c);
    }
    try {
      return body(*conn);
    } catch (const std::exception& e) {
      conn.reset();
      Status s = PgError(doing, e);
      return Err(Status::Unavailable(s.message()));
    }
  }
};

PgPaperRequests::PgPaperRequests(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgPaperRequests::~PgPaperRequests() = default;

Result<std::unique_ptr<PgPaperRequests>> PgPaperRequests::Open(const std::string& url,
                                                               PaperRequestLimits limits) {
  auto impl = std::make_unique<Impl>();
  impl->url = ClusterConnectionUrl(url);
  impl->limits = limits;
  auto c = Connect(impl->url);
  if (!c) return Err(c.error());
  if (Status s = MigrateCluster(**c); !s.ok()) return Err(s);
  impl->conn = std::move(*c);
  return std::unique_ptr<PgPaperRequests>(new PgPaperRequests(std::move(impl)));
}

Result<std::string> PgPaperRequests::Request(const std::string& id, const std::string& client) {
  const PaperRequestLimits limits = impl_->limits;
  return impl_->Run<std::string>(
      "recording a request for " + id, [&](pqxx::connection& c) -> Result<std::string> {
        pqxx::work w(c);
        w.exec_params("SELECT pg_advisory_xact_lock($1, 0)", kRequestsLockSpace);
        pqxx::result row = w.exec_params(
            "SELECT state, updated > now() - $2 * interval '1 second'"
            " FROM cluster_paper_requests WHERE id = $1",
            id, static_cast<long long>(limits.recheck_after.count()));
        if (!row.empty()) {
          std::string state = row[0][0].as<std::string>();
          bool recent = row[0][1].as<bool>();
          if (Pending(state) || (recent && (state == "not found" || state == "failed"))) {
            w.commit();
            return state;
          }
        }
        pqxx::result counts = w.exec_params(
            "SELECT count(*) FILTER (WHERE client = $1), count(*) FROM cluster_paper_requests"
            " WHERE state IN ('queued', 'fetching')",
            client);
        const auto mine = counts[0][0].as<long long>();
        const auto all = counts[0][1].as<long long>();
        if (all >= static_cast<long long>(limits.total)) {
          return Err(Status::Unavailable("the queue of papers to fetch from arXiv is full (" +
                                         std::to_string(all) + " pending); try " + id +
                                         " again in a few minutes"));
        }
        if (mine >= static_cast<long long>(limits.per_client)) {
          return Err(Status::ResourceExhausted(
              "you already have " + std::to_string(mine) +
              " papers waiting to be fetched from arXiv (the limit per client); try " + id +
              " again once they are in"));
        }
        w.exec_params(
            "INSERT INTO cluster_paper_requests (id, client, state) VALUES ($1, $2, 'queued')"
            " ON CONFLICT (id) DO UPDATE SET client = EXCLUDED.client, state = 'queued',"
            " requested = now(), updated = now()",
            id, client);
        // Settled requests are kept a day (their answers), then forgotten.
        w.exec("DELETE FROM cluster_paper_requests WHERE state NOT IN ('queued', 'fetching')"
               " AND updated < now() - interval '1 day'");
        w.commit();
        return std::string("queued");
      });
}

Result<std::string> PgPaperRequests::State(const std::string& id) {
  return impl_->Run<std::string>("reading the request for " + id,
                                 [&](pqxx::connection& c) -> Result<std::string> {
                                   pqxx::nontransaction n(c);
                                   pqxx::result r = n.exec_params(
                                       "SELECT state FROM cluster_paper_requests WHERE id = $1",
                                       id);
                                   return r.empty() ? std::string() : r[0][0].as<std::string>();
                                 });
}

Result<std::vector<PaperRequest>> PgPaperRequests::Take(std::size_t limit) {
  using Out = std::vector<PaperRequest>;
  return impl_->Run<Out>("taking papers readers asked for", [&](pqxx::connection& c) -> Result<Out> {
    pqxx::work w(c);
    pqxx::result r = w.exec_params(
        "UPDATE cluster_paper_requests SET state = 'fetching', updated = now() WHERE id IN"
        " (SELECT id FROM cluster_paper_requests WHERE state = 'queued' ORDER BY requested"
        "  LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id, client, requested",
        static_cast<long long>(limit));
    w.commit();
    std::vector<std::pair<std::string, PaperRequest>> rows;
    for (const auto& row : r) {
      rows.push_back({row[2].as<std::string>(),
                      PaperRequest{row[0].as<std::string>(), row[1].as<std::string>()}});
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    Out out;
    for (auto& [when, req] : rows) out.push_back(std::move(req));
    return out;
  });
}

Status PgPaperRequests::Settle(const std::string& id, const std::string& state) {
  auto r = impl_->Run<bool>("settling the request for " + id,
                            [&](pqxx::connection& c) -> Result<bool> {
                              pqxx::nontransaction n(c);
                              n.exec_params(
                                  "UPDATE cluster_paper_requests SET state = $2, updated = now()"
                                  " WHERE id = $1",
                                  id, state);
                              return true;
                            });
  return r ? Status::Ok() : r.error();
}

Result<int> PgPaperRequests::RequeueFetching() {
  return impl_->Run<int>("requeueing papers being fetched", [&](pqxx::connection& c) -> Result<int> {
    pqxx::nontransaction n(c);
    pqxx::result r = n.exec(
        "UPDATE cluster_paper_requests SET state = 'queued', updated = now()"
        " WHERE state = 'fetching'");
    return static_cast<int>(r.affected_rows());
  });
}

}  // namespace coolpapers::store::postgres
