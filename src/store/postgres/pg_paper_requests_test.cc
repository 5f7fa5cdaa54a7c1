#include "store/postgres/pg_paper_requests.h"

#include <gtest/gtest.h>

#include "store/testing/temp_pg.h"

namespace coolpapers::store::postgres {
namespace {

class PgPaperRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.error();
    PaperRequestLimits limits;
    limits.per_client = 2;
    limits.total = 3;
    auto a = PgPaperRequests::Open(db_.url(), limits);
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    node_a_ = std::move(*a);
    auto b = PgPaperRequests::Open(db_.url(), limits);
    ASSERT_TRUE(b.has_value()) << b.error().ToString();
    node_b_ = std::move(*b);
  }
  testing::TempPgDatabase db_;
  std::unique_ptr<PgPaperRequests> node_a_, node_b_;
};

TEST_F(PgPaperRequestsTest, ARequestOnOneNodeIsTakenOnceByTheLeaderAndSettled) {
  auto st = node_a_->Request("2607.00001", "10.0.0.1");
  ASSERT_TRUE(st.has_value()) << st.error().ToString();
  EXPECT_EQ(*st, "queued");
  EXPECT_EQ(*node_b_->Request("2607.00001", "10.0.0.2"), "queued");  // the same request
  auto taken = node_b_->Take(10);
  ASSERT_TRUE(taken.has_value()) << taken.error().ToString();
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].id, "2607.00001");
  EXPECT_EQ((*taken)[0].client, "10.0.0.1");
  EXPECT_EQ(node_a_->Take(10)->size(), 0u);
  EXPECT_EQ(*node_a_->State("2607.00001"), "fetching");
  ASSERT_TRUE(node_b_->Settle("2607.00001", "not found").ok());
  EXPECT_EQ(*node_a_->Request("2607.00001", "10.0.0.1"), "not found");  // recently settled
  EXPECT_EQ(*node_a_->State("2607.99999"), "");
}

TEST_F(PgPaperRequestsTest, PerClientAndTotalLimitsCountTheWholeCluster) {
  ASSERT_EQ(*node_a_->Request("2607.00001", "alice"), "queued");
  ASSERT_EQ(*node_b_->Request("2607.00002", "alice"), "queued");
  auto third = node_a_->Request("2607.00003", "alice");
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code(), StatusCode::kResourceExhausted) << third.error().ToString();
  ASSERT_EQ(*node_b_->Request("2607.00003", "bob"), "queued");
  auto full = node_a_->Request("2607.00004", "carol");
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code(), StatusCode::kUnavailable) << full.error().ToString();
  // Settled requests no longer count.
  ASSERT_EQ(node_a_->Take(1)->size(), 1u);
  ASSERT_TRUE(node_a_->Settle("2607.00001", "stored").ok());
  EXPECT_EQ(*node_a_->Request("2607.00004", "carol"), "queued");
}

TEST_F(PgPaperRequestsTest, ANewLeaderRequeuesWhatTheOldOneWasFetching) {
  ASSERT_EQ(*node_a_->Request("2607.00001", "alice"), "queued");
  ASSERT_EQ(node_a_->Take(10)->size(), 1u);
  auto n = node_b_->RequeueFetching();
  ASSERT_TRUE(n.has_value()) << n.error().ToString();
  EXPECT_EQ(*n, 1);
  auto taken = node_b_->Take(10);
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].id, "2607.00001");
}

}  // namespace
}  // namespace coolpapers::store::postgres
