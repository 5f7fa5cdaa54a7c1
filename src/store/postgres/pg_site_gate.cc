#include "store/postgres/pg_site_gate.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include <pqxx/pqxx>

#include "store/postgres/pg_cluster.h"
#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {
namespace {

using std::chrono::milliseconds;

// How often a waiting turn looks at the lock again, and the longest sleep between two looks at
// `stopped`.
constexpr milliseconds kPoll{50};
constexpr milliseconds kMaxSleep{100};

}  // namespace

struct PgSiteGate::Impl {
  std::string url;
  std::mutex mu;
  std::unique_ptr<pqxx::connection> conn;
  std::string held;  // the site whose turn is held, "" none

  Status EnsureConnected() {
    if (conn) return Status::Ok();
    auto c = Connect(url);
    if (!c) return c.error();
    try {
      pqxx::nontransaction n(**c);
      ServerSideKeepalive(n);
    } catch (const std::exception& e) {
      return PgError("setting up the site gate's connection", e);
    }
    conn = std::move(*c);
    return Status::Ok();
  }
  // Milliseconds until the database clock reaches the site's last end + interval (<= 0: now).
  long long WaitMillis(pqxx::nontransaction& n, const std::string& site, milliseconds interval) {
    pqxx::result r = n.exec_params(
        "SELECT CEIL(EXTRACT(EPOCH FROM (last_end + $2 * interval '1 millisecond'"
        " - clock_timestamp())) * 1000)::BIGINT FROM cluster_site_requests WHERE site = $1",
        site, static_cast<long long>(interval.count()));
    return r.empty() ? 0 : r[0][0].as<long long>();
  }
  Status Fail(const std::string& doing, const std::exception& e) {
    conn.reset();  // the server frees a held lock with the session
    held.clear();
    Status s = PgError(doing, e);
    return Status::Unavailable(s.message() +
                               " (the request waits until the nodes can coordinate again)");
  }
};

PgSiteGate::PgSiteGate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgSiteGate::~PgSiteGate() = default;

Result<std::unique_ptr<PgSiteGate>> PgSiteGate::Open(const std::string& url) {
  auto impl = std::make_unique<Impl>();
  impl->url = ClusterConnectionUrl(url);
  if (Status s = impl->EnsureConnected(); !s.ok()) return Err(s);
  if (Status s = MigrateCluster(*impl->conn); !s.ok()) return Err(s);
  return std::unique_ptr<PgSiteGate>(new PgSiteGate(std::move(impl)));
}

Status PgSiteGate::Begin(const std::string& site, milliseconds interval,
                         const std::function<bool()>& stopped) {
  std::lock_guard lock(impl_->mu);
  const std::string doing = "waiting for the turn to fetch from " + site;
  for (;;) {
    if (stopped()) return Status::Cancelled(doing + ": stopping");
    if (Status s = impl_->EnsureConnected(); !s.ok()) return Status::Unavailable(s.message());
    try {
      pqxx::nontransaction n(*impl_->conn);
      pqxx::result r =
          n.exec_params("SELECT pg_try_advisory_lock($1, hashtext($2))", kSiteLockSpace, site);
      if (!r[0][0].as<bool>()) {
        std::this_thread::sleep_for(kPoll);
        continue;
      }
      impl_->held = site;
      // Nobody else can end a request to the site now: wait out its gap, then go.
      for (long long wait = impl_->WaitMillis(n, site, interval); wait > 0;
           wait = impl_->WaitMillis(n, site, interval)) {
        if (stopped()) {
          n.exec_params("SELECT pg_advisory_unlock($1, hashtext($2))", kSiteLockSpace, site);
          impl_->held.clear();
          return Status::Cancelled(doing + ": stopping");
        }
        std::this_thread::sleep_for(std::min(milliseconds(wait), kMaxSleep));
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return impl_->Fail(doing, e);
    }
  }
}

void PgSiteGate::End(const std::string& site) {
  std::lock_guard lock(impl_->mu);
  if (impl_->held != site || !impl_->conn) return;
  try {
    pqxx::nontransaction n(*impl_->conn);
    n.exec_params(
        "INSERT INTO cluster_site_requests (site, last_end) VALUES ($1, clock_timestamp())"
        " ON CONFLICT (site) DO UPDATE SET last_end = EXCLUDED.last_end",
        site);
    n.exec_params("SELECT pg_advisory_unlock($1, hashtext($2))", kSiteLockSpace, site);
    impl_->held.clear();
  } catch (const std::exception& e) {
    // The next Begin reconnects; the lost session freed the turn.
    static_cast<void>(impl_->Fail("recording the end of a request to " + site, e));
  }
}

}  // namespace coolpapers::store::postgres
