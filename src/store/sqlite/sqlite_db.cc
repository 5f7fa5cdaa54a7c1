#include "store/sqlite/sqlite_db.h"

namespace coolpapers::store::sqlite {

Stmt::~Stmt() {
  if (s_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
}

void Stmt::Bind(int i, std::string_view v, bool stable) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), stable ? SQLITE_STATIC : SQLITE_TRANSIENT,
                      SQLITE_UTF8);
}

Status Stmt::Run() {
  int rc;
  while ((rc = sqlite3_step(s_)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    return Status::Internal(std::string("sqlite: ") + sqlite3_errmsg(sqlite3_db_handle(s_)) +
                            " in: " + sqlite3_sql(s_));
  }
  return Status::Ok();
}

std::string Stmt::Text(int col) const { return std::string(TextView(col)); }

std::string_view Stmt::TextView(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(s_, col)));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create,
                                                     int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Err(Status::Unavailable("cannot open SQLite database " + path + ": " + msg +
                                   "; check that the directory exists and is writable"));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return std::unique_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Status Connection::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(sql.substr(0, 80));
  return Status::Ok();
}

Result<Stmt> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second);
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return Err(Error("preparing " + sql));
  cache_.emplace(sql, s);
  return Stmt(s);
}

Status Connection::Error(std::string_view what) const {
  int code = sqlite3_errcode(db_);
  std::string msg = "sqlite " + path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    return Status::Unavailable(msg + "; another process holds the database, retry later");
  }
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) {
    return Status::Corruption(msg);
  }
  if ((code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR) {
    return Status::Unavailable(msg + "; check free disk space");
  }
  return Status::Internal(msg);
}

Result<Transaction> Transaction::Begin(Connection& c, bool immediate) {
  Status s = c.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!s.ok()) return Err(s);
  return Transaction(&c);
}

Transaction::~Transaction() {
  if (c_) (void)c_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  Connection* c = c_;
  c_ = nullptr;
  return c->Exec("COMMIT");
}

}  // namespace coolpapers::store::sqlite
