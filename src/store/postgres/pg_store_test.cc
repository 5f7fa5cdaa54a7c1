// PostgresStore beyond the Store contract (store_contract_test.cc runs that on both backends):
// several nodes writing at once, broken connections, concurrent migration, per-node click
// batches.
#include "store/postgres/pg_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

Paper MakePaper(const std::string& id) {
  Paper p;
  p.id = id;
  p.version = 1;
  p.title = "Title of " + id;
  p.abstract = "Abstract of " + id;
  p.authors = {"Ada Lovelace"};
  p.categories = {"cs.CL"};
  return p;
}

std::unique_ptr<PostgresStore> OpenOrDie(const std::string& url) {
  Result<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(url);
  EXPECT_TRUE(s) << s.error().ToString();
  return s ? std::move(*s) : nullptr;
}

// Several nodes (stores) with several threads each insert papers while a reader on a third node
// follows the change feed in small pages: it must see every paper exactly once, in increasing
// sequence order. A sequence number taken by one transaction and committed after a higher one
// would be skipped by the reader.
TEST(PgStoreTest, ConcurrentWritersKeepTheChangeFeedComplete) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto node_a = OpenOrDie(db.url());
  auto node_b = OpenOrDie(db.url());
  auto reader = OpenOrDie(db.url());
  ASSERT_TRUE(node_a && node_b && reader);
  constexpr int kThreads = 4, kBatches = 15, kPerBatch = 10;
  std::atomic<int> writers_left{kThreads};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      PostgresStore* s = t % 2 ? node_b.get() : node_a.get();
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Paper> papers;
        std::vector<Membership> ms;
        for (int i = 0; i < kPerBatch; ++i) {
          std::string id = "25" + std::to_string(t) + "." + std::to_string(10000 + b * 100 + i);
          papers.push_back(MakePaper(id));
          ms.push_back({id, "cs.CL", "2025-03-18", AnnounceType::kNew, b * 100 + i});
        }
        if (!s->Upsert(papers, ms)) failures++;
      }
      writers_left--;
    });
  }
  std::map<std::string, int> seen;
  int64_t cursor = 0;
  bool ordered = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    bool done = writers_left.load() == 0;  // read before the page: a last page follows the end
    Result<std::vector<std::pair<int64_t, Paper>>> page = reader->ChangedSince(cursor, 7);
    ASSERT_TRUE(page) << page.error().ToString();
    for (const auto& [seq, paper] : *page) {
      if (seq <= cursor) ordered = false;
      cursor = seq;
      seen[paper.id]++;
    }
    if (done && page->empty()) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the reader did not catch up";
  }
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(ordered);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kThreads * kBatches * kPerBatch));
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  // Numbers may be reserved without a row (a new membership of a paper written in the same
  // call), never used twice.
  EXPECT_GE(*reader->ChangeSeq(), cursor);
}

// Terminates every server process of the database but the caller's; waits until they are gone.
int TerminateBackends(const std::string& url) {
  pqxx::connection admin(url);
  pqxx::nontransaction n(admin);
  int killed = n.exec(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")[0][0]
                   .as<int>();
  for (int i = 0; i < 500; ++i) {
    int left = n.exec(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")[0][0]
                   .as<int>();
    if (left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return killed;
}

TEST(PgStoreTest, ABrokenConnectionIsReplacedAndTheNextCallSucceeds) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto s = OpenOrDie(db.url());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Upsert(std::vector<Paper>{MakePaper("2503.00001")}, {}));
  const size_t opened = s->ConnectionsOpened();
  ASSERT_GE(TerminateBackends(db.url()), 1);

  Result<std::optional<Paper>> p = s->GetPaper("2503.00001");  // on a dead pooled connection
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_TRUE(p->has_value());
  EXPECT_GT(s->ConnectionsOpened(), opened);
  // Writes too, after another termination.
  ASSERT_GE(TerminateBackends(db.url()), 1);
  Result<UpsertCounts> c = s->Upsert(std::vector<Paper>{MakePaper("2503.00002")}, {});
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->inserted, 1);
  EXPECT_EQ(s->Stats()->papers, 2);
}

// A statement the server refuses (text that is not UTF-8) is a Status naming what was being
// done, never an exception; nothing of the call is written and the store goes on.
TEST(PgStoreTest, ServerErrorsAreStatusesAndTheStoreGoesOn) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto s = OpenOrDie(db.url());
  ASSERT_TRUE(s);
  Paper bad = MakePaper("2503.00002");
  bad.title = "bad \xff byte";
  Result<UpsertCounts> c = s->Upsert(std::vector<Paper>{MakePaper("2503.00001"), bad}, {});
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message(), ::testing::HasSubstr("writing 2 papers"));
  EXPECT_THAT(c.error().message(), ::testing::HasSubstr("UTF8"));
  EXPECT_EQ(s->Stats()->papers, 0);
  ASSERT_TRUE(s->Upsert(std::vector<Paper>{MakePaper("2503.00001")}, {}));
  EXPECT_EQ(s->Stats()->papers, 1);
}

TEST(PgStoreTest, AnUnreachableServerIsAClearError) {
  Result<std::unique_ptr<PostgresStore>> s =
      PostgresStore::Open("postgresql://coolpapers:pw@127.0.0.1:1/nowhere");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.error().message(),
              ::testing::HasSubstr("postgresql://coolpapers:***@127.0.0.1:1/nowhere"));
  EXPECT_THAT(s.error().message(), ::testing::HasSubstr("check that the server runs"));
}

// Two nodes starting at once on a fresh database: both open, the schema is created once.
TEST(PgStoreTest, TwoStoresOpeningAtOnceMigrateOnce) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  std::unique_ptr<PostgresStore> stores[2];
  Status errors[2];
  std::thread openers[2];
  for (int i = 0; i < 2; ++i) {
    openers[i] = std::thread([&, i] {
      Result<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(db.url());
      if (s) {
        stores[i] = std::move(*s);
      } else {
        errors[i] = s.error();
      }
    });
  }
  for (std::thread& t : openers) t.join();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(stores[i]) << errors[i].ToString();
  pqxx::connection c(db.url());
  pqxx::nontransaction n(c);
  EXPECT_EQ(n.exec("SELECT count(*) FROM schema_versions WHERE component = 'store'")[0][0]
                .as<int>(),
            static_cast<int>(StoreSchemaSteps().size()));
  EXPECT_EQ(*stores[0]->SchemaVersion(), static_cast<int>(StoreSchemaSteps().size()));
  ASSERT_TRUE(stores[0]->Upsert(std::vector<Paper>{MakePaper("2503.00001")}, {}));
  EXPECT_TRUE(stores[1]->GetPaper("2503.00001")->has_value());
}

// Clicks wait in the node's queue: the node sees them at once, another node after a flush (or
// the node's end), each click counted once.
TEST(PgStoreTest, ClicksAreQueuedPerNodeAndSeenByOthersAfterAFlush) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = OpenOrDie(db.url());
  auto b = OpenOrDie(db.url());
  ASSERT_TRUE(a && b);
  const std::vector<std::string> ids = {"2503.00001"};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a->AddClick("2503.00001", "pdf").ok());
  EXPECT_EQ(a->GetClicks(ids)->at("2503.00001").pdf, 3);
  ASSERT_TRUE(a->Flush().ok());
  EXPECT_EQ(a->GetClicks(ids)->at("2503.00001").pdf, 3);
  EXPECT_EQ(b->GetClicks(ids)->at("2503.00001").pdf, 3);
  ASSERT_TRUE(b->AddClick("2503.00001", "kimi").ok());
  ASSERT_TRUE(a->AddClick("2503.00001", "pdf").ok());
  a.reset();  // the end of a node writes its queue
  Result<std::map<std::string, ClickCounts>> c = b->GetClicks(ids);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->at("2503.00001").pdf, 4);
  EXPECT_EQ(c->at("2503.00001").kimi, 1);
  using P = std::pair<std::string, int64_t>;
  EXPECT_THAT(*b->ClickTotals(), ::testing::ElementsAre(P{"2503.00001", 5}));
}

}  // namespace
}  // namespace coolpapers::store::postgres
