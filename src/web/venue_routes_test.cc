// Venue pages (SPEC §3, §11): /venue/, /venue/<Conf>.<Year> (groups, ?group=, ?show=),
// /venue/<Conf> (302), /venue/<id>@<Source> (aliases, comma lists, Highwire tags), the home
// page's venues section and /api/list?venue=, against a real store.

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/index_doc.h"
#include "search/search_service.h"
#include "web/route_test_fixture.h"

namespace coolpapers::web {
namespace {

core::VenuePaper V(const std::string& id, const std::string& edition, const std::string& group,
                   int position) {
  core::VenuePaper v;
  v.id = id;
  v.venue = edition;
  v.group = group;
  v.position = position;
  v.title = "Title of " + id;
  v.abstract = "Abstract of " + id + " with $x<y$.";
  v.authors = {"Ada Lovelace", "Alan Turing"};
  v.pdf_url = "https://aclanthology.org/" + id.substr(0, id.find('@')) + ".pdf";
  v.page_url = "https://aclanthology.org/" + id.substr(0, id.find('@')) + "/";
  v.pages = "1-10";
  return v;
}

class VenueRoutesTest : public testing::RouteTest {
 protected:
  void SetUp() override {
    RouteTest::SetUp();
    RegisterVenueRoutes(router_, services_);
  }

  // ACL 2024: two Long papers (the first with markup in its title), one Short; ACL 2023: one
  // Long; ICML 2024: one PMLR paper also known by its OpenReview forum.
  void LoadVenues() {
    std::vector<core::VenuePaper> v = {V("2024.acl-long.1@ACL", "ACL.2024", "Long", 0),
                                       V("2024.acl-long.2@ACL", "ACL.2024", "Long", 1),
                                       V("2024.acl-short.1@ACL", "ACL.2024", "Short", 2),
                                       V("2023.acl-long.1@ACL", "ACL.2023", "Long", 0),
                                       V("abe24a@v235@PMLR", "ICML.2024", "Main", 0)};
    v[0].title = "A <script>alert(1)</script> & title";
    v[0].doi = "10.18653/v1/2024.acl-long.1";
    v[4].other_ids = {"9U29U3cDKq@OpenReview"};
    v[4].pdf_url = "https://proceedings.mlr.press/v235/abe24a/abe24a.pdf";
    auto r = store_->UpsertVenuePapers(v);
    ASSERT_TRUE(r) << r.error().ToString();
    PublishSeq();
  }
};

TEST_F(VenueRoutesTest, IndexListsEditionsByConferenceWithCountsAndGroups) {
  LoadVenues();
  for (const std::string target : {"/venue/", "/venue"}) {
    Response r = Get(target);
    ASSERT_EQ(r.status, 200) << target;
    const std::string body = Body(r);
    EXPECT_NE(body.find("<body id=\"venue\">"), std::string::npos);
    EXPECT_EQ(Count(body, "<li class=\"edition\""), 3);
    EXPECT_NE(body.find("<a class=\"edition-link\" href=\"/venue/ACL.2024\">ACL 2024</a> "
                        "<span class=\"edition-count\">3 papers</span>"),
              std::string::npos);
    EXPECT_NE(body.find("<a class=\"edition-group\" href=\"/venue/ACL.2024?group=Short\">Short"
                        "</a> (1)"),
              std::string::npos);
    // Newest year first within a conference.
    EXPECT_LT(body.find("/venue/ACL.2024\""), body.find("/venue/ACL.2023\""));
    EXPECT_EQ(Count(body, "<section class=\"venue-conference\""), 2);
  }
}

TEST_F(VenueRoutesTest, IndexWithoutVenuesSaysNoneImported) {
  Response r = Get("/venue/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(Body(r).find("No venue proceedings imported yet"), std::string::npos);
}

TEST_F(VenueRoutesTest, HomePageLinksEachEditionWithItsCount) {
  LoadVenues();
  Response r = Get("/");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<li class=\"venue-edition\""), 3);
  EXPECT_NE(body.find("<a class=\"edition-link\" href=\"/venue/ACL.2024\">ACL 2024</a> (3)"),
            std::string::npos);
  EXPECT_EQ(body.find("No venue proceedings imported yet"), std::string::npos);
}

TEST_F(VenueRoutesTest, EditionPageShowsEveryPaperUnderGroupHeadings) {
  LoadVenues();
  Response r = Get("/venue/ACL.2024");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_NE(body.find("<body id=\"venue\">"), std::string::npos);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 3);
  EXPECT_EQ(Count(body, "<h2 class=\"group\""), 2);
  EXPECT_NE(body.find("<h2 class=\"group\" id=\"group-Long\">Long (2)</h2>"), std::string::npos);
  EXPECT_NE(body.find("<h2 class=\"group\" id=\"group-Short\">Short (1)</h2>"), std::string::npos);
  EXPECT_LT(body.find("id=\"group-Long\""), body.find("id=\"2024.acl-long.1@ACL\""));
  EXPECT_LT(body.find("id=\"2024.acl-long.2@ACL\""), body.find("id=\"group-Short\""));
  EXPECT_LT(body.find("id=\"group-Short\""), body.find("id=\"2024.acl-short.1@ACL\""));
  EXPECT_EQ(body.find("data-deferred"), std::string::npos);
}

TEST_F(VenueRoutesTest, VenuePanelLinksTheVenuePages) {
  LoadVenues();
  ASSERT_TRUE(store_->AddClick("2024.acl-short.1@ACL", "pdf").ok());
  ASSERT_TRUE(store_->Flush().ok());
  PublishSeq();
  const std::string body = Body(Get("/venue/ACL.2024"));
  const std::string id = "2024.acl-short.1@ACL";
  EXPECT_NE(body.find("<a class=\"title-link notranslate\" href=\"/venue/" + id +
                      "\">Title of " + id + "</a>"),
            std::string::npos);
  const std::string pdf = "https://aclanthology.org/2024.acl-short.1.pdf";
  EXPECT_NE(body.find("<a class=\"title-pdf notranslate\" data=\"" + pdf + "\" onclick=\"togglePdf('" +
                      id + "', '" + pdf + "', this)\""),
            std::string::npos);
  EXPECT_NE(body.find("[PDF]</a><sup class=\"pdf-counter\">1</sup>"), std::string::npos);
  for (const char* button : {"title-kimi", "title-copy", "title-rel", "title-star"}) {
    EXPECT_EQ(Count(body, std::string("class=\"") + button), 3) << button;
  }
  EXPECT_NE(body.find("<p class=\"subjects\"><strong>Subjects</strong>: <a href=\"/venue/ACL.2024\">"
                      "ACL.2024</a>, <a href=\"/venue/ACL.2024?group=Short\">Short</a></p>"),
            std::string::npos);
  EXPECT_NE(body.find("<a class=\"author notranslate\" href=\"/venue/search?query=au:%22Ada%20"
                      "Lovelace%22\">Ada Lovelace</a>"),
            std::string::npos);
  EXPECT_EQ(body.find("href=\"/arxiv/"), std::string::npos);
}

TEST_F(VenueRoutesTest, GroupParameterFiltersCaseInsensitively) {
  LoadVenues();
  Response r = Get("/venue/ACL.2024?group=short");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 1);
  EXPECT_NE(body.find("id=\"2024.acl-short.1@ACL\""), std::string::npos);
  EXPECT_EQ(Count(body, "<h2 class=\"group\""), 1);
  EXPECT_NE(body.find("id=\"group-Short\">Short (1)"), std::string::npos);

  Response unknown = Get("/venue/ACL.2024?group=Poster");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(Body(unknown).find("ACL.2024 has no group &quot;Poster&quot;"), std::string::npos);
}

TEST_F(VenueRoutesTest, ShowDefersPanelsPastN) {
  LoadVenues();
  Response r = Get("/venue/ACL.2024?show=1");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 3);
  EXPECT_EQ(Count(body, "data-deferred=\"1\" hidden"), 2);
  EXPECT_EQ(body.find("id=\"2024.acl-long.1@ACL\" data-version=\"1\" data-deferred"),
            std::string::npos);
  EXPECT_NE(body.find("<p class=\"show-more\"><a href=\"/venue/ACL.2024\">Show all 3 papers</a>"),
            std::string::npos);
  EXPECT_EQ(Get("/venue/ACL.2024?show=0").status, 400);
  EXPECT_EQ(Get("/venue/ACL.2024?show=9").status, 200);
  EXPECT_EQ(Count(Body(Get("/venue/ACL.2024?show=9")), "data-deferred"), 0);
}

// A cached edition page is answered without reading the store (the edition list included):
// here the store moves ACL 2024's papers to another edition, and until the new change sequence
// is published the cached page is what /venue/ACL.2024 serves; afterwards it is a 404.
TEST_F(VenueRoutesTest, CachedEditionPageReadsNothingFromTheStore) {
  LoadVenues();
  const std::string page = Body(Get("/venue/ACL.2024"));
  const std::string group_page = Body(Get("/venue/ACL.2024?group=Long"));
  ASSERT_EQ(Count(page, "<div class=\"panel paper\""), 3);
  ASSERT_EQ(Count(group_page, "<div class=\"panel paper\""), 2);
  std::vector<core::VenuePaper> moved = {V("2024.acl-long.1@ACL", "ACL.2099", "Long", 0),
                                         V("2024.acl-long.2@ACL", "ACL.2099", "Long", 1),
                                         V("2024.acl-short.1@ACL", "ACL.2099", "Short", 2)};
  ASSERT_TRUE(store_->UpsertVenuePapers(moved));

  Response hit = Get("/venue/ACL.2024");
  ASSERT_EQ(hit.status, 200);
  EXPECT_EQ(Body(hit), page);
  Response group_hit = Get("/venue/ACL.2024?group=long");  // ?group= in any case: one page
  ASSERT_EQ(group_hit.status, 200);
  EXPECT_EQ(Body(group_hit), group_page);
  EXPECT_EQ(Get("/venue/acl.2024").status, 404);  // other spellings read the store

  PublishSeq();
  EXPECT_EQ(Get("/venue/ACL.2024").status, 404);
  EXPECT_EQ(Count(Body(Get("/venue/ACL.2099")), "<div class=\"panel paper\""), 3);
}

TEST_F(VenueRoutesTest, CachedVenueListReadsNothingFromTheStore) {
  LoadVenues();
  const std::string list = Body(Get("/api/list?venue=ACL.2024"));
  ASSERT_EQ(nlohmann::json::parse(list)["count"], 3);
  std::vector<core::VenuePaper> moved = {V("2024.acl-long.1@ACL", "ACL.2099", "Long", 0),
                                         V("2024.acl-long.2@ACL", "ACL.2099", "Long", 1),
                                         V("2024.acl-short.1@ACL", "ACL.2099", "Short", 2)};
  ASSERT_TRUE(store_->UpsertVenuePapers(moved));
  Response hit = Get("/api/list?venue=acl.2024");  // any spelling: the same cached body
  ASSERT_EQ(hit.status, 200);
  EXPECT_EQ(Body(hit), list);
  PublishSeq();
  EXPECT_EQ(Get("/api/list?venue=ACL.2024").status, 404);
  EXPECT_EQ(nlohmann::json::parse(Body(Get("/api/list?venue=ACL.2099")))["count"], 3);
}

TEST_F(VenueRoutesTest, ConferenceRedirectsToItsNewestEdition) {
  LoadVenues();
  Response r = Get("/venue/ACL");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(HeaderOf(r, "Location"), "/venue/ACL.2024");
  EXPECT_EQ(HeaderOf(Get("/venue/icml"), "Location"), "/venue/ICML.2024");
  Response none = Get("/venue/NeurIPS");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(Body(none).find("No proceedings of &quot;NeurIPS&quot;"), std::string::npos);
  EXPECT_NE(Body(none).find("href=\"/venue/\""), std::string::npos);
}

TEST_F(VenueRoutesTest, UnknownEditionIsA404NamingIt) {
  LoadVenues();
  Response r = Get("/venue/EMNLP.2023");
  EXPECT_EQ(r.status, 404);
  const std::string body = Body(r);
  EXPECT_NE(body.find("No proceedings &quot;EMNLP.2023&quot; have been imported."),
            std::string::npos);
  EXPECT_NE(body.find("<a href=\"/venue/\">"), std::string::npos);
  EXPECT_NE(body.find("<body id=\"venue\">"), std::string::npos);
  Response lower = Get("/venue/acl.2024?group=long");
  EXPECT_EQ(lower.status, 301);
  EXPECT_EQ(HeaderOf(lower, "Location"), "/venue/ACL.2024?group=long");
}

TEST_F(VenueRoutesTest, PaperPageHasFactsAndHighwireTags) {
  LoadVenues();
  Response r = Get("/venue/2024.acl-long.2@ACL");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 1);
  EXPECT_NE(body.find("<body id=\"venue\">"), std::string::npos);
  EXPECT_NE(body.find("<meta name=\"citation_title\" content=\"Title of 2024.acl-long.2@ACL\">"),
            std::string::npos);
  EXPECT_EQ(Count(body, "<meta name=\"citation_author\""), 2);
  EXPECT_NE(body.find("<meta name=\"citation_author\" content=\"Alan Turing\">"),
            std::string::npos);
  EXPECT_NE(body.find("<meta name=\"citation_pdf_url\" content=\"https://aclanthology.org/"
                      "2024.acl-long.2.pdf\">"),
            std::string::npos);
  EXPECT_NE(body.find("<meta name=\"citation_conference_title\" content=\"ACL 2024\">"),
            std::string::npos);
  EXPECT_NE(body.find("<meta name=\"citation_publication_date\" content=\"2024\">"),
            std::string::npos);
  EXPECT_NE(body.find("<meta name=\"citation_firstpage\" content=\"1\">"), std::string::npos);
  EXPECT_NE(body.find("<a class=\"venue-edition\" href=\"/venue/ACL.2024\">ACL 2024</a>, "
                      "<a class=\"venue-group\" href=\"/venue/ACL.2024?group=Long\">Long</a>"),
            std::string::npos);
  EXPECT_NE(body.find("<li class=\"pages\">Pages 1-10</li>"), std::string::npos);
  EXPECT_NE(body.find("<link rel=\"canonical\" href=\"/venue/2024.acl-long.2@ACL\">"),
            std::string::npos);
}

TEST_F(VenueRoutesTest, PaperPageShowsDoiAndEscapesTitle) {
  LoadVenues();
  const std::string body = Body(Get("/venue/2024.acl-long.1@ACL"));
  EXPECT_EQ(body.find("<script>alert"), std::string::npos);
  EXPECT_NE(body.find("A &lt;script&gt;alert(1)&lt;/script&gt; &amp; title</a>"),
            std::string::npos);
  EXPECT_NE(body.find("content=\"A &lt;script&gt;alert(1)&lt;/script&gt; &amp; title\""),
            std::string::npos);
  EXPECT_NE(body.find("<a href=\"https://doi.org/10.18653/v1/2024.acl-long.1\" rel=\"noopener\">"),
            std::string::npos);
  EXPECT_EQ(Body(Get("/venue/ACL.2024")).find("<script>alert"), std::string::npos);
}

TEST_F(VenueRoutesTest, PanelOfAPaperWithoutAUsablePdfNeverLinksScriptOrArxiv) {
  core::VenuePaper bad = V("x24a@v235@PMLR", "ICML.2024", "Main", 0);
  bad.pdf_url = "javascript:alert(1)";
  bad.page_url = "";
  auto r = store_->UpsertVenuePapers(std::vector<core::VenuePaper>{bad});
  ASSERT_TRUE(r) << r.error().ToString();
  PublishSeq();
  const std::string body = Body(Get("/venue/x24a@v235@PMLR"));
  EXPECT_EQ(body.find("javascript:"), std::string::npos);
  EXPECT_EQ(body.find("arxiv.org/pdf"), std::string::npos);
  EXPECT_NE(body.find("<a class=\"title-pdf notranslate\" data=\"/venue/x24a@v235@PMLR\""),
            std::string::npos);
  EXPECT_EQ(body.find("citation_pdf_url"), std::string::npos);
}

TEST_F(VenueRoutesTest, AliasAnswersWithTheStoredPaper) {
  LoadVenues();
  Response r = Get("/venue/9U29U3cDKq@OpenReview");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 1);
  EXPECT_NE(body.find("id=\"abe24a@v235@PMLR\""), std::string::npos);
  EXPECT_NE(body.find("<link rel=\"canonical\" href=\"/venue/abe24a@v235@PMLR\">"),
            std::string::npos);
  EXPECT_NE(body.find("Also known as: <a href=\"/venue/9U29U3cDKq@OpenReview\">"
                      "9U29U3cDKq@OpenReview</a>"),
            std::string::npos);
  EXPECT_NE(body.find("content=\"ICML 2024\""), std::string::npos);
}

TEST_F(VenueRoutesTest, CommaListShowsEachPaperOnceAndNamesMissingIds) {
  LoadVenues();
  Response r = Get("/venue/2024.acl-long.2@ACL,abe24a@v235@PMLR,nope@ACL,9U29U3cDKq@OpenReview");
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_EQ(Count(body, "<div class=\"panel paper\""), 2);
  EXPECT_NE(body.find("Not in the database: nope@ACL</p>"), std::string::npos);
}

TEST_F(VenueRoutesTest, UnknownPaperIsA404NamingIt) {
  LoadVenues();
  Response r = Get("/venue/2099.acl-long.9@ACL");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(Body(r).find("No venue paper 2099.acl-long.9@ACL is in the database."),
            std::string::npos);
  EXPECT_NE(Body(r).find("<a href=\"/venue/\">"), std::string::npos);
}

TEST_F(VenueRoutesTest, ApiListVenueGivesEveryPaperWithEditionAndGroup) {
  LoadVenues();
  Response r = Get("/api/list?venue=ACL.2024");
  ASSERT_EQ(r.status, 200) << Body(r);
  auto j = nlohmann::json::parse(Body(r));
  EXPECT_EQ(j["venue"], "ACL.2024");
  EXPECT_EQ(j["count"], 3);
  ASSERT_EQ(j["papers"].size(), 3u);
  const std::vector<std::string> ids = {"2024.acl-long.1@ACL", "2024.acl-long.2@ACL",
                                        "2024.acl-short.1@ACL"};
  const std::vector<std::string> groups = {"Long", "Long", "Short"};
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(j["papers"][i]["id"], ids[i]);
    EXPECT_EQ(j["papers"][i]["edition"], "ACL.2024");
    EXPECT_EQ(j["papers"][i]["group"], groups[i]);
    EXPECT_EQ(j["papers"][i]["authors"].size(), 2u);
    EXPECT_EQ(j["papers"][i]["clicks"]["pdf"], 0);
  }
  EXPECT_EQ(j["papers"][0]["title"], "A <script>alert(1)</script> & title");
  auto short_only = nlohmann::json::parse(Body(Get("/api/list?venue=acl.2024&group=SHORT")));
  EXPECT_EQ(short_only["count"], 1);

  Response unknown = Get("/api/list?venue=EMNLP.2023");
  EXPECT_EQ(unknown.status, 404);
  auto e = nlohmann::json::parse(Body(unknown));
  EXPECT_EQ(e["error"], "unknown venue edition \"EMNLP.2023\"");
  EXPECT_NE(e["hint"].get<std::string>().find("ACL.2024"), std::string::npos);
}

TEST_F(VenueRoutesTest, SearchHitsOfVenuePapersLinkTheirVenuePages) {
  LoadVenues();
  RegisterSearchRoutes(router_, services_);
  std::vector<search::IndexDoc> docs;
  for (const char* id : {"abe24a@v235@PMLR", "2024.acl-short.1@ACL"}) {
    auto p = store_->GetPaper(id);
    ASSERT_TRUE(p && p->has_value()) << id;
    docs.push_back(search::FromPaper(**p));
  }
  search::VectorDocSource src(docs);
  search::BuildOptions b;
  b.progress = false;
  b.lsa.dims = 2;
  const std::string dir = (store_.dir() / "index").string();
  auto built = search::BuildIndex(dir, src, b);
  ASSERT_TRUE(built) << built.error().ToString();
  search::SearchServiceOptions o;
  o.index_dir = dir;
  auto service = search::SearchService::Open(o);
  ASSERT_TRUE(service) << service.error().ToString();
  services_.search = service->get();

  Response r = Get("/venue/search?query=abe24a");
  services_.search = nullptr;
  ASSERT_EQ(r.status, 200);
  const std::string body = Body(r);
  EXPECT_NE(body.find("href=\"/venue/abe24a@v235@PMLR\""), std::string::npos) << body;
  EXPECT_NE(body.find("https://proceedings.mlr.press/v235/abe24a/abe24a.pdf"), std::string::npos);
  EXPECT_NE(body.find("href=\"/venue/ICML.2024\""), std::string::npos);
  EXPECT_EQ(body.find("/arxiv/abe24a"), std::string::npos);
  EXPECT_EQ(body.find("arxiv.org/pdf/abe24a"), std::string::npos);
}

TEST_F(VenueRoutesTest, FeedsListAnEditionsPapersInOrder) {
  LoadVenues();
  Response r = Get("/venue/ACL.2024/feed");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/atom+xml; charset=utf-8");
  const std::string body = Body(r);
  size_t entries = 0;
  for (size_t at = body.find("<entry>"); at != std::string::npos; at = body.find("<entry>", at + 1)) {
    ++entries;
  }
  ASSERT_EQ(entries, 3u);
  const size_t first = body.find("/venue/2024.acl-long.1@ACL");
  const size_t second = body.find("/venue/2024.acl-long.2@ACL");
  const size_t third = body.find("/venue/2024.acl-short.1@ACL");
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(body.find("ACL 2024"), std::string::npos);
  EXPECT_EQ(body.find("<script>"), std::string::npos);  // the title's markup is escaped
  EXPECT_NE(body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(Body(Get("/venue/ACL.2024")).find("/venue/ACL.2024/feed"), std::string::npos);
}

TEST_F(VenueRoutesTest, ConferenceAndLatestFeedsFollowTheNewestEdition) {
  LoadVenues();
  const std::string acl = Body(Get("/venue/ACL/feed"));
  EXPECT_NE(acl.find("/venue/2024.acl-long.1@ACL"), std::string::npos);
  EXPECT_EQ(acl.find("/venue/2023.acl-long.1@ACL"), std::string::npos);
  Response latest = Get("/venue/latest/feed");
  ASSERT_EQ(latest.status, 200);
  EXPECT_NE(Body(latest).find("<entry>"), std::string::npos);
  Response missing = Get("/venue/EMNLP.2024/feed");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(Body(missing).find("No venue feed"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::web
