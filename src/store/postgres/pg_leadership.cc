#include "store/postgres/pg_leadership.h"

#include <pqxx/pqxx>

#include "store/postgres/pg_cluster.h"
#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {

struct PgLeadership::Session {
  std::unique_ptr<pqxx::connection> conn;
};

PgLeadership::PgLeadership(std::string url, std::string role, LeadershipOptions options)
    : url_(ClusterConnectionUrl(url)),
      role_(std::move(role)),
      options_(options),
      session_(std::make_unique<Session>()),
      why_("waiting for the " + role_ + " role") {
  thread_ = std::thread([this] { Loop(); });
}

PgLeadership::~PgLeadership() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  session_->conn.reset();  // ends the session, which frees the lock
}

bool PgLeadership::IsLeader() {
  std::lock_guard lock(mu_);
  return holding_ && std::chrono::steady_clock::now() - last_ok_ < options_.lost_after;
}

std::string PgLeadership::Why() {
  std::lock_guard lock(mu_);
  if (holding_ && std::chrono::steady_clock::now() - last_ok_ >= options_.lost_after) {
    return "lost the " + role_ + " role: no answer from PostgreSQL for " +
           std::to_string(options_.lost_after.count() / 1000) + " s";
  }
  return why_;
}

uint64_t PgLeadership::Changes() {
  std::lock_guard lock(mu_);
  return changes_;
}

int PgLeadership::BackendPid() { return backend_pid_.load(); }

void PgLeadership::Change(bool leader, const std::string& why) {
  std::lock_guard lock(mu_);
  holding_ = leader;
  if (leader) last_ok_ = std::chrono::steady_clock::now();
  why_ = why;
  ++changes_;
}

bool PgLeadership::Wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_; });
  return !stopping_;
}

bool PgLeadership::TryTake() {
  if (!session_->conn) {
    auto c = Connect(url_);
    if (!c) {
      std::lock_guard lock(mu_);
      why_ = "waiting for the " + role_ + " role: " + c.error().message();
      return false;
    }
    session_->conn = std::move(*c);
  }
  try {
    pqxx::nontransaction n(*session_->conn);
    ServerSideKeepalive(n);
    pqxx::result r = n.exec_params(
        "SELECT pg_try_advisory_lock($1, hashtext($2)), pg_backend_pid()", kRoleLockSpace, role_);
    backend_pid_ = r[0][1].as<int>();
    return r[0][0].as<bool>();
  } catch (const std::exception& e) {
    session_->conn.reset();
    backend_pid_ = 0;
    std::lock_guard lock(mu_);
    why_ = "waiting for the " + role_ + " role: " + PgError("trying the role's lock", e).message();
    return false;
  }
}

bool PgLeadership::CheckHeld() {
  try {
    pqxx::nontransaction n(*session_->conn);
    n.exec("SELECT 1");
    std::lock_guard lock(mu_);
    last_ok_ = std::chrono::steady_clock::now();
    return true;
  } catch (const std::exception& e) {
    session_->conn.reset();  // the server frees the lock with the session, if it still lives
    backend_pid_ = 0;
    Change(false,
           "lost the " + role_ + " role: " + PgError("checking the session", e).message());
    return false;
  }
}

void PgLeadership::Loop() {
  bool holding = false;
  for (;;) {
    if (!holding) {
      if (TryTake()) {
        holding = true;
        Change(true, "took the " + role_ + " role");
        continue;
      }
      if (!Wait(options_.retry)) return;
      continue;
    }
    if (!Wait(options_.check)) return;
    if (!CheckHeld()) {
      holding = false;
      // A healthy follower retries within one period; give it the role.
      if (!Wait(2 * options_.retry)) return;
    }
  }
}

}  // namespace coolpapers::store::postgres
