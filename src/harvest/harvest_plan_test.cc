#include "harvest/harvest_plan.h"

#include <gtest/gtest.h>

namespace coolpapers::harvest {
namespace {

TEST(HarvestPlanTest, TwoCategoriesShareOneFeedRequest) {
  auto cats = ExpandCategories("cs.LG, cs.CL");
  ASSERT_TRUE(cats.has_value());
  HarvestPlan plan = PlanHarvest(*cats);
  EXPECT_EQ(plan.categories, (std::vector<std::string>{"cs.CL", "cs.LG"}));
  EXPECT_EQ(plan.rss_groups, (std::vector<std::string>{"cs.CL+cs.LG"}));
  EXPECT_EQ(plan.oai_sets, (std::vector<std::string>{"cs"}));
}

TEST(HarvestPlanTest, AWholeArchiveIsAskedByItsName) {
  auto cats = ExpandCategories("cs");
  ASSERT_TRUE(cats.has_value());
  EXPECT_GT(cats->size(), 35u);
  HarvestPlan plan = PlanHarvest(*cats);
  EXPECT_EQ(plan.rss_groups, (std::vector<std::string>{"cs"}));
  EXPECT_EQ(plan.oai_sets, (std::vector<std::string>{"cs"}));
}

TEST(HarvestPlanTest, AllOfArxivFitsInAFewRequests) {
  auto cats = ExpandCategories("all");
  ASSERT_TRUE(cats.has_value());
  HarvestPlan plan = PlanHarvest(*cats, 40);
  EXPECT_EQ(plan.rss_groups.size(), 1u);  // about 20 archive names joined with '+'
  EXPECT_NE(std::find(plan.oai_sets.begin(), plan.oai_sets.end(), "physics:hep-th"),
            plan.oai_sets.end());
}

TEST(HarvestPlanTest, AliasesResolveAndUnknownNamesFail) {
  auto cats = ExpandCategories("cs.SY");
  ASSERT_TRUE(cats.has_value());
  EXPECT_EQ(*cats, (std::vector<std::string>{"eess.SY"}));
  auto bad = ExpandCategories("cs.CL,cs.XX");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("cs.XX"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::harvest
