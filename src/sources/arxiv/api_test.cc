#include "sources/arxiv/api.h"

#include <gtest/gtest.h>

#include "core/fixture_path.h"

namespace coolpapers::sources::arxiv {
namespace {

using testing::ReadFixture;

TEST(ArxivApiTest, ReadsAnIdLookup) {
  auto feed = ParseArxivApi(ReadFixture("arxiv/api/id_1605.08386_s0_m100_199195aa31ad.xml"), "f");
  ASSERT_TRUE(feed.has_value()) << feed.error().ToString();
  EXPECT_EQ(feed->total_results, 1);
  EXPECT_EQ(feed->items_per_page, 100);
  ASSERT_EQ(feed->papers.size(), 1u);
  const core::Paper& p = feed->papers[0];
  EXPECT_EQ(p.id, "1605.08386");
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.title, "Heat-bath random walks with Markov bases");
  EXPECT_EQ(p.authors, (std::vector<std::string>{"Caprice Stanley", "Tobias Windisch"}));
  ASSERT_GE(p.categories.size(), 2u);
  EXPECT_EQ(p.categories[0], "math.CO");
  EXPECT_EQ(p.comments, "20 pages, 3 figures");
  EXPECT_EQ(p.published, "2016-05-26 17:59:46");
  EXPECT_EQ(p.updated, "2016-05-26 17:59:46");
}

TEST(ArxivApiTest, ReadsOldStyleIds) {
  auto feed = ParseArxivApi(
      ReadFixture("arxiv/api/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"), "f");
  ASSERT_TRUE(feed.has_value()) << feed.error().ToString();
  ASSERT_EQ(feed->papers.size(), 1u);
  EXPECT_EQ(feed->papers[0].id, "astro-ph/0601001");
  EXPECT_FALSE(feed->papers[0].abstract.empty());
}

TEST(ArxivApiTest, SearchPageHasTotalsAndAllEntries) {
  auto feed = ParseArxivApi(ReadFixture("arxiv/api/q_testing_s0_m100_cfe7536492ca.xml"), "f");
  ASSERT_TRUE(feed.has_value()) << feed.error().ToString();
  EXPECT_EQ(feed->total_results, 214881);
  EXPECT_EQ(feed->papers.size(), 100u);
  EXPECT_TRUE(feed->skipped.empty());
}

TEST(ArxivApiTest, EmptyResult) {
  auto feed = ParseArxivApi(ReadFixture("arxiv/api/id_0000.0000_s0_m100_8b51d9633a68.xml"), "f");
  ASSERT_TRUE(feed.has_value());
  EXPECT_EQ(feed->total_results, 0);
  EXPECT_TRUE(feed->papers.empty());
}

TEST(ArxivApiTest, ErrorEntryBecomesInvalidArgumentWithArxivsMessage) {
  auto feed = ParseArxivApi(ReadFixture("arxiv/api/id_abc_s0_m100_b79c8dcf6bc3.xml"), "api?abc");
  ASSERT_FALSE(feed.has_value());
  EXPECT_EQ(feed.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(feed.error().message().find("incorrect id format for abc"), std::string::npos);
}

TEST(ArxivApiTest, MalformedXmlIsCorruption) {
  std::string xml = ReadFixture("arxiv/api/id_1605.08386_s0_m100_199195aa31ad.xml");
  auto feed = ParseArxivApi(xml.substr(0, 700), "http://x/api/query?id_list=1605.08386");
  ASSERT_FALSE(feed.has_value());
  EXPECT_EQ(feed.error().code(), StatusCode::kCorruption);
  EXPECT_NE(feed.error().message().find("id_list=1605.08386"), std::string::npos);
}

TEST(ArxivApiTest, IdListUrl) {
  ArxivEndpoints e{"http://127.0.0.1:5"};
  std::vector<std::string> ids = {"2402.12354", "hep-th/9901001"};
  EXPECT_EQ(ApiIdListUrl(e, ids),
            "http://127.0.0.1:5/api/query?id_list=2402.12354,hep-th/9901001&start=0&max_results=2");
}

}  // namespace
}  // namespace coolpapers::sources::arxiv
