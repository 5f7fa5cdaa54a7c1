#include "store/postgres/pg_pool.h"

#include <utility>

#include "store/postgres/pg_connection.h"

namespace coolpapers::store::postgres {

PgPool::PgPool(std::string url, size_t max_connections)
    : url_(std::move(url)), max_(max_connections == 0 ? 1 : max_connections) {}

size_t PgPool::opened() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opened_;
}

Result<PgPool::Borrowed> PgPool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      Borrowed b{std::move(idle_.back()), true};
      idle_.pop_back();
      return b;
    }
    ++open_;  // reserve the slot; connect outside the lock
    ++opened_;
  }
  Result<std::unique_ptr<pqxx::connection>> c = Connect(url_);
  if (c) {
    try {  // staging tables are created IF NOT EXISTS: no notice for each existing one
      pqxx::nontransaction n(**c);
      n.exec("SET client_min_messages = warning");
    } catch (const std::exception& e) {
      c = Err(PgError("setting up a new connection to " + RedactUrl(url_), e));
    }
  }
  if (!c) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    cv_.notify_one();
    return Err(c.error());
  }
  return Borrowed{std::move(*c), false};
}

void PgPool::Release(std::unique_ptr<pqxx::connection> c, bool broken) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken || c == nullptr || !c->is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

void PgPool::DropIdle() {
  std::vector<std::unique_ptr<pqxx::connection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dropped.swap(idle_);
    open_ -= dropped.size();
  }
  cv_.notify_all();
}  // closed here, outside the lock

Status PgPool::Run(std::string_view doing, const std::function<Status(pqxx::connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    Result<Borrowed> b = Acquire();
    if (!b) return Status(b.error().code(), std::string(doing) + ": " + b.error().message());
    try {
      Status st = fn(*b->conn);
      Release(std::move(b->conn), false);
      return st;
    } catch (const pqxx::broken_connection& e) {
      Release(std::move(b->conn), true);
      if (b->reused) DropIdle();  // they likely broke together (server restart)
      // A pooled connection that died while idle (server restart, terminated backend): its
      // transaction, if begun, died with it (a commit whose outcome is unknown throws
      // in_doubt_error instead), so the work runs again on a fresh connection. A fresh
      // connection that breaks is a real outage.
      if (b->reused && attempt == 0) continue;
      return PgError(doing, e);
    } catch (const std::exception& e) {
      Release(std::move(b->conn), false);
      return PgError(doing, e);
    }
  }
}

std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace coolpapers::store::postgres
