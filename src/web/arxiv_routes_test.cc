// Handler tests through a real Router and a temporary SqliteStore (route_test_fixture.h).

#include <cstdio>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RouteTest;

class ArxivRoutesTest : public RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    LoadFixture();
  }
  // Panel ids in page order.
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
};

TEST_F(ArxivRoutesTest, CategoryPageListsTheLatestDayNewThenCross) {
  Response r = Get("/arxiv/cs.CL");
  ASSERT_EQ(r.status, 200) << Body(r);
  std::string html = Body(r);
  EXPECT_THAT(PanelIds(html), ::testing::ElementsAre("2606.00001", "2606.00002", "2606.00004"));
  EXPECT_THAT(html, HasSubstr("Computation and Language — 2026-06-30 — 2 new, 1 cross-lists"));
  EXPECT_THAT(html, HasSubstr("<body id=\"arxiv\">"));
  EXPECT_THAT(html, HasSubstr("<link rel=\"alternate\" type=\"application/atom+xml\" "
                              "title=\"Atom feed\" href=\"/arxiv/cs.CL/feed\">"));
  EXPECT_THAT(html, HasSubstr("<link rel=\"canonical\" href=\"/arxiv/cs.CL?date=2026-06-30\">"));
  // Previous day link and the picker over stored days.
  EXPECT_THAT(html, HasSubstr("rel=\"prev\" href=\"/arxiv/cs.CL?date=2026-06-26\""));
  EXPECT_THAT(html, Not(HasSubstr("rel=\"next\"")));
  EXPECT_THAT(html, HasSubstr("<option value=\"2026-06-30\" selected>2026-06-30 (3)</option>"));
  EXPECT_THAT(html, HasSubstr("<option value=\"2026-06-26\">2026-06-26 (1)</option>"));
  EXPECT_THAT(html, HasSubstr("cross-list from cs.AI"));
  // Escaping of the hostile title.
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, HasSubstr("A &lt;script&gt;alert(1)&lt;/script&gt; &amp; $\\alpha&lt;\\beta$"));
}

TEST_F(ArxivRoutesTest, DateParameterSelectsADay) {
  Response r = Get("/arxiv/cs.CL?date=2026-06-26");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(PanelIds(Body(r)), ::testing::ElementsAre("2606.00005"));
  EXPECT_THAT(Body(r), HasSubstr("rel=\"next\" href=\"/arxiv/cs.CL?date=2026-06-30\""));
  // A day-only published date renders as midnight.
  EXPECT_THAT(Body(r), HasSubstr("<span class=\"date-data\">2026-06-25 00:00:00</span>"));
}

TEST_F(ArxivRoutesTest, BadAndMissingDays) {
  Response bad = Get("/arxiv/cs.CL?date=2026-13-45");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(Body(bad), HasSubstr("YYYY-MM-DD"));
  EXPECT_EQ(Get("/arxiv/cs.CL?date=yesterday").status, 400);
  Response none = Get("/arxiv/cs.CL?date=2026-06-28");
  EXPECT_EQ(none.status, 404);
  EXPECT_THAT(Body(none), HasSubstr("href=\"/arxiv/cs.CL?date=2026-06-26\""));
  EXPECT_THAT(Body(none), HasSubstr("href=\"/arxiv/cs.CL?date=2026-06-30\""));
  Response empty_cat = Get("/arxiv/math.AG");
  EXPECT_EQ(empty_cat.status, 404);
  EXPECT_THAT(Body(empty_cat), HasSubstr("No day of math.AG is stored yet"));
}

TEST_F(ArxivRoutesTest, UnionListsEachPaperOnce) {
  Response r = Get("/arxiv/cs.CL,cs.LG");
  ASSERT_EQ(r.status, 200) << Body(r);
  std::vector<std::string> ids = PanelIds(Body(r));
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "2606.00001"), 1);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("2606.00001", "2606.00002", "2606.00003",
                                                   "2606.00004"));
}

TEST_F(ArxivRoutesTest, IncludeExcludeExpression) {
  // In cs.CL or cs.LG, but not having cs.AI among categories: drops 00003 and 00004.
  Response r = Get("/arxiv/cs.CL+cs.LG-cs.AI");
  ASSERT_EQ(r.status, 200) << Body(r);
  EXPECT_THAT(PanelIds(Body(r)), ::testing::UnorderedElementsAre("2606.00001", "2606.00002"));
}

TEST_F(ArxivRoutesTest, ArchivePage) {
  Response r = Get("/arxiv/cs");
  ASSERT_EQ(r.status, 200) << Body(r);
  EXPECT_THAT(Body(r), HasSubstr("Computer Science — 2026-06-30"));
  EXPECT_THAT(PanelIds(Body(r)), ::testing::UnorderedElementsAre("2606.00001", "2606.00002",
                                                                 "2606.00003", "2606.00004"));
}

TEST_F(ArxivRoutesTest, ShowDefersPanelsPastN) {
  Response r = Get("/arxiv/cs.CL?show=1");
  ASSERT_EQ(r.status, 200);
  std::string html = Body(r);
  EXPECT_EQ(PanelIds(html).size(), 3u);  // every panel is in the document
  EXPECT_EQ(Count(html, "data-deferred=\"1\" hidden>"), 2);
  EXPECT_THAT(html, HasSubstr("Show all 3 papers"));
  EXPECT_EQ(Get("/arxiv/cs.CL?show=0").status, 400);
  EXPECT_EQ(Get("/arxiv/cs.CL?show=abc").status, 400);
}

TEST_F(ArxivRoutesTest, ShowVariantsShareOneCacheEntryAndMatchADirectRender) {
  cache_->Clear();
  std::vector<std::string> cached;
  for (int n : {1, 2, 3, 50, 100000}) {
    cached.push_back(Body(Get("/arxiv/cs.CL?show=" + std::to_string(n))));
  }
  std::string plain = Body(Get("/arxiv/cs.CL"));
  EXPECT_EQ(cache_->GetStats().entries, 1u);  // every show= shares the whole list's entry
  EXPECT_EQ(cache_->GetStats().renders, 1u);
  // Byte for byte what rendering with show=N gives.
  services_.page_cache = nullptr;
  std::vector<std::string> direct;
  for (int n : {1, 2, 3, 50, 100000}) {
    direct.push_back(Body(Get("/arxiv/cs.CL?show=" + std::to_string(n))));
  }
  services_.page_cache = cache_.get();
  ASSERT_EQ(cached.size(), 5u);
  ASSERT_EQ(direct.size(), 5u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(cached[i], direct[i]) << "show variant " << i;
  EXPECT_EQ(Count(cached[0], "data-deferred=\"1\" hidden>"), 2);
  EXPECT_TRUE(Get("/arxiv/cs.CL?show=1").gzip_body);
  // show >= the 3 papers: nothing deferred, the whole page (as plain) is served.
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(cached[i], plain);
    EXPECT_EQ(Count(direct[i], "data-deferred"), 0);
  }
}

TEST_F(ArxivRoutesTest, OverLongIdListIsRefusedAndIdListsAreNotCached) {
  std::string ids;
  for (int i = 1; i <= 101; ++i) {
    if (!ids.empty()) ids += ',';
    char buf[16];
    std::snprintf(buf, sizeof buf, "2606.%05d", i);
    ids += buf;
  }
  Response r = Get("/arxiv/" + ids);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r), HasSubstr("at most 100"));
  cache_->Clear();
  Response two = Get("/arxiv/2606.00001,2606.00002");
  EXPECT_EQ(two.status, 200);
  EXPECT_TRUE(two.gzip_body);  // fast gzip now, not brotli on the fly by the server
  EXPECT_EQ(Get("/arxiv/2606.00002,2606.00001").status, 200);
  EXPECT_EQ(cache_->GetStats().entries, 0u);
  EXPECT_EQ(Get("/arxiv/2606.00001").status, 200);  // single papers are cached
  EXPECT_EQ(cache_->GetStats().entries, 1u);
}

TEST_F(ArxivRoutesTest, UnknownCategoryIs404WithAHint) {
  Response r = Get("/arxiv/cs.CLL");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(Body(r), HasSubstr("cs.CL"));
  EXPECT_EQ(Get("/arxiv/nonsense.XX,cs.CL").status, 404);
  EXPECT_EQ(Get("/arxiv/cs.CL/extra/path").status, 404);
}

TEST_F(ArxivRoutesTest, CanonicalRedirects) {
  Response r = Get("/arxiv/1406.02661");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(HeaderOf(r, "Location"), "/arxiv/1406.2661");
  r = Get("/arxiv/arXiv:2606.00001?x=1");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(HeaderOf(r, "Location"), "/arxiv/2606.00001?x=1");
  r = Get("/arxiv/cs.cl?date=2026-06-30");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(HeaderOf(r, "Location"), "/arxiv/cs.CL?date=2026-06-30");
  r = Get("/arxiv/2606.00001,2606.00001,1406.02661");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(HeaderOf(r, "Location"), "/arxiv/2606.00001,1406.2661");
  r = Get("/arxiv/cs.CL/?date=2026-06-30");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(HeaderOf(r, "Location"), "/arxiv/cs.CL?date=2026-06-30");
  r = Get("/arxiv/cs.CL/feed");
  EXPECT_EQ(r.status, 200);
  r = Get("/arxiv/cs.cl/feed");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(HeaderOf(r, "Location"), "/arxiv/cs.CL/feed");
}

TEST_F(ArxivRoutesTest, MalformedIdsAre400) {
  EXPECT_EQ(Get("/arxiv/2606.123456").status, 400);
  EXPECT_EQ(Get("/arxiv/9999.9").status, 400);
  EXPECT_EQ(Get("/arxiv/2606.00001,cs.CL").status, 400);
  EXPECT_EQ(Get("/arxiv/arXiv:garbage").status, 400);
}

TEST_F(ArxivRoutesTest, SinglePaperPageHasHighwireMetaAndMemberships) {
  Response r = Get("/arxiv/2606.00001");
  ASSERT_EQ(r.status, 200) << Body(r);
  std::string html = Body(r);
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_title\" content=\"A &lt;script&gt;"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_author\" content=\"Ada Lovelace\">"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_author\" content=\"Alan Turing\">"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_date\" content=\"2026/06/29\">"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_pdf_url\" "
                              "content=\"https://arxiv.org/pdf/2606.00001v2\">"));
  EXPECT_THAT(html, HasSubstr("<meta name=\"citation_arxiv_id\" content=\"2606.00001\">"));
  EXPECT_THAT(html, HasSubstr("listed in <a href=\"/arxiv/cs.CL?date=2026-06-30\">cs.CL</a> on "
                              "2026-06-30 (new)"));
  EXPECT_THAT(html, HasSubstr("listed in <a href=\"/arxiv/cs.LG?date=2026-06-30\">cs.LG</a> on "
                              "2026-06-30 (cross)"));
  EXPECT_THAT(PanelIds(html), ::testing::ElementsAre("2606.00001"));
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
}

TEST_F(ArxivRoutesTest, OldStyleAndVersionedIds) {
  Response r = Get("/arxiv/hep-th/9901001");
  ASSERT_EQ(r.status, 200) << Body(r);
  EXPECT_THAT(PanelIds(Body(r)), ::testing::ElementsAre("hep-th/9901001"));
  EXPECT_THAT(Body(r), HasSubstr("<a class=\"title-link notranslate\" href=\"/arxiv/hep-th/9901001\">"));
  r = Get("/arxiv/2606.00002v1");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(PanelIds(Body(r)), ::testing::ElementsAre("2606.00002"));
}

TEST_F(ArxivRoutesTest, MissingPapers) {
  Response r = Get("/arxiv/2601.99999");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(Body(r), HasSubstr("not in the database yet"));
  EXPECT_THAT(Body(r), HasSubstr("https://arxiv.org/abs/2601.99999"));
  r = Get("/arxiv/2606.00002,2601.99999,2606.00001");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(PanelIds(Body(r)), ::testing::ElementsAre("2606.00002", "2606.00001"));
  EXPECT_THAT(Body(r), HasSubstr("Not in the database yet: <a href=\"https://arxiv.org/abs/"
                                 "2601.99999\""));
  EXPECT_EQ(Get("/arxiv/2601.99998,2601.99999").status, 404);
}

TEST_F(ArxivRoutesTest, HomePageListsEveryCategoryWithFeedsAndPickers) {
  Response r = Get("/");
  ASSERT_EQ(r.status, 200);
  std::string html = Body(r);
  EXPECT_THAT(html, HasSubstr("<a class=\"category-link\" href=\"/arxiv/cs.CL\">cs.CL</a>"));
  EXPECT_THAT(html, HasSubstr("<a class=\"feed-link\" href=\"/arxiv/cs.CL/feed\">Feed</a>"));
  EXPECT_THAT(html, HasSubstr("<form class=\"date-picker\" method=\"get\" action=\"/arxiv/cs.CL\">"
                              "<input type=\"date\" name=\"date\""));
  EXPECT_THAT(html, HasSubstr("2 days, latest <a href=\"/arxiv/cs.CL?date=2026-06-30\">"));
  EXPECT_THAT(html, HasSubstr("href=\"/arxiv/astro-ph.CO\""));
  EXPECT_THAT(html, HasSubstr("href=\"/arxiv/q-fin.ST\""));
  EXPECT_THAT(html, HasSubstr("id=\"venues\""));
  EXPECT_THAT(html, HasSubstr("<body id=\"arxiv\">"));
}

TEST_F(ArxivRoutesTest, FeedIsAtomOfTheLatestDay) {
  Response r = Get("/arxiv/cs.CL/feed");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/atom+xml; charset=utf-8");
  std::string xml = Body(r);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  EXPECT_STREQ(feed.find_child_by_attribute("link", "rel", "self").attribute("href").value(),
               "http://127.0.0.1:8080/arxiv/cs.CL/feed");
  int entries = 0;
  for (pugi::xml_node e : feed.children("entry")) {
    ++entries;
    EXPECT_TRUE(e.child("id") && e.child("title") && e.child("updated") && e.child("author"));
  }
  EXPECT_EQ(entries, 3);
  EXPECT_EQ(Get("/arxiv/nope.XX/feed").status, 404);
  // A category without data still gives a valid, empty feed.
  Response empty = Get("/arxiv/math.AG/feed");
  ASSERT_EQ(empty.status, 200);
  pugi::xml_document d2;
  ASSERT_TRUE(d2.load_string(Body(empty).c_str()));
  EXPECT_FALSE(d2.child("feed").child("entry"));
}

TEST_F(ArxivRoutesTest, DayStatusLine) {
  ASSERT_TRUE(store_->SetDayStatus({"cs.CL", "2026-06-30", 5, 3}).ok());
  PublishSeq();
  EXPECT_THAT(Body(Get("/arxiv/cs.CL")), HasSubstr("incomplete: 2 missing, retrying"));
  ASSERT_TRUE(store_->SetDayStatus({"cs.CL", "2026-06-30", 3, 3}).ok());
  PublishSeq();
  EXPECT_THAT(Body(Get("/arxiv/cs.CL")), HasSubstr("class=\"day-status complete\""));
}

TEST_F(ArxivRoutesTest, PagesAreCachedUntilTheStoreChanges) {
  Response first = Get("/arxiv/cs.CL");
  ASSERT_EQ(first.status, 200);
  auto before = cache_->GetStats();
  Response second = Get("/arxiv/cs.CL");
  EXPECT_EQ(Body(second), Body(first));
  EXPECT_EQ(cache_->GetStats().hits, before.hits + 1);
  EXPECT_FALSE(second.etag.empty());

  std::vector<core::Paper> papers = {testing::MakePaper("2606.00009", {"cs.CL"})};
  std::vector<core::Membership> ms = {
      testing::M("2606.00009", "cs.CL", "2026-06-30", core::AnnounceType::kNew, 5)};
  ASSERT_TRUE(store_->Upsert(papers, ms));
  PublishSeq();
  Response third = Get("/arxiv/cs.CL");
  EXPECT_THAT(Body(third), HasSubstr("id=\"2606.00009\""));
}

}  // namespace
}  // namespace coolpapers::web
