// SqliteStore::BeginBulkLoad: filling an empty database (e.g. `coolpapers import` into a new
// file) as one transaction.
//
// Why it is faster than one Upsert transaction per batch:
//   - the rollback journal instead of WAL for the load: SQLite journals only the pages that
//     existed when the transaction began, and an empty database has a few dozen, so every page
//     is written once (WAL writes each page to the log and again at the checkpoint);
//   - the secondary indexes of papers, memberships and link_keys are dropped at the start and
//     created again from their stored SQL at the end, in the same transaction: one sort per
//     index instead of a random b-tree insert per row;
//   - a larger page cache while loading.
// The rows, counts and change sequence are those of the same Upserts one by one (the same
// UpsertLocked and LinkArxivPapers run, in order, each in its own savepoint).
//
// Crash safety: the switch to the rollback journal is its own step before the transaction, and
// synchronous=FULL while in it. A crash before COMMIT leaves a hot journal that the next open
// rolls back: the database is empty again, with its indexes (DDL is transactional). Whatever
// happens, the connection returns to its journal mode (WAL), synchronous level and cache size
// afterwards. When the journal mode cannot be switched (another connection has the database
// open in WAL), the load stays in WAL: still one transaction with the indexes built at the end.

#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/migrations.h"
#include "store/sqlite/paper_links.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_rows.h"

namespace coolpapers::store::sqlite {
namespace {

// Page cache while loading (KiB; PRAGMA cache_size takes it negated). Smaller than a serving
// connection's: the load mostly appends, so few pages are needed hot, and every page of cache
// is memory first touched (faulted in) during the load.
constexpr int64_t kBulkCacheKiB = 16384;

// The first column of the first row of `sql` as text ("" when no row).
Result<std::string> PragmaText(Connection& c, const std::string& sql) {
  Result<Stmt> s = c.Prepare(sql);
  if (!s) return Err(s.error());
  int rc = s->Step();
  if (rc == SQLITE_ROW) return s->Text(0);
  if (rc == SQLITE_DONE) return std::string();
  return Err(c.Error(sql));
}

// True when no table a bulk load writes holds a row.
Result<bool> IsEmpty(Connection& c) {
  Result<std::string> any = PragmaText(
      c,
      "SELECT EXISTS (SELECT 1 FROM papers) OR EXISTS (SELECT 1 FROM memberships) OR "
      "EXISTS (SELECT 1 FROM link_keys) OR EXISTS (SELECT 1 FROM paper_links)");
  if (!any) return Err(any.error());
  return *any == "0";
}

// The connection settings a bulk load changes, as they were before it.
struct Settings {
  std::string journal_mode, synchronous, cache_size;
};

Result<Settings> ReadSettings(Connection& c) {
  Settings s;
  for (auto [field, pragma] : {std::pair{&s.journal_mode, "PRAGMA journal_mode"},
                               std::pair{&s.synchronous, "PRAGMA synchronous"},
                               std::pair{&s.cache_size, "PRAGMA cache_size"}}) {
    Result<std::string> v = PragmaText(c, pragma);
    if (!v) return Err(v.error());
    *field = *v;
  }
  return s;
}

class SqliteBulkLoad : public BulkLoad {
 public:
  SqliteBulkLoad(BatchedWriter::Lease lease, Settings saved)
      : lease_(std::move(lease)), saved_(std::move(saved)) {}
  ~SqliteBulkLoad() override {
    if (open_) (void)c().Exec("ROLLBACK");
    (void)Restore();
  }

  // Switches the connection to the bulk settings, begins the transaction and drops the
  // secondary indexes. False (and nothing changed) when the database is not empty any more.
  Result<bool> Start() {
    Result<std::string> mode = PragmaText(c(), "PRAGMA journal_mode=DELETE");
    if (mode && *mode == "delete") {
      if (Status st = c().Exec("PRAGMA synchronous=FULL"); !st.ok()) return Err(st);
    }
    if (Status st = c().Exec("PRAGMA cache_size=-" + std::to_string(kBulkCacheKiB)); !st.ok()) {
      return Err(st);
    }
    if (Status st = c().Exec("BEGIN IMMEDIATE"); !st.ok()) return Err(st);
    open_ = true;
    Result<bool> empty = IsEmpty(c());
    if (!empty) return Err(empty.error());
    if (!*empty) return false;
    return DropIndexes();
  }

  Result<UpsertCounts> Upsert(std::span<const Paper> papers,
                              std::span<const Membership> memberships) override {
    if (!open_) return Err(Status::FailedPrecondition("bulk load already ended"));
    if (Status st = ValidateUpsert(papers, memberships); !st.ok()) return Err(st);
    if (Status st = c().Exec("SAVEPOINT bulk"); !st.ok()) return Err(st);
    std::vector<bool> inserted;
    Result<UpsertCounts> counts = SqliteStore::UpsertLocked(c(), papers, memberships, &inserted);
    Status st = counts ? LinkArxivPapers(c(), papers, &inserted) : counts.error();
    if (!st.ok()) {
      (void)c().Exec("ROLLBACK TO bulk; RELEASE bulk");
      return Err(st);
    }
    if (Status rel = c().Exec("RELEASE bulk"); !rel.ok()) return Err(rel);
    return counts;
  }

  Status Commit() override {
    if (!open_) return Status::FailedPrecondition("bulk load already ended");
    for (const auto& [name, sql] : indexes_) {
      if (Status st = c().Exec(sql); !st.ok()) {
        return Status(st.code(), "creating index " + name + " after the bulk load: " +
                                     st.message());
      }
    }
    if (Status st = c().Exec("COMMIT"); !st.ok()) return st;
    open_ = false;
    return Restore();
  }

 private:
  Connection& c() const { return lease_.conn(); }

  Result<bool> DropIndexes() {
    {
      Result<Stmt> s = c().Prepare(
          "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND "
          "tbl_name IN ('papers', 'memberships', 'link_keys') ORDER BY rowid");
      if (!s) return Err(s.error());
      int rc;
      while ((rc = s->Step()) == SQLITE_ROW) indexes_.emplace_back(s->Text(0), s->Text(1));
      if (rc != SQLITE_DONE) return Err(c().Error("listing the indexes to build after the load"));
    }
    for (const auto& [name, sql] : indexes_) {
      if (Status st = c().Exec("DROP INDEX \"" + name + "\""); !st.ok()) return Err(st);
    }
    return true;
  }

  // Back to the settings from before the load (each attempted; the first error is returned).
  Status Restore() {
    if (restored_) return Status::Ok();
    restored_ = true;
    Status first;
    for (const std::string& sql :
         {"PRAGMA journal_mode=" + saved_.journal_mode, "PRAGMA synchronous=" + saved_.synchronous,
          "PRAGMA cache_size=" + saved_.cache_size}) {
      Result<std::string> r = PragmaText(c(), sql);
      if (!r && first.ok()) {
        first = Status(r.error().code(),
                       "the bulk load ended but restoring " + sql + " failed: " +
                           r.error().message() + "; reopening the database restores it");
      }
    }
    return first;
  }

  BatchedWriter::Lease lease_;
  Settings saved_;
  std::vector<std::pair<std::string, std::string>> indexes_;  // name, CREATE statement
  bool open_ = false;      // the transaction is open
  bool restored_ = false;  // the settings are back
};

}  // namespace

Result<std::unique_ptr<BulkLoad>> SqliteStore::BeginBulkLoad() {
  BatchedWriter::Lease lease = writer_->Borrow();
  Connection& c = lease.conn();
  Result<bool> empty = IsEmpty(c);  // cheap check before switching anything
  if (!empty) return Err(empty.error());
  if (!*empty) return std::unique_ptr<BulkLoad>();
  Result<Settings> saved = ReadSettings(c);
  if (!saved) return Err(saved.error());
  auto load = std::make_unique<SqliteBulkLoad>(std::move(lease), std::move(*saved));
  Result<bool> started = load->Start();
  if (!started) return Err(started.error());
  if (!*started) return std::unique_ptr<BulkLoad>();  // rolled back and restored by the destructor
  return std::unique_ptr<BulkLoad>(std::move(load));
}

}  // namespace coolpapers::store::sqlite
