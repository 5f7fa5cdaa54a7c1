// Date ranges (?date=A..B) and replacements (?show_replacements=1) on arXiv list pages, feeds
// and /api/list, through a real Router and a temporary SqliteStore (route_test_fixture.h).

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RouteTest;

class ListRangeTest : public RouteTest {
 protected:
  // The route fixture (cs.CL: 2026-06-30 new 00001, 00002, cross 00004; 2026-06-26 new 00005),
  // plus: 00005 cross-listed to cs.LG on 2026-06-30 (a paper listed on two days of a union),
  // 00005 replaced in cs.CL on 2026-06-30, and 00001 replaced on 2026-07-01 (a day with only a
  // replacement) and 00006 (new in cs.LG, replace-cross in cs.CL) on 2026-06-30.
  void SetUp() override {
    RouteTest::SetUp();
    LoadFixture();
    using core::AnnounceType;
    std::vector<core::Paper> papers = {testing::MakePaper("2606.00006", {"cs.LG", "cs.CL"})};
    std::vector<core::Membership> ms = {
        testing::M("2606.00005", "cs.LG", "2026-06-30", AnnounceType::kCross, 3),
        testing::M("2606.00005", "cs.CL", "2026-06-30", AnnounceType::kReplace, 3),
        testing::M("2606.00006", "cs.CL", "2026-06-30", AnnounceType::kReplaceCross, 4),
        testing::M("2606.00006", "cs.LG", "2026-06-26", AnnounceType::kNew, 0),
        testing::M("2606.00001", "cs.CL", "2026-07-01", AnnounceType::kReplace, 0),
    };
    ASSERT_TRUE(store_->Upsert(papers, ms));
    PublishSeq();
  }

  static std::vector<std::string> PanelIds(const std::string& html) {
    std::vector<std::string> ids;
    const std::string marker = "<div class=\"panel paper\" id=\"";
    for (size_t pos = html.find(marker); pos != std::string::npos;
         pos = html.find(marker, pos + 1)) {
      size_t start = pos + marker.size();
      ids.push_back(html.substr(start, html.find('"', start) - start));
    }
    return ids;
  }
  // The text between two markers (for "which panels follow which heading").
  static std::string Between(const std::string& html, const std::string& from,
                             const std::string& to) {
    size_t a = html.find(from);
    if (a == std::string::npos) return "";
    size_t b = to.empty() ? std::string::npos : html.find(to, a);
    return html.substr(a, b == std::string::npos ? std::string::npos : b - a);
  }
};

TEST_F(ListRangeTest, RangeIsTheUnionOfItsDaysEachPaperOnceUnderDayHeadingsNewestFirst) {
  Response r = Get("/arxiv/cs.CL?date=2026-06-26..2026-06-30");
  ASSERT_EQ(r.status, 200) << Body(r);
  const std::string html = Body(r);
  const std::vector<std::string> ids = PanelIds(html);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_THAT(ids, ElementsAre("2606.00001", "2606.00002", "2606.00004", "2606.00005"));
  ASSERT_EQ(Count(html, "<h2 class=\"day-heading\""), 2);
  EXPECT_LT(html.find("id=\"day-2026-06-30\""), html.find("id=\"day-2026-06-26\""));
  EXPECT_THAT(html, HasSubstr("<h2 class=\"day-heading\" id=\"day-2026-06-30\"><a "
                              "href=\"/arxiv/cs.CL?date=2026-06-30\">2026-06-30</a> <span "
                              "class=\"day-counts\">2 new, 1 cross-lists</span></h2>"));
  // Sections under each day, ids carrying the day.
  EXPECT_THAT(html, HasSubstr("<h3 class=\"list-section\" id=\"section-new-2026-06-30\">"));
  EXPECT_THAT(html, HasSubstr("<h3 class=\"list-section\" id=\"section-cross-2026-06-30\">"));
  EXPECT_THAT(html, HasSubstr("<h3 class=\"list-section\" id=\"section-new-2026-06-26\">"));
  EXPECT_THAT(Between(html, "id=\"day-2026-06-26\"", ""), HasSubstr("id=\"2606.00005\""));
  EXPECT_THAT(html, HasSubstr("Computation and Language — 2026-06-26 to 2026-06-30 (2 days) — "
                              "3 new, 1 cross-lists"));
  EXPECT_THAT(html, HasSubstr("data-day=\"2026-06-26..2026-06-30\""));
  EXPECT_THAT(html, HasSubstr("<link rel=\"canonical\" "
                              "href=\"/arxiv/cs.CL?date=2026-06-26..2026-06-30\">"));
  // A paper keeps the date of the day it is listed under.
  EXPECT_THAT(html, Not(HasSubstr("section-replace")));
}

TEST_F(ListRangeTest, UnionsExpressionsAndArchivesTakeRangesAndListAPaperOnceAtItsFirstDay) {
  // 00005: new in cs.CL on 06-26 and cross-listed to cs.LG on 06-30; 00006 new in cs.LG 06-26.
  Response u = Get("/arxiv/cs.CL,cs.LG?date=2026-06-26..2026-06-30");
  ASSERT_EQ(u.status, 200) << Body(u);
  std::vector<std::string> ids = PanelIds(Body(u));
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "2606.00005"), 1);
  EXPECT_THAT(Between(Body(u), "id=\"day-2026-06-26\"", ""), HasSubstr("id=\"2606.00005\""));
  EXPECT_THAT(Between(Body(u), "id=\"day-2026-06-30\"", "id=\"day-2026-06-26\""),
              Not(HasSubstr("id=\"2606.00005\"")));

  Response expr = Get("/arxiv/cs.CL+cs.LG-cs.AI?date=2026-06-26..2026-06-30");
  ASSERT_EQ(expr.status, 200) << Body(expr);
  EXPECT_THAT(PanelIds(Body(expr)),
              ::testing::UnorderedElementsAre("2606.00001", "2606.00002", "2606.00005",
                                              "2606.00006"));
  Response archive = Get("/arxiv/cs?date=2026-06-26..2026-06-30");
  ASSERT_EQ(archive.status, 200) << Body(archive);
  EXPECT_EQ(PanelIds(Body(archive)).size(), 6u);
  EXPECT_EQ(Count(Body(archive), "<h2 class=\"day-heading\""), 2);
}

TEST_F(ListRangeTest, OneDayRangeIsThatDaysPage) {
  Response one = Get("/arxiv/cs.CL?date=2026-06-30..2026-06-30");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(Body(one), Body(Get("/arxiv/cs.CL?date=2026-06-30")));
  EXPECT_EQ(Count(Body(one), "day-heading"), 0);
}

TEST_F(ListRangeTest, MalformedReversedAndOverLongRangesAre400WithAHint) {
  Response reversed = Get("/arxiv/cs.CL?date=2026-06-30..2026-06-26");
  EXPECT_EQ(reversed.status, 400);
  EXPECT_THAT(Body(reversed), HasSubstr("ends before it starts"));
  EXPECT_THAT(Body(reversed), HasSubstr("2026-06-26..2026-06-30"));
  Response too_long = Get("/arxiv/cs.CL?date=2026-05-01..2026-06-30");
  EXPECT_EQ(too_long.status, 400);
  EXPECT_THAT(Body(too_long), HasSubstr("2026-05-01..2026-06-30"));
  EXPECT_THAT(Body(too_long), HasSubstr("spans 61 days; at most 31 days"));
  Response bad = Get("/arxiv/cs.CL?date=2026-06-26..tomorrow");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(Body(bad), HasSubstr("does not end with a day"));
  EXPECT_THAT(Body(bad), HasSubstr("?date=2026-06-29..2026-07-03"));
  EXPECT_EQ(Get("/arxiv/cs.CL?date=..2026-06-30").status, 400);
  EXPECT_EQ(Get("/arxiv/cs.CL/feed?date=2026-06-30..2026-06-26").status, 400);
  Response api = Get("/api/list?cat=cs.CL&date=2026-06-30..2026-06-26");
  EXPECT_EQ(api.status, 400);
  EXPECT_THAT(Body(api), HasSubstr("\"hint\""));
  // A range without any listing: 404 naming the nearest days.
  Response none = Get("/arxiv/cs.CL?date=2026-06-27..2026-06-29");
  EXPECT_EQ(none.status, 404);
  EXPECT_THAT(Body(none), HasSubstr("href=\"/arxiv/cs.CL?date=2026-06-26\""));
  EXPECT_THAT(Body(none), HasSubstr("href=\"/arxiv/cs.CL?date=2026-06-30\""));
}

TEST_F(ListRangeTest, ListHeaderLinksThisWeekAndTheLastSevenDays) {
  // The newest cs.CL listing is 2026-06-30 (a Tuesday).
  const std::string html = Body(Get("/arxiv/cs.CL?date=2026-06-26"));
  EXPECT_THAT(html, HasSubstr("<a class=\"range-week\" "
                              "href=\"/arxiv/cs.CL?date=2026-06-29..2026-06-30\">This week</a>"));
  EXPECT_THAT(html, HasSubstr("<a class=\"range-last7\" "
                              "href=\"/arxiv/cs.CL?date=2026-06-24..2026-06-30\">Last 7 days</a>"));
  EXPECT_EQ(Get("/arxiv/cs.CL?date=2026-06-24..2026-06-30").status, 200);
}

TEST_F(ListRangeTest, RangePagesLinkTheRangesAsLongBeforeAndAfter) {
  // Listing days of cs.CL: 2026-06-26 and 2026-06-30.
  const std::string late = Body(Get("/arxiv/cs.CL?date=2026-06-29..2026-06-30"));
  EXPECT_THAT(late, HasSubstr("<a class=\"day-prev\" rel=\"prev\" "
                              "href=\"/arxiv/cs.CL?date=2026-06-27..2026-06-28\">"));
  EXPECT_THAT(late, Not(HasSubstr("rel=\"next\"")));
  const std::string early = Body(Get("/arxiv/cs.CL?date=2026-06-25..2026-06-26"));
  EXPECT_THAT(early, HasSubstr("<a class=\"day-next\" rel=\"next\" "
                               "href=\"/arxiv/cs.CL?date=2026-06-27..2026-06-28\">"));
  EXPECT_THAT(early, Not(HasSubstr("rel=\"prev\"")));
}

TEST_F(ListRangeTest, RangePagesAreCachedUntilTheStoreChanges) {
  cache_->Clear();
  const std::string target = "/arxiv/cs.CL?date=2026-06-26..2026-06-30";
  Response first = Get(target);
  ASSERT_EQ(first.status, 200);
  auto before = cache_->GetStats();
  Response second = Get(target);
  EXPECT_EQ(Body(second), Body(first));
  EXPECT_EQ(cache_->GetStats().hits, before.hits + 1);
  EXPECT_EQ(cache_->GetStats().renders, before.renders);
  std::vector<core::Paper> papers = {testing::MakePaper("2606.00009", {"cs.CL"})};
  std::vector<core::Membership> ms = {
      testing::M("2606.00009", "cs.CL", "2026-06-26", core::AnnounceType::kNew, 5)};
  ASSERT_TRUE(store_->Upsert(papers, ms));
  PublishSeq();
  EXPECT_THAT(Body(Get(target)), HasSubstr("id=\"2606.00009\""));
  // ?show=N on a range page shares its entry and defers the rest.
  Response shown = Get(target + "&show=1");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(Count(Body(shown), "data-deferred=\"1\" hidden>"), 4);
  EXPECT_THAT(Body(shown), HasSubstr("href=\"/arxiv/cs.CL?date=2026-06-26..2026-06-30\">Show all"));
}

TEST_F(ListRangeTest, ReplacementsAreAThirdSectionOnlyWhenAskedFor) {
  const std::string plain = Body(Get("/arxiv/cs.CL?date=2026-06-30"));
  EXPECT_THAT(PanelIds(plain), ElementsAre("2606.00001", "2606.00002", "2606.00004"));
  EXPECT_THAT(plain, HasSubstr("<a class=\"replacements-toggle\" aria-pressed=\"false\" "
                               "href=\"/arxiv/cs.CL?date=2026-06-30&amp;show_replacements=1\">"
                               "Show replacements</a>"));
  Response r = Get("/arxiv/cs.CL?date=2026-06-30&show_replacements=1");
  ASSERT_EQ(r.status, 200) << Body(r);
  const std::string html = Body(r);
  // New, cross-lists, then replaced papers and replaced cross-lists as one section.
  ASSERT_EQ(PanelIds(html).size(), 5u);
  EXPECT_THAT(PanelIds(html), ElementsAre("2606.00001", "2606.00002", "2606.00004",
                                          "2606.00005", "2606.00006"));
  ASSERT_EQ(Count(html, "class=\"list-section\""), 3);
  EXPECT_THAT(html, HasSubstr("<h2 class=\"list-section\" id=\"section-replace\">Replacements</h2>"));
  EXPECT_THAT(Between(html, "id=\"section-replace\"", ""), HasSubstr("id=\"2606.00005\""));
  EXPECT_THAT(html, HasSubstr("replaced cross-list from cs.LG"));
  EXPECT_THAT(html, HasSubstr("2 new, 1 cross-lists, 2 replacements"));
  EXPECT_THAT(html, HasSubstr("aria-pressed=\"true\" href=\"/arxiv/cs.CL?date=2026-06-30\">"
                              "Hide replacements</a>"));
  // Links keep the option.
  EXPECT_THAT(html, HasSubstr("rel=\"prev\" href=\"/arxiv/cs.CL?date=2026-06-26&amp;"
                              "show_replacements=1\""));
  EXPECT_THAT(html, HasSubstr("<input type=\"hidden\" name=\"show_replacements\" value=\"1\">"));
  EXPECT_EQ(Get("/arxiv/cs.CL?date=2026-06-30&show_replacements=0").status, 200);
  EXPECT_EQ(PanelIds(Body(Get("/arxiv/cs.CL?date=2026-06-30&show_replacements=0"))).size(), 3u);
  Response bad = Get("/arxiv/cs.CL?show_replacements=maybe");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(Body(bad), HasSubstr("show_replacements=1"));
}

TEST_F(ListRangeTest, ReplacementsInARangeNeverRepeatAnAnnouncedPaper) {
  // 00005 new on 06-26 and replaced on 06-30: listed once, as new on 06-26. 00001 new on 06-30
  // and replaced on 07-01: once, on 06-30. 00006 only replaced in cs.CL: in the replacements.
  Response r = Get("/arxiv/cs.CL?date=2026-06-26..2026-07-01&show_replacements=1");
  ASSERT_EQ(r.status, 200) << Body(r);
  const std::string html = Body(r);
  std::vector<std::string> ids = PanelIds(html);
  ASSERT_EQ(ids.size(), 5u);
  for (const char* id : {"2606.00001", "2606.00005"}) {
    EXPECT_EQ(std::count(ids.begin(), ids.end(), id), 1) << id;
  }
  EXPECT_THAT(Between(html, "id=\"day-2026-06-26\"", ""), HasSubstr("id=\"2606.00005\""));
  EXPECT_THAT(Between(html, "id=\"section-replace-2026-06-30\"", "id=\"day-2026-06-26\""),
              HasSubstr("id=\"2606.00006\""));
  // The 07-01 listing had only a replacement already shown as new: no heading for it.
  EXPECT_THAT(html, Not(HasSubstr("id=\"day-2026-07-01\"")));
  EXPECT_THAT(html, HasSubstr("show_replacements=1"));
}

TEST_F(ListRangeTest, FeedTakesARangeAndReplacements) {
  Response r = Get("/arxiv/cs.CL/feed?date=2026-06-26..2026-06-30");
  ASSERT_EQ(r.status, 200) << Body(r);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(Body(r).c_str())) << Body(r);
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.find_child_by_attribute("link", "rel", "self").attribute("href").value(),
               "http://127.0.0.1:8080/arxiv/cs.CL/feed?date=2026-06-26..2026-06-30");
  std::vector<std::string> ids;
  for (pugi::xml_node e : feed.children("entry")) ids.push_back(e.child_value("id"));
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_THAT(ids.back(), HasSubstr("2606.00005"));
  EXPECT_THAT(feed.child_value("subtitle"), HasSubstr("from 2026-06-26 to 2026-06-30: 4 papers"));

  Response day = Get("/arxiv/cs.CL/feed?date=2026-06-26");
  pugi::xml_document d2;
  ASSERT_TRUE(d2.load_string(Body(day).c_str()));
  EXPECT_EQ(std::distance(d2.child("feed").children("entry").begin(),
                          d2.child("feed").children("entry").end()),
            1);
  // The newest listing day is 2026-06-30 (07-01 has only a replacement): 3 papers, and with
  // its two replacements 5.
  auto entries = [this](const std::string& target) {
    pugi::xml_document d;
    EXPECT_TRUE(d.load_string(Body(Get(target)).c_str())) << target;
    return std::distance(d.child("feed").children("entry").begin(),
                         d.child("feed").children("entry").end());
  };
  EXPECT_EQ(entries("/arxiv/cs.CL/feed"), 3);
  EXPECT_EQ(entries("/arxiv/cs.CL/feed?show_replacements=1"), 5);
}

TEST_F(ListRangeTest, ApiListTakesARangeAndReplacements) {
  Response r = Get("/api/list?cat=cs.CL&date=2026-06-26..2026-06-30");
  ASSERT_EQ(r.status, 200) << Body(r);
  nlohmann::json j = nlohmann::json::parse(Body(r));
  EXPECT_EQ(j["day"], "2026-06-26..2026-06-30");
  EXPECT_EQ(j["from"], "2026-06-26");
  EXPECT_EQ(j["to"], "2026-06-30");
  ASSERT_EQ(j["count"], 4);
  ASSERT_EQ(j["papers"].size(), 4u);
  EXPECT_EQ(j["papers"][0]["day"], "2026-06-30");
  EXPECT_EQ(j["papers"][3]["id"], "2606.00005");
  EXPECT_EQ(j["papers"][3]["day"], "2026-06-26");
  ASSERT_EQ(j["days"].size(), 2u);
  EXPECT_EQ(j["days"][0]["day"], "2026-06-30");
  EXPECT_EQ(j["days"][0]["count"], 3);

  nlohmann::json repl = nlohmann::json::parse(
      Body(Get("/api/list?cat=cs.CL&date=2026-06-30&show_replacements=1")));
  ASSERT_EQ(repl["count"], 5);
  EXPECT_EQ(repl["papers"][3]["announce_type"], "replace");
  EXPECT_EQ(repl["papers"][4]["announce_type"], "replace-cross");
  nlohmann::json plain =
      nlohmann::json::parse(Body(Get("/api/list?cat=cs.CL&date=2026-06-30")));
  EXPECT_EQ(plain["count"], 3);
}

}  // namespace
}  // namespace coolpapers::web
