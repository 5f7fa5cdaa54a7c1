// Venue paper <-> arXiv links on the pages and in the API: "Also at: ACL 2024 (Long)" on the
// arXiv paper page, "arXiv: <id>" on the venue paper page, also_at / arxiv_id in the JSON.

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PaperLinksRoutesTest : public testing::RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    RegisterVenueRoutes(router_, services_);
  }
  // The fixture's 2606.00002 ("Title of 2606.00002", Ada Lovelace) is also ACL 2024 Long
  // paper 2024.acl-long.7 (same title in other case and punctuation, same first author);
  // 2024.acl-short.1 names no arXiv version and matches none.
  void LoadLinked() {
    LoadFixture();
    core::VenuePaper v;
    v.id = "2024.acl-long.7@ACL";
    v.venue = "ACL.2024";
    v.group = "Long";
    v.title = "TITLE of 2606.00002!";
    v.authors = {"Ada Lovelace"};
    core::VenuePaper other = v;
    other.id = "2024.acl-short.1@ACL";
    other.group = "Short";
    other.position = 1;
    other.title = "Nothing Like It";
    auto r = store_->UpsertVenuePapers(std::vector<core::VenuePaper>{v, other});
    ASSERT_TRUE(r) << r.error().ToString();
    ASSERT_EQ(r->linked, 1);
    PublishSeq();
  }
};

TEST_F(PaperLinksRoutesTest, ArxivPaperPageSaysAlsoAtTheVenue) {
  LoadLinked();
  Response r = Get("/arxiv/2606.00002");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(Body(r), HasSubstr("<p class=\"also-at\">Also at: <a class=\"venue-link\" "
                                 "href=\"/venue/2024.acl-long.7@ACL\">ACL 2024 (Long)</a></p>"));
  Response unlinked = Get("/arxiv/2606.00001");
  ASSERT_EQ(unlinked.status, 200);
  EXPECT_THAT(Body(unlinked), Not(HasSubstr("also-at")));
}

TEST_F(PaperLinksRoutesTest, VenuePaperPageLinksTheArxivVersion) {
  LoadLinked();
  Response r = Get("/venue/2024.acl-long.7@ACL");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(Body(r), HasSubstr("<li class=\"arxiv\">arXiv: <a class=\"arxiv-link\" "
                                 "href=\"/arxiv/2606.00002\">2606.00002</a></li>"));
  Response unlinked = Get("/venue/2024.acl-short.1@ACL");
  ASSERT_EQ(unlinked.status, 200);
  EXPECT_THAT(Body(unlinked), Not(HasSubstr("class=\"arxiv\"")));
}

TEST_F(PaperLinksRoutesTest, ApiNamesTheLinkOnBothSides) {
  LoadLinked();
  Response paper = Get("/api/papers/2606.00002");
  ASSERT_EQ(paper.status, 200);
  auto j = nlohmann::json::parse(Body(paper));
  ASSERT_EQ(j["also_at"].size(), 1u);
  EXPECT_EQ(j["also_at"][0]["id"], "2024.acl-long.7@ACL");
  EXPECT_EQ(j["also_at"][0]["edition"], "ACL.2024");
  EXPECT_EQ(j["also_at"][0]["group"], "Long");
  EXPECT_EQ(j["also_at"][0]["method"], "title");
  EXPECT_EQ(j["also_at"][0]["url"], "/venue/2024.acl-long.7@ACL");
  EXPECT_EQ(nlohmann::json::parse(Body(Get("/api/papers/2606.00001")))["also_at"].size(), 0u);

  Response list = Get("/api/list?venue=ACL.2024");
  ASSERT_EQ(list.status, 200);
  auto l = nlohmann::json::parse(Body(list));
  ASSERT_EQ(l["papers"].size(), 2u);
  EXPECT_EQ(l["papers"][0]["id"], "2024.acl-long.7@ACL");
  EXPECT_EQ(l["papers"][0]["arxiv_id"], "2606.00002");
  EXPECT_TRUE(l["papers"][1]["arxiv_id"].is_null());
}

}  // namespace
}  // namespace coolpapers::web
