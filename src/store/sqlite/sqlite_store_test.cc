#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <filesystem>
#include <thread>

#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "store/testing/sample_rows.h"
#include "store/testing/temp_store.h"

namespace coolpapers::store::sqlite {
namespace {

using ::testing::ElementsAre;
using testing::M;
using testing::MakePaper;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void TearDown() override { store_.reset(); }
  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<SqliteStore>> s = SqliteStore::Open(path_);
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }
  void LoadDay() { testing::LoadSampleDay(*store_); }

  testing::TempDir dir_{"cp_store_test"};
  std::string path_ = (dir_ / "test.db").string();
  std::unique_ptr<SqliteStore> store_;
};

// Another process holding the write lock (sqlite3 BEGIN IMMEDIATE on its own connection).
class ForeignWriteLock {
 public:
  explicit ForeignWriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void Release() {
    if (!db_) return;
    EXPECT_EQ(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  ~ForeignWriteLock() { Release(); }

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(SqliteStoreTest, ClicksAndStateQueueWhileAnotherProcessHoldsTheWriteLock) {
  ASSERT_TRUE(store_->Upsert(std::vector<Paper>{MakePaper("2503.00001", {"cs.CL"})}, {}));
  ForeignWriteLock lock(path_);
  // Fire-and-forget writes return at once although the writer thread cannot write; reads go on.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store_->AddClick(i % 2 ? "2503.00001" : "2503.00002", i % 3 ? "pdf" : "kimi").ok());
  }
  ASSERT_TRUE(store_->SetState("faq.queue", "[1]").ok());
  ASSERT_TRUE(store_->SetState("faq.queue", "[1,2]").ok());
  Result<std::optional<Paper>> p = store_->GetPaper("2503.00001");
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_TRUE(p->has_value());
  std::vector<std::string> ids = {"2503.00001", "2503.00002"};
  Result<std::map<std::string, ClickCounts>> queued = store_->GetClicks(ids);
  ASSERT_TRUE(queued) << queued.error().ToString();
  EXPECT_EQ(queued->at("2503.00001").total() + queued->at("2503.00002").total(), 200);
  EXPECT_EQ(*store_->GetState("faq.queue"), "[1,2]");
  lock.Release();

  ASSERT_TRUE(store_->Flush().ok());
  // Everything queued meanwhile went in a few transactions, not one per click.
  BatchedWriter::Stats stats = store_->WriterStats();
  EXPECT_LE(stats.batches, 4u);
  Reopen();  // durable, read back from the file alone
  Result<std::map<std::string, ClickCounts>> c = store_->GetClicks(ids);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->at("2503.00001").pdf, 67);
  EXPECT_EQ(c->at("2503.00001").kimi, 33);
  EXPECT_EQ(c->at("2503.00002").pdf, 66);
  EXPECT_EQ(c->at("2503.00002").kimi, 34);
  EXPECT_EQ(*store_->GetState("faq.queue"), "[1,2]");
}

TEST_F(SqliteStoreTest, FailingWriteInABatchRollsBackOnlyItself) {
  store_.reset();
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path_, /*create=*/false);
  ASSERT_TRUE(conn) << conn.error().ToString();
  BatchedWriter writer(std::move(*conn));
  auto insert = [](const std::string& key, bool fail) {
    return [key, fail](Connection& c) -> Status {
      Result<Stmt> s = c.Prepare("INSERT INTO state (key, value) VALUES (?1, 'x')");
      if (!s) return s.error();
      s->Bind(1, key);
      if (Status st = s->Run(); !st.ok()) return st;
      return fail ? Status::InvalidArgument("job fails after writing") : Status::Ok();
    };
  };
  // A job that holds the writer until released, so the next two land in one batch.
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  std::future<Status> gate = writer.Submit([&started, released](Connection&) {
    started.set_value();
    released.wait();
    return Status::Ok();
  });
  started.get_future().wait();
  std::future<Status> bad = writer.Submit(insert("job.bad", true));
  std::future<Status> good = writer.Submit(insert("job.good", false));
  release.set_value();
  EXPECT_TRUE(gate.get().ok());
  EXPECT_EQ(bad.get().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(good.get().ok());
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(writer.GetStats().batches, 3u);  // gate; bad + good; the flush
  Reopen();
  EXPECT_FALSE(store_->GetState("job.bad")->has_value());
  EXPECT_TRUE(store_->GetState("job.good")->has_value());
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndSchemaVersion) {
  LoadDay();
  int64_t seq = *store_->ChangeSeq();
  EXPECT_EQ(*store_->SchemaVersion(), LatestSchemaVersion());
  Reopen();
  EXPECT_EQ(*store_->SchemaVersion(), LatestSchemaVersion());
  EXPECT_EQ(*store_->ChangeSeq(), seq);
  EXPECT_EQ(store_->Stats()->papers, 3);
}

TEST_F(SqliteStoreTest, RefusesNewerSchema) {
  store_.reset();
  {
    Result<std::unique_ptr<Connection>> c = Connection::Open(path_, false);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->Exec("INSERT INTO schema_version (version) VALUES (999)").ok());
  }
  Result<std::unique_ptr<SqliteStore>> s = SqliteStore::Open(path_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.error().message(), ::testing::HasSubstr("upgrade coolpapers"));
}

TEST(OpenStoreTest, UrlSchemes) {
  testing::TempDir dir("cp_open_store");
  Result<std::unique_ptr<Store>> s = OpenStore("sqlite:" + (dir / "sub" / "x.db").string());
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir / "sub" / "x.db"));
  s->reset();

  // PostgreSQL URLs open a PostgresStore; an unreachable server says so, naming the URL
  // (password redacted) and what to check.
  Result<std::unique_ptr<Store>> pg = OpenStore("postgresql://cp:secret@127.0.0.1:1/cp");
  ASSERT_FALSE(pg);
  EXPECT_EQ(pg.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(pg.error().message(),
              ::testing::HasSubstr("cannot connect to PostgreSQL at postgresql://cp:***@127.0.0.1:1/cp"));
  EXPECT_THAT(pg.error().message(), ::testing::HasSubstr("check that the server runs"));
  EXPECT_THAT(pg.error().message(), ::testing::Not(::testing::HasSubstr("secret")));
  Result<std::unique_ptr<Store>> mysql = OpenStore("mysql://x");
  EXPECT_EQ(mysql.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mysql.error().message(), ::testing::HasSubstr("postgresql://"));
  EXPECT_EQ(OpenStore("sqlite:").error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace coolpapers::store::sqlite
