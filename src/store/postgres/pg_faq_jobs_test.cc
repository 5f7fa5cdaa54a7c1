#include "store/postgres/pg_faq_jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

using std::chrono::seconds;

SharedFaqJobSpec Spec(const std::string& key = "2304.02623v1|en|m|p1") {
  SharedFaqJobSpec s;
  s.key = key;
  s.paper_id = "2304.02623";
  s.version = 1;
  s.lang = "en";
  return s;
}

std::unique_ptr<PgFaqJobs> Node(const testing::TempPgDatabase& db, const std::string& id,
                                seconds lease = seconds(30)) {
  auto j = PgFaqJobs::Open(db.url(), id, lease);
  EXPECT_TRUE(j) << (j ? "" : j.error().ToString());
  return j ? *std::move(j) : nullptr;
}

// Ends the lease of every running row at once (what waiting for the lease to run out does).
void ExpireLeases(const testing::TempPgDatabase& db) {
  pqxx::connection c(db.url());
  pqxx::nontransaction n(c);
  n.exec("UPDATE faq_jobs SET lease_until = now() - interval '1 second' WHERE state = 'running'");
}

TEST(PgFaqJobsTest, OfManyNodesClaimingOneKeyAtOnceExactlyOneWins) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  constexpr int kNodes = 8;
  std::vector<std::unique_ptr<PgFaqJobs>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(Node(db, "node" + std::to_string(i)));
  ASSERT_EQ(nodes.size(), static_cast<size_t>(kNodes));
  for (const auto& n : nodes) ASSERT_NE(n, nullptr);
  std::atomic<int> claimed{0}, held{0}, errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      Result<ClaimResult> r = nodes[i]->Claim(Spec(), false);
      if (!r) {
        ++errors;
      } else if (r->outcome == ClaimOutcome::kClaimed) {
        ++claimed;
      } else if (r->outcome == ClaimOutcome::kHeldElsewhere) {
        ++held;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(claimed, 1);
  EXPECT_EQ(held, kNodes - 1);
  Result<std::optional<SharedFaqJob>> row = nodes[0]->Get(Spec().key);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->generation, 1);
  EXPECT_TRUE((*row)->lease_live);
}

TEST(PgFaqJobsTest, AfterTheLeaseExpiresAnotherNodeClaimsAndTheOldOwnerCanNoLongerWrite) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = Node(db, "a");
  auto b = Node(db, "b");
  ASSERT_TRUE(a && b);
  Result<ClaimResult> ca = a->Claim(Spec(), false);
  ASSERT_TRUE(ca && ca->outcome == ClaimOutcome::kClaimed);
  const int64_t gen_a = ca->job->generation;
  Result<ClaimResult> cb = b->Claim(Spec(), false);
  ASSERT_TRUE(cb);
  EXPECT_EQ(cb->outcome, ClaimOutcome::kHeldElsewhere);
  ASSERT_TRUE(cb->job);
  EXPECT_EQ(cb->job->owner, "a");
  EXPECT_TRUE(cb->job->lease_live);
  EXPECT_TRUE(*a->Renew(Spec().key, gen_a));

  ExpireLeases(db);
  Result<std::vector<SharedFaqJob>> expired = b->Expired(10);
  ASSERT_TRUE(expired);
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].spec.paper_id, "2304.02623");
  cb = b->Claim(Spec(), false);
  ASSERT_TRUE(cb);
  EXPECT_EQ(cb->outcome, ClaimOutcome::kClaimed);
  EXPECT_GT(cb->job->generation, gen_a);

  // The old owner lost it: every write is refused and changes nothing.
  EXPECT_FALSE(*a->Renew(Spec().key, gen_a));
  SharedFaqProgress p;
  p.items_json = R"([{"q":"x","a":"stale"}])";
  p.answered = 1;
  EXPECT_FALSE(*a->Progress(Spec().key, gen_a, p));
  EXPECT_FALSE(*a->Complete(Spec().key, gen_a, p, "2026-01-01 00:00:00"));
  EXPECT_FALSE(*a->Fail(Spec().key, gen_a, "why"));
  EXPECT_FALSE(*a->Release(Spec().key, gen_a));
  Result<std::optional<SharedFaqJob>> row = b->Get(Spec().key);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->owner, "b");
  EXPECT_EQ((*row)->answered, 0);
  EXPECT_EQ((*row)->state, SharedFaqJob::State::kRunning);
}

TEST(PgFaqJobsTest, PartialAnswerRoundTripsAndIsResumedByTheNextOwner) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = Node(db, "a");
  auto b = Node(db, "b");
  ASSERT_TRUE(a && b);
  Result<ClaimResult> ca = a->Claim(Spec(), false);
  ASSERT_TRUE(ca && ca->outcome == ClaimOutcome::kClaimed);
  SharedFaqProgress p;
  p.items_json = R"([{"q":"Q1","a":"A1"},{"q":"Q2","a":"A2 so f"}])";
  p.answered = 1;
  p.tokens = 120;
  p.source = "pdf";
  ASSERT_TRUE(*a->Progress(Spec().key, ca->job->generation, p));
  Result<std::optional<SharedFaqJob>> seen = b->Get(Spec().key);
  ASSERT_TRUE(seen && *seen);
  EXPECT_EQ((*seen)->items_json, p.items_json);
  EXPECT_EQ((*seen)->answered, 1);
  EXPECT_EQ((*seen)->tokens, 120);
  EXPECT_EQ((*seen)->source, "pdf");

  // A released job (its node stopping) is taken at once, its partial answer kept.
  ASSERT_TRUE(*a->Release(Spec().key, ca->job->generation));
  Result<ClaimResult> cb = b->Claim(Spec(), false);
  ASSERT_TRUE(cb && cb->outcome == ClaimOutcome::kClaimed);
  EXPECT_EQ(cb->job->items_json, p.items_json);
  EXPECT_EQ(cb->job->answered, 1);
  EXPECT_EQ(cb->job->tokens, 120);

  SharedFaqProgress done = p;
  done.items_json = R"([{"q":"Q1","a":"A1"},{"q":"Q2","a":"A2"}])";
  done.answered = 2;
  done.tokens = 240;
  ASSERT_TRUE(*b->Complete(Spec().key, cb->job->generation, done, "2026-12-04 10:00:00"));
  Result<ClaimResult> again = a->Claim(Spec(), false);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, ClaimOutcome::kFinished);
  EXPECT_EQ(again->job->items_json, done.items_json);
  EXPECT_EQ(again->job->created, "2026-12-04 10:00:00");
  EXPECT_FALSE(again->job->lease_live);
  // Regenerating starts over: nothing of the old answer is kept.
  Result<ClaimResult> restart = a->Claim(Spec(), true);
  ASSERT_TRUE(restart && restart->outcome == ClaimOutcome::kClaimed);
  EXPECT_EQ(restart->job->items_json, "[]");
  EXPECT_EQ(restart->job->answered, 0);
  EXPECT_EQ(restart->job->tokens, 0);
}

TEST(PgFaqJobsTest, AFailedJobIsClaimedAnewWithoutItsPartialAnswer) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = Node(db, "a");
  ASSERT_TRUE(a);
  Result<ClaimResult> ca = a->Claim(Spec(), false);
  ASSERT_TRUE(ca && ca->outcome == ClaimOutcome::kClaimed);
  SharedFaqProgress p;
  p.items_json = R"([{"q":"Q1","a":"A1"}])";
  p.answered = 1;
  ASSERT_TRUE(*a->Progress(Spec().key, ca->job->generation, p));
  ASSERT_TRUE(*a->Fail(Spec().key, ca->job->generation, "the model is down"));
  Result<std::optional<SharedFaqJob>> row = a->Get(Spec().key);
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->state, SharedFaqJob::State::kFailed);
  EXPECT_EQ((*row)->error, "the model is down");
  Result<ClaimResult> again = a->Claim(Spec(), false);
  ASSERT_TRUE(again && again->outcome == ClaimOutcome::kClaimed);
  EXPECT_EQ(again->job->answered, 0);
  EXPECT_EQ(again->job->error, "");
}

TEST(PgFaqJobsTest, FinishedRowsAreForgottenAfterADay) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = Node(db, "a");
  ASSERT_TRUE(a);
  for (const char* key : {"old", "new", "running"}) {
    Result<ClaimResult> c = a->Claim(Spec(key), false);
    ASSERT_TRUE(c && c->outcome == ClaimOutcome::kClaimed);
    if (std::string(key) != "running") {
      ASSERT_TRUE(*a->Fail(key, c->job->generation, "x"));
    }
  }
  {
    pqxx::connection c(db.url());
    pqxx::nontransaction n(c);
    n.exec("UPDATE faq_jobs SET updated = now() - interval '25 hours'"
           " WHERE key IN ('old', 'running')");
  }
  ASSERT_TRUE(a->Expired(10));
  EXPECT_FALSE(*a->Get("old"));
  EXPECT_TRUE(*a->Get("new"));
  EXPECT_TRUE(*a->Get("running"));  // still leased: never forgotten
}

TEST(PgFaqJobsTest, ClientBucketAndTokenCounterAreSharedByTwoConnections) {
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto a = Node(db, "a");
  auto b = Node(db, "b");
  ASSERT_TRUE(a && b);
  seconds wait{0};
  EXPECT_TRUE(*a->TakeClientStart("10.0.0.1", 2, &wait));
  EXPECT_TRUE(*b->TakeClientStart("10.0.0.1", 2, &wait));
  EXPECT_FALSE(*a->TakeClientStart("10.0.0.1", 2, &wait));  // two per hour, on any node
  EXPECT_GE(wait.count(), 1790);
  EXPECT_LE(wait.count(), 1800);
  EXPECT_TRUE(*b->TakeClientStart("10.0.0.2", 2, &wait));  // another client has its own
  EXPECT_TRUE(*b->TakeClientStart("10.0.0.1", 0, &wait));  // 0: not limited

  EXPECT_EQ(*a->TokensOn("2026-12-04"), 0);
  EXPECT_EQ(*a->AddTokens("2026-12-04", 100), 100);
  EXPECT_EQ(*b->AddTokens("2026-12-04", 50), 150);
  EXPECT_EQ(*b->AddTokens("2026-12-05", 7), 7);
  EXPECT_EQ(*a->TokensOn("2026-12-04"), 150);
  EXPECT_EQ(*b->TokensOn("2026-12-05"), 7);
}

TEST(PgFaqJobsTest, OpensNothingForSqliteAndMigratesOnce) {
  Result<std::unique_ptr<SharedFaqJobs>> none = OpenSharedFaqJobs("sqlite:/tmp/x.db", "n");
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
  testing::TempPgDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  auto one = OpenSharedFaqJobs(db.url(), "n1", seconds(600));
  auto two = OpenSharedFaqJobs(db.url(), "n2");
  ASSERT_TRUE(one && *one) << (one ? "" : one.error().ToString());
  ASSERT_TRUE(two && *two);
  EXPECT_EQ((*one)->lease(), seconds(60));  // clamped
  EXPECT_EQ((*two)->lease(), seconds(30));
  auto c = Connect(db.url());
  ASSERT_TRUE(c);
  EXPECT_EQ(*SchemaVersion(**c, "faq_jobs"), 1);
  EXPECT_NE(NewNodeId(), NewNodeId());
}

}  // namespace
}  // namespace coolpapers::store::postgres
