// Search on the venue branch (SPEC §11): /venue/search finds venue papers only and
// /arxiv/search arXiv papers only; venue:<Conf>.<Year> and venue:<Conf> (any case, or the
// venue= parameter) restrict a venue search and an unknown or misplaced one is a 400 page naming
// the value and the fix; the venue search feed; the search boxes of venue pages; clicks on venue
// papers count, so their ★ sort has data; the edition page carries what the reader's sorts and
// filters read.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/search_service.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

core::VenuePaper V(const std::string& id, const std::string& edition, const std::string& group,
                   int position, const std::string& title) {
  core::VenuePaper v;
  v.id = id;
  v.venue = edition;
  v.group = group;
  v.position = position;
  v.title = title;
  v.abstract = "We study " + title + ".";
  v.authors = {"Ada Lovelace"};
  v.pdf_url = "https://aclanthology.org/" + id.substr(0, id.find('@')) + ".pdf";
  return v;
}

class VenueSearchTest : public testing::RouteTest {
 protected:
  // The arXiv fixture (titles "Title of <id>"), three ACL papers in two editions and an ICML
  // paper known also by its OpenReview forum, indexed from the store as `coolpapers index` does.
  void SetUp() override {
    RouteTest::SetUp();
    RegisterVenueRoutes(router_, services_);
    RegisterSearchRoutes(router_, services_);
    LoadFixture();
    std::vector<core::VenuePaper> v = {
        V("2024.acl-long.1@ACL", "ACL.2024", "Long", 0, "Title of parsing with graphs"),
        V("2024.acl-short.1@ACL", "ACL.2024", "Short", 1, "Title of short parsing"),
        V("2023.acl-long.1@ACL", "ACL.2023", "Long", 0, "Title of older parsing"),
        V("abe24a@v235@PMLR", "ICML.2024", "Main", 0, "Title of bandit parsing")};
    v[3].other_ids = {"9U29U3cDKq@OpenReview"};
    auto r = store_->UpsertVenuePapers(v);
    ASSERT_TRUE(r) << r.error().ToString();
    PublishSeq();
    search::StoreDocSource src(*store_);
    search::BuildOptions b;
    b.progress = false;
    b.semantic = false;
    const std::string dir = (store_.dir() / "index").string();
    auto built = search::BuildIndex(dir, src, b);
    ASSERT_TRUE(built) << built.error().ToString();
    search::SearchServiceOptions o;
    o.index_dir = dir;
    auto service = search::SearchService::Open(o);
    ASSERT_TRUE(service) << service.error().ToString();
    search_ = std::move(*service);
    services_.search = search_.get();
  }
  void TearDown() override { services_.search = nullptr; }

  // The panel ids of a page, in order.
  static std::vector<std::string> PanelIds(const std::string& body) {
    std::vector<std::string> ids;
    const std::string open = "<div class=\"panel paper\" id=\"";
    for (size_t pos = body.find(open); pos != std::string::npos; pos = body.find(open, pos + 1)) {
      const size_t start = pos + open.size();
      ids.push_back(body.substr(start, body.find('"', start) - start));
    }
    return ids;
  }

  std::unique_ptr<search::SearchService> search_;
};

TEST_F(VenueSearchTest, EachBranchSearchesOnlyItsPapersWithTheRightCount) {
  Response venue = Get("/venue/search?query=title");
  ASSERT_EQ(venue.status, 200);
  std::string body = Body(venue);
  EXPECT_NE(body.find("<body id=\"venue\">"), std::string::npos);
  std::vector<std::string> ids = PanelIds(body);
  ASSERT_EQ(ids.size(), 4u) << body;
  for (const std::string& id : ids) EXPECT_NE(id.find('@'), std::string::npos) << id;
  EXPECT_NE(body.find("data-total=\"4\""), std::string::npos);
  EXPECT_NE(body.find("href=\"/venue/2024.acl-long.1@ACL\""), std::string::npos);
  EXPECT_EQ(body.find("no venues have been imported"), std::string::npos);

  Response arxiv = Get("/arxiv/search?query=title");
  ASSERT_EQ(arxiv.status, 200);
  body = Body(arxiv);
  ids = PanelIds(body);
  ASSERT_EQ(ids.size(), 7u) << body;
  for (const std::string& id : ids) EXPECT_EQ(id.find('@'), std::string::npos) << id;
  EXPECT_NE(body.find("data-total=\"7\""), std::string::npos);
}

// [REL] crosses branches: a venue paper's related papers and its [REL] page link each paper on
// its own branch.
TEST_F(VenueSearchTest, RelatedPapersOfAVenuePaperSpanBothBranches) {
  Response page = Get("/arxiv/related/2024.acl-long.1@ACL");
  ASSERT_EQ(page.status, 200);
  const std::string body = Body(page);
  EXPECT_NE(body.find("Papers related to <a href=\"/venue/2024.acl-long.1@ACL\">"),
            std::string::npos);
  std::vector<std::string> ids = PanelIds(body);
  ASSERT_GE(ids.size(), 2u) << body;
  const auto venue_hits = std::count_if(ids.begin(), ids.end(), [](const std::string& id) {
    return id.find('@') != std::string::npos;
  });
  EXPECT_GE(venue_hits, 1);
  EXPECT_GE(static_cast<long>(ids.size()) - venue_hits, 1);  // arXiv papers too
  Response json = Get("/api/related/2024.acl-long.1@ACL");
  ASSERT_EQ(json.status, 200);
  EXPECT_NE(Body(json).find("\"url\":\"/venue/"), std::string::npos);
  EXPECT_NE(Body(json).find("\"url\":\"/arxiv/"), std::string::npos);
}

TEST_F(VenueSearchTest, VenueFilterTakesAnEditionOrAConferenceInAnyCase) {
  auto ids_of = [&](const std::string& target) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 200) << target << "\n" << Body(r);
    return PanelIds(Body(r));
  };
  std::vector<std::string> edition = ids_of("/venue/search?query=venue:ACL.2024%20parsing");
  std::sort(edition.begin(), edition.end());
  EXPECT_EQ(edition, (std::vector<std::string>{"2024.acl-long.1@ACL", "2024.acl-short.1@ACL"}));
  std::vector<std::string> acl = ids_of("/venue/search?query=venue:acl%20parsing&sort=time");
  ASSERT_EQ(acl.size(), 3u);
  EXPECT_EQ(acl.back(), "2023.acl-long.1@ACL");  // the older edition last by time
  EXPECT_EQ(ids_of("/venue/search?query=VENUE:icml.2024"),
            (std::vector<std::string>{"abe24a@v235@PMLR"}));
  // venue= does the same, and the page keeps it in its form, heading and links.
  Response r = Get("/venue/search?venue=acl.2023&query=parsing");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(PanelIds(body), (std::vector<std::string>{"2023.acl-long.1@ACL"}));
  EXPECT_NE(body.find("<input type=\"hidden\" name=\"venue\" value=\"acl.2023\">"),
            std::string::npos);
  EXPECT_NE(body.find(" in <span class=\"search-venue\">acl.2023</span>"), std::string::npos);
  EXPECT_NE(body.find("href=\"/venue/search?query=parsing&amp;sort=time&amp;venue=acl.2023\""),
            std::string::npos);
}

TEST_F(VenueSearchTest, UnknownVenueIsA400NamingItAndTheImportedEditions) {
  for (const std::string target : {"/venue/search?query=venue:NeurIPS.2031%20parsing",
                                   "/venue/search?venue=NeurIPS.2031&query=parsing"}) {
    Response r = Get(target);
    ASSERT_EQ(r.status, 400) << target;
    const std::string body = Body(r);
    EXPECT_NE(body.find("no imported venue is called &quot;NeurIPS.2031&quot;"),
              std::string::npos) << body;
    EXPECT_NE(body.find("imported: ACL.2024, ACL.2023, ICML.2024"), std::string::npos) << body;
    EXPECT_NE(body.find("venue:&lt;Conf&gt;.&lt;Year&gt;"), std::string::npos);
    EXPECT_NE(body.find("<body id=\"venue\">"), std::string::npos);
  }
  Response malformed = Get("/venue/search?query=venue:%20parsing");
  ASSERT_EQ(malformed.status, 400);
  EXPECT_NE(Body(malformed).find("venue filter &quot;venue:&quot; is malformed"),
            std::string::npos) << Body(malformed);
  EXPECT_EQ(Get("/venue/search?venue=a/b&query=x").status, 400);
  Response arxiv = Get("/arxiv/search?query=venue:ACL.2024%20parsing");
  ASSERT_EQ(arxiv.status, 400);
  EXPECT_NE(Body(arxiv).find("search the proceedings at /venue/search?query=venue%3AACL.2024%20"
                             "parsing"),
            std::string::npos) << Body(arxiv);
  Response feed = Get("/venue/search/feed?query=venue:Nope.2020%20x");
  EXPECT_EQ(feed.status, 400);
  EXPECT_NE(Body(feed).find("Nope.2020"), std::string::npos);
}

class NoVenuesSearchTest : public testing::RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    RegisterSearchRoutes(router_, services_);
    LoadFixture();
  }
};

TEST_F(NoVenuesSearchTest, AVenueFilterBeforeAnyImportSaysHowToImport) {
  Response r = Get("/venue/search?query=venue:ACL.2024%20parsing");
  ASSERT_EQ(r.status, 400);
  EXPECT_NE(Body(r).find("no imported venue is called &quot;ACL.2024&quot;"), std::string::npos);
  EXPECT_NE(Body(r).find("coolpapers import venue"), std::string::npos) << Body(r);
}

TEST_F(VenueSearchTest, VenueSearchFeedLinksVenuePages) {
  Response r = Get("/venue/search/feed?query=parsing");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/atom+xml; charset=utf-8");
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<entry>"), 4) << body;
  EXPECT_NE(body.find("http://127.0.0.1:8080/venue/2024.acl-long.1@ACL"), std::string::npos);
  EXPECT_NE(body.find("http://127.0.0.1:8080/venue/search/feed?limit=50&amp;query=parsing&amp;sort=time"),
            std::string::npos) << body;
  EXPECT_EQ(body.find("/arxiv/2024.acl"), std::string::npos);
  EXPECT_NE(body.find("2024-01-01T00:00:00Z"), std::string::npos);  // the edition's year
  Response page = Get("/venue/search?query=parsing");
  EXPECT_NE(Body(page).find("href=\"/venue/search/feed?query=parsing\""), std::string::npos);
  Response arxiv = Get("/arxiv/search/feed?query=title");
  ASSERT_EQ(arxiv.status, 200);
  EXPECT_EQ(Count(Body(arxiv), "<entry>"), 7);
  EXPECT_EQ(Body(arxiv).find("@ACL"), std::string::npos);
}

TEST_F(VenueSearchTest, VenuePagesSearchTheVenueBranch) {
  for (const std::string target : {"/venue/", "/venue/ACL.2024", "/venue/search",
                                   "/venue/2024.acl-long.1@ACL"}) {
    Response r = Get(target);
    ASSERT_EQ(r.status, 200) << target;
    EXPECT_NE(Body(r).find("<form class=\"search-form\" method=\"get\" action=\"/venue/search\" "
                           "role=\"search\"><input type=\"search\" name=\"query\" "
                           "placeholder=\"Search venue papers\""),
              std::string::npos)
        << target;
  }
  const std::string index = Body(Get("/venue/"));
  EXPECT_NE(index.find("<form class=\"venue-search search-form\" method=\"get\" "
                       "action=\"/venue/search\""),
            std::string::npos);
  const std::string edition = Body(Get("/venue/ACL.2024"));
  EXPECT_NE(edition.find("action=\"/venue/search\" role=\"search\"><input type=\"hidden\" "
                         "name=\"venue\" value=\"ACL.2024\"><input type=\"search\" name=\"query\" "
                         "placeholder=\"Search ACL 2024\""),
            std::string::npos);
  EXPECT_NE(Body(Get("/arxiv/cs.CL")).find("action=\"/arxiv/search\" role=\"search\"><input "
                                           "type=\"search\" name=\"query\" placeholder=\"Search "
                                           "arXiv papers\""),
            std::string::npos);
  EXPECT_NE(Body(Get("/venue/search")).find("<code>venue:ICLR.2024</code>"), std::string::npos);
}

TEST_F(VenueSearchTest, ClicksOnVenuePapersCountForTheStarSort) {
  EXPECT_EQ(Post("/api/click/2024.acl-short.1@ACL?kind=pdf").status, 204);
  EXPECT_EQ(Post("/api/click/9U29U3cDKq@OpenReview?kind=kimi").status, 204);  // an alias
  EXPECT_EQ(Post("/api/click/nope@ACL?kind=pdf").status, 404);
  EXPECT_EQ(Post("/api/click/2024.acl-short.1@ACL?kind=bogus").status, 400);
  ASSERT_TRUE(store_->Flush().ok());
  auto clicks = store_->GetClicks(std::vector<std::string>{"2024.acl-short.1@ACL",
                                                           "abe24a@v235@PMLR"});
  ASSERT_TRUE(clicks);
  EXPECT_EQ((*clicks)["2024.acl-short.1@ACL"].pdf, 1);
  EXPECT_EQ((*clicks)["abe24a@v235@PMLR"].kimi, 1);
  PublishSeq();
  const std::string body = Body(Get("/venue/ACL.2024"));
  EXPECT_NE(body.find("[PDF]</a><sup class=\"pdf-counter\">1</sup>"), std::string::npos);
}

// What static/app.js and ui.js read to sort and filter a list: the section's data-show, the
// group headings (like h2.list-section), and each panel's title, summary, authors and counters.
TEST_F(VenueSearchTest, EditionPageCarriesWhatTheReadersSortsAndFiltersRead) {
  const std::string body = Body(Get("/venue/ACL.2024?show=1"));
  EXPECT_NE(body.find("<section class=\"venue-list\" data-edition=\"ACL.2024\" data-count=\"2\" "
                      "data-show=\"1\">"),
            std::string::npos) << body;
  EXPECT_EQ(Count(body, "<h2 class=\"group\""), 2);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 2);
  EXPECT_EQ(Count(body, "data-deferred=\"1\" hidden"), 1);
  for (const char* part : {"<a class=\"title-link", "<p class=\"summary\">",
                           "<a class=\"author notranslate\"", "<sup class=\"pdf-counter\">",
                           "<sup class=\"kimi-counter\">", "<sup class=\"copy-counter\">",
                           "<sup class=\"rel-counter\">", "<p class=\"show-more\">"}) {
    EXPECT_NE(body.find(part), std::string::npos) << part;
  }
}

}  // namespace
}  // namespace coolpapers::web
