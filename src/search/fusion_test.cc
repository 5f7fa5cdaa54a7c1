#include "search/fusion.h"

#include <gtest/gtest.h>

namespace coolpapers::search {
namespace {

TEST(ReciprocalRankFusion, ScoresAreSumsOfWeightedReciprocalRanks) {
  auto fused = ReciprocalRankFusion({{{"a", "b", "c"}, 1.0}, {{"c", "a", "d"}, 0.5}}, 60);
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0].id, "a");
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61 + 0.5 / 62);
  EXPECT_EQ(fused[0].ranks, (std::vector<int>{1, 2}));
  EXPECT_EQ(fused[1].id, "c");
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 63 + 0.5 / 61);
  EXPECT_EQ(fused[2].id, "b");
  EXPECT_DOUBLE_EQ(fused[2].score, 1.0 / 62);
  EXPECT_EQ(fused[3].id, "d");
  EXPECT_EQ(fused[3].ranks, (std::vector<int>{0, 3}));
}

TEST(ReciprocalRankFusion, TiesBreakByBestRankThenId) {
  auto fused = ReciprocalRankFusion({{{"x", "y"}, 1.0}, {{"y", "x"}, 1.0}}, 10);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].score, fused[1].score);
  EXPECT_EQ(fused[0].id, "x");
  auto dup = ReciprocalRankFusion({{{"x", "x", "y"}, 1.0}}, 10);
  ASSERT_EQ(dup.size(), 2u);
  EXPECT_DOUBLE_EQ(dup[0].score, 1.0 / 11);  // a duplicate counts once
  EXPECT_TRUE(ReciprocalRankFusion({}, 60).empty());
}

}  // namespace
}  // namespace coolpapers::search
