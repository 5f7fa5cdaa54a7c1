// SqliteStore::BeginBulkLoad: the same rows as Upserts one by one, the connection settings and
// the secondary indexes back afterwards, nothing kept without Commit, only into an empty store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/testing/sample_rows.h"
#include "store/testing/temp_store.h"

namespace coolpapers::store::sqlite {
namespace {

using testing::M;
using testing::MakePaper;

// Runs `sql` on its own connection; the rows joined as "a|b\n".
std::string Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::string out;
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      const unsigned char* t = sqlite3_column_text(s, i);
      out += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    out += "\n";
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// Everything a write leaves behind, for comparing two databases.
std::string Contents(const std::string& path) {
  return Query(path, "SELECT * FROM papers ORDER BY id") +
         Query(path, "SELECT * FROM memberships ORDER BY category, day, paper_id") +
         Query(path, "SELECT * FROM link_keys ORDER BY paper_id") +
         Query(path, "SELECT * FROM change_seq");
}

constexpr const char* kIndexes =
    "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";

// Two calls' worth of rows; the second updates a paper of the first (a new version) and
// repeats one inside itself.
struct Calls {
  std::vector<Paper> a = {MakePaper("2503.00002", {"cs.CL", "cs.LG"}),
                          MakePaper("2503.00001", {"cs.CL"})};
  std::vector<Membership> am = {M("2503.00002", "cs.CL", "2025-03-18", AnnounceType::kNew, 0),
                                M("2503.00001", "cs.CL", "2025-03-18", AnnounceType::kNew, 1),
                                M("2503.00002", "cs.LG", "2025-03-18", AnnounceType::kCross, 0)};
  std::vector<Paper> b = {MakePaper("2503.00003", {"cs.LG"}), MakePaper("2503.00001", {"cs.CL"}, 2),
                          MakePaper("2503.00003", {"cs.LG"})};
  std::vector<Membership> bm = {M("2503.00003", "cs.LG", "2025-03-19", AnnounceType::kNew, 0),
                                M("2503.00001", "cs.CL", "2025-03-19", AnnounceType::kNew, 0)};
};

class BulkLoadTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> Open(const std::string& path) {
    Result<std::unique_ptr<SqliteStore>> s = SqliteStore::Open(path);
    EXPECT_TRUE(s) << s.error().ToString();
    return s ? std::move(*s) : nullptr;
  }
  testing::TempDir dir_{"cp_bulk_load_test"};
  std::string bulk_path_ = (dir_ / "bulk.db").string();
  std::string upsert_path_ = (dir_ / "upsert.db").string();
};

TEST_F(BulkLoadTest, SameRowsCountsAndChangeSequenceAsUpsertsOneByOne) {
  Calls calls;
  std::vector<UpsertCounts> want, got;
  {
    auto store = Open(upsert_path_);
    for (auto [p, m] : {std::pair{&calls.a, &calls.am}, std::pair{&calls.b, &calls.bm}}) {
      Result<UpsertCounts> c = store->Upsert(*p, *m);
      ASSERT_TRUE(c) << c.error().ToString();
      want.push_back(*c);
    }
  }
  {
    auto store = Open(bulk_path_);
    Result<std::unique_ptr<BulkLoad>> load = store->BeginBulkLoad();
    ASSERT_TRUE(load) << load.error().ToString();
    ASSERT_NE(*load, nullptr);
    for (auto [p, m] : {std::pair{&calls.a, &calls.am}, std::pair{&calls.b, &calls.bm}}) {
      Result<UpsertCounts> c = (*load)->Upsert(*p, *m);
      ASSERT_TRUE(c) << c.error().ToString();
      got.push_back(*c);
    }
    ASSERT_TRUE((*load)->Commit().ok());
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].inserted, want[i].inserted) << i;
    EXPECT_EQ(got[i].updated, want[i].updated) << i;
    EXPECT_EQ(got[i].unchanged, want[i].unchanged) << i;
    EXPECT_EQ(got[i].memberships_added, want[i].memberships_added) << i;
  }
  EXPECT_EQ(Contents(bulk_path_), Contents(upsert_path_));
  EXPECT_NE(Contents(bulk_path_).find("2503.00001|2|"), std::string::npos);  // the update
}

TEST_F(BulkLoadTest, IndexesAndConnectionSettingsAreBackAfterCommit) {
  auto store = Open(bulk_path_);
  const std::string indexes = Query(bulk_path_, kIndexes);
  ASSERT_NE(indexes.find("papers_by_seq"), std::string::npos);
  ASSERT_NE(indexes.find("memberships_by_day"), std::string::npos);
  ASSERT_NE(indexes.find("link_keys_by_title"), std::string::npos);
  {
    Result<std::unique_ptr<BulkLoad>> load = store->BeginBulkLoad();
    ASSERT_TRUE(load && *load);
    Calls calls;
    ASSERT_TRUE((*load)->Upsert(calls.a, calls.am));
    ASSERT_TRUE((*load)->Commit().ok());
  }
  EXPECT_EQ(Query(bulk_path_, kIndexes), indexes);
  EXPECT_EQ(Query(bulk_path_, "PRAGMA journal_mode"), "wal\n");
  EXPECT_EQ(Query(bulk_path_, "PRAGMA integrity_check"), "ok\n");
  // The writer connection is back to its own settings, and ordinary writes go on.
  Result<std::optional<std::string>> unused = store->GetState("x");
  ASSERT_TRUE(unused);
  ASSERT_TRUE(store->Upsert(std::vector<Paper>{MakePaper("2503.00009", {"cs.AI"})}, {}));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Query(bulk_path_, "SELECT COUNT(*) FROM papers"), "3\n");
  EXPECT_EQ(Query(bulk_path_, "PRAGMA journal_mode"), "wal\n");
}

TEST_F(BulkLoadTest, WithoutCommitNothingIsKeptAndTheIndexesStay) {
  auto store = Open(bulk_path_);
  const std::string indexes = Query(bulk_path_, kIndexes);
  {
    Result<std::unique_ptr<BulkLoad>> load = store->BeginBulkLoad();
    ASSERT_TRUE(load && *load);
    Calls calls;
    ASSERT_TRUE((*load)->Upsert(calls.a, calls.am));
  }  // dropped: rolled back
  EXPECT_EQ(Query(bulk_path_, "SELECT COUNT(*) FROM papers"), "0\n");
  EXPECT_EQ(Query(bulk_path_, kIndexes), indexes);
  EXPECT_EQ(Query(bulk_path_, "PRAGMA journal_mode"), "wal\n");
  // An invalid batch fails alone; the load goes on.
  Result<std::unique_ptr<BulkLoad>> load = store->BeginBulkLoad();
  ASSERT_TRUE(load && *load);
  EXPECT_FALSE((*load)->Upsert(std::vector<Paper>{MakePaper("", {"cs.AI"})}, {}));
  Calls calls;
  ASSERT_TRUE((*load)->Upsert(calls.a, calls.am));
  ASSERT_TRUE((*load)->Commit().ok());
  EXPECT_EQ(Query(bulk_path_, "SELECT COUNT(*) FROM papers"), "2\n");
}

TEST_F(BulkLoadTest, OnlyIntoAStoreWithoutPapers) {
  auto store = Open(bulk_path_);
  Calls calls;
  ASSERT_TRUE(store->Upsert(calls.a, calls.am));
  Result<std::unique_ptr<BulkLoad>> load = store->BeginBulkLoad();
  ASSERT_TRUE(load) << load.error().ToString();
  EXPECT_EQ(*load, nullptr);
  EXPECT_EQ(Query(bulk_path_, "PRAGMA journal_mode"), "wal\n");
}

}  // namespace
}  // namespace coolpapers::store::sqlite
