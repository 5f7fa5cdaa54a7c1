#pragma once
// Thin RAII layer over the SQLite C API used by SqliteStore: a connection that caches its
// prepared statements, and a statement handle that resets itself when released. Internal to
// the store module.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace coolpapers::store::sqlite {

// A prepared statement borrowed from a Connection's cache; reset and unbound on destruction.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binding, 1-based like SQLite. Text is copied (SQLITE_TRANSIENT) unless `stable` says the
  // caller keeps it alive until the statement is reset.
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, std::string_view v, bool stable = false);
  void BindNull(int i) { sqlite3_bind_null(s_, i); }

  // Steps once: SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(s_); }
  // Steps to completion, for statements that return no rows.
  Status Run();
  void Reset() { sqlite3_reset(s_); }

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::string Text(int col) const;
  std::string_view TextView(int col) const;  // valid until the next Step/Reset
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  sqlite3_stmt* raw() const { return s_; }

 private:
  sqlite3_stmt* s_;
};

class Connection {
 public:
  // Opens `path` (creating it when `create`) with a busy timeout of `busy_timeout_ms`.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create,
                                                  int busy_timeout_ms = 10000);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (DDL, pragmas, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  // A cached prepared statement for `sql` (prepared on first use).
  Result<Stmt> Prepare(const std::string& sql);
  // The error text of the last failure, prefixed with `what`.
  Status Error(std::string_view what) const;
  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Commits on Commit(); rolls back when destroyed otherwise.
class Transaction {
 public:
  // `immediate` takes the write lock at once (for writers), else a deferred read transaction.
  static Result<Transaction> Begin(Connection& c, bool immediate);
  Transaction(Transaction&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Connection* c) : c_(c) {}
  Connection* c_;
};

}  // namespace coolpapers::store::sqlite
