#include "sources/paper_url.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/fixture_path.h"

namespace coolpapers::sources {
namespace {

std::string Route(std::string_view url) {
  auto ref = ParsePaperUrl(url);
  return ref ? RouteFor(*ref) : "";
}

TEST(PaperUrlTest, TheSharedVectorsMapAsTheExtensionMapsThem) {
  auto doc = nlohmann::json::parse(testing::ReadFixture("paper_urls.json"), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  const auto& vectors = doc.at("vectors");
  ASSERT_GE(vectors.size(), 40u);
  for (const auto& v : vectors) {
    const std::string url = v.at("url");
    const std::string want = v.at("route").is_null() ? "" : v.at("route").get<std::string>();
    EXPECT_EQ(Route(url), want) << url;
  }
}

TEST(PaperUrlTest, KindsTellPapersFromLists) {
  auto paper = ParsePaperUrl("https://openreview.net/pdf?id=hSyW5go0v8");
  ASSERT_TRUE(paper);
  EXPECT_EQ(paper->kind, PaperRefKind::kVenue);
  EXPECT_EQ(paper->id, "hSyW5go0v8@OpenReview");
  auto list = ParsePaperUrl("  https://aclanthology.org/events/acl-2024/  ");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->kind, PaperRefKind::kVenueList);
  EXPECT_EQ(list->id, "ACL.2024");
  auto arxiv = ParsePaperUrl("HTTPS://ARXIV.ORG/abs/2402.12354v2");
  ASSERT_TRUE(arxiv);
  EXPECT_EQ(arxiv->kind, PaperRefKind::kArxiv);
  EXPECT_EQ(arxiv->id, "2402.12354");
}

TEST(PaperUrlTest, LongOrBrokenUrlsAreNotPapers) {
  EXPECT_EQ(Route("https://arxiv.org/abs/" + std::string(5000, '1')), "");
  EXPECT_EQ(Route("https://proceedings.mlr.press/v235/" + std::string(600, 'a') + ".html"), "");
  EXPECT_EQ(Route("https://arxiv.org/abs/%zz"), "");
  EXPECT_EQ(Route(""), "");
  EXPECT_EQ(Route("https://openreview.net/forum?id="), "");
  // Decoded paths and queries never put "..", spaces or line breaks into a route.
  EXPECT_EQ(Route("https://papers.cool/arxiv/240ohtt..2.154"), "");
  EXPECT_EQ(Route("https://papers.cool/venue/a%0d%0aSet-Cookie:x"), "");
  EXPECT_EQ(Route("https://openreview.net/forum?id=a%20b"), "");
  // An empty query before a fragment (found by the fuzzer).
  EXPECT_EQ(Route("https://openreview.net/group?#iLIR.C=dcc/2024/Conference"), "");
  EXPECT_EQ(Route("https://openreview.net/forum?#d=W8"), "");
  EXPECT_EQ(Route("https://openreview.net/forum?&&#id=x"), "");
  EXPECT_EQ(Route("https://openreview.net/forum?a=1&id=abc&id=def"), "/venue/abc@OpenReview");
}

}  // namespace
}  // namespace coolpapers::sources
