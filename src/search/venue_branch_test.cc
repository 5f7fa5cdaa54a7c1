// Search by branch (SPEC §11): /arxiv/search covers arXiv papers and /venue/search venue papers
// (ids "<local>@<Source>"), with exact counts; venue:<Conf>.<Year> restricts to one edition and
// venue:<Conf> to every edition of a conference, in any case; venue papers without a date are
// placed by their edition's year; the store's venue papers are indexed with their edition.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/venue.h"
#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/keyword_index.h"
#include "search/search_service.h"
#include "search/test_util.h"
#include "store/store.h"

namespace coolpapers::search {
namespace {

using testing::Doc;
using testing::FixtureCorpus;
using testing::TempDir;

IndexDoc VenueDoc(std::string id, std::string title, std::string abstract, std::string venue) {
  IndexDoc d = Doc(std::move(id), std::move(title), std::move(abstract), {}, "", {"Ada Venue"});
  d.venue = std::move(venue);
  return d;
}

// The arXiv fixture corpus (8 papers, 2 about graph neural networks) and 4 venue papers, 3 of
// them about graph neural networks.
std::vector<IndexDoc> MixedCorpus() {
  std::vector<IndexDoc> docs = FixtureCorpus();
  docs.push_back(VenueDoc("2024.acl-long.1@ACL", "Graph neural networks for dependency parsing",
                          "We parse sentences with graph neural networks over candidate arcs.",
                          "ACL.2024"));
  docs.push_back(VenueDoc("2023.acl-long.7@ACL",
                          "Graph neural networks for semantic role labeling",
                          "Semantic roles are labeled by graph neural networks over syntax.",
                          "ACL.2023"));
  docs.push_back(VenueDoc("AbC123xyz@OpenReview", "Diffusion models meet graph neural networks",
                          "Graph neural networks denoise molecular graphs in diffusion models.",
                          "ICLR.2024"));
  docs.push_back(VenueDoc("agarwal24a@v235@PMLR", "Learning to rank with bandits",
                          "Online learning to rank from clicks with bandit feedback.",
                          "ICML.2024"));
  return docs;
}

std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const SearchHit& h : hits) ids.push_back(h.id);
  return ids;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class VenueBranchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VectorDocSource src(MixedCorpus());
    BuildOptions b;
    b.progress = false;
    b.corpus_model = BuildOptions::CorpusModel::kLsa;
    b.lsa.dims = 6;
    auto built = BuildIndex(dir_.path() + "/index", src, b);
    ASSERT_TRUE(built) << built.error().ToString();
    ASSERT_EQ(built->docs, 12);
    SearchServiceOptions o;
    o.index_dir = dir_.path() + "/index";
    auto s = SearchService::Open(o);
    ASSERT_TRUE(s) << s.error().ToString();
    service_ = std::move(*s);
  }

  // The hits of `query` on `branch` (all of them: limit 50), failing the test on an error.
  SearchResponse Run(const std::string& query, Branch branch, SearchMode mode = SearchMode::kAuto,
                     SortOrder sort = SortOrder::kRelevance) {
    SearchRequest req;
    req.query = query;
    req.branch = branch;
    req.mode = mode;
    req.sort = sort;
    req.limit = 50;
    auto res = service_->Search(req);
    EXPECT_TRUE(res) << query << ": " << res.error().ToString();
    return res ? *res : SearchResponse{};
  }

  TempDir dir_;
  std::unique_ptr<SearchService> service_;
};

TEST_F(VenueBranchTest, EachBranchFindsOnlyItsPapersWithExactCounts) {
  const std::vector<std::string> arxiv = {"2601.00001", "2601.00004"};
  const std::vector<std::string> venue = {"2023.acl-long.7@ACL", "2024.acl-long.1@ACL",
                                          "AbC123xyz@OpenReview"};
  for (SearchMode mode : {SearchMode::kBm25, SearchMode::kAuto}) {
    SCOPED_TRACE(std::string(SearchModeName(mode)));
    SearchResponse a = Run("graph neural networks", Branch::kArxiv, mode);
    ASSERT_EQ(a.hits.size(), arxiv.size());
    EXPECT_EQ(Sorted(Ids(a.hits)), arxiv);
    EXPECT_EQ(a.total, 2);
    SearchResponse v = Run("graph neural networks", Branch::kVenue, mode);
    ASSERT_EQ(v.hits.size(), venue.size());
    EXPECT_EQ(Sorted(Ids(v.hits)), venue);
    EXPECT_EQ(v.total, 3);
    for (const SearchHit& h : v.hits) EXPECT_FALSE(h.doc.venue.empty()) << h.id;
    SearchResponse all = Run("graph neural networks", Branch::kAll, mode);
    EXPECT_EQ(all.hits.size(), 5u);
    EXPECT_EQ(all.total, 5);
  }
}

TEST_F(VenueBranchTest, SimilarTextSearchKeepsToTheBranch) {
  SearchRequest req;
  req.branch = Branch::kVenue;
  req.limit = 50;
  auto res = service_->Similar("graph neural networks on molecular graphs", req);
  ASSERT_TRUE(res) << res.error().ToString();
  ASSERT_FALSE(res->hits.empty());
  for (const SearchHit& h : res->hits) EXPECT_TRUE(IsVenueId(h.id)) << h.id;
  req.branch = Branch::kArxiv;
  auto arxiv = service_->Similar("graph neural networks on molecular graphs", req);
  ASSERT_TRUE(arxiv) << arxiv.error().ToString();
  ASSERT_FALSE(arxiv->hits.empty());
  for (const SearchHit& h : arxiv->hits) EXPECT_FALSE(IsVenueId(h.id)) << h.id;
}

TEST_F(VenueBranchTest, VenueFilterTakesAnEditionOrAConferenceInAnyCase) {
  SearchResponse acl = Run("venue:ACL graph", Branch::kVenue);
  ASSERT_EQ(acl.hits.size(), 2u);
  EXPECT_EQ(Sorted(Ids(acl.hits)),
            (std::vector<std::string>{"2023.acl-long.7@ACL", "2024.acl-long.1@ACL"}));
  SearchResponse one = Run("venue:acl.2024 graph", Branch::kVenue);
  ASSERT_EQ(one.hits.size(), 1u);
  EXPECT_EQ(one.hits[0].id, "2024.acl-long.1@ACL");
  EXPECT_EQ(one.total, 1);
  SearchResponse two = Run("venue:ICLR.2024,icml.2024 graph OR rank", Branch::kVenue,
                           SearchMode::kBm25);
  ASSERT_EQ(two.hits.size(), 2u);
  EXPECT_EQ(Sorted(Ids(two.hits)),
            (std::vector<std::string>{"AbC123xyz@OpenReview", "agarwal24a@v235@PMLR"}));
  // A filter alone lists the edition; a venue nothing was imported for matches nothing.
  SearchResponse alone = Run("venue:ICML.2024", Branch::kVenue);
  ASSERT_EQ(alone.hits.size(), 1u);
  EXPECT_EQ(alone.hits[0].id, "agarwal24a@v235@PMLR");
  EXPECT_TRUE(Run("venue:NeurIPS.2024 graph", Branch::kVenue).hits.empty());
  // The request's venues (the venue= parameter) filter the same way.
  SearchRequest req;
  req.query = "graph";
  req.branch = Branch::kVenue;
  req.venues = {"Acl.2023"};
  auto param = service_->Search(req);
  ASSERT_TRUE(param) << param.error().ToString();
  ASSERT_EQ(param->hits.size(), 1u);
  EXPECT_EQ(param->hits[0].id, "2023.acl-long.7@ACL");
}

TEST_F(VenueBranchTest, MalformedVenueFilterIsInvalidArgument) {
  SearchRequest req;
  req.query = "venue: graph";
  req.branch = Branch::kVenue;
  auto res = service_->Search(req);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(res.error().message().find("venue:ICLR.2024"), std::string::npos);
}

TEST_F(VenueBranchTest, VenuePapersSortAndFilterByTheirEditionsYear) {
  SearchResponse by_time = Run("graph neural networks", Branch::kVenue, SearchMode::kBm25,
                               SortOrder::kTime);
  ASSERT_EQ(by_time.hits.size(), 3u);
  EXPECT_EQ(by_time.hits.back().id, "2023.acl-long.7@ACL");
  SearchResponse in_2023 = Run("graph date:2023", Branch::kVenue);
  ASSERT_EQ(in_2023.hits.size(), 1u);
  EXPECT_EQ(in_2023.hits[0].id, "2023.acl-long.7@ACL");
  // The shown date stays empty: the edition's year is only a sort and filter key.
  EXPECT_EQ(in_2023.hits[0].doc.date, "");
}

TEST(VenueBranch, SortDateKeyIsTheDateElseTheEditionsYear) {
  IndexDoc arxiv = Doc("2601.00001", "t", "a", {"cs.CL"}, "2026-01-10 10:00:00");
  EXPECT_EQ(SortDateKey(arxiv), "20260110100000");
  IndexDoc venue = Doc("x@ACL", "t", "a", {}, "");
  venue.venue = "ACL.2024";
  EXPECT_EQ(SortDateKey(venue), "20240101000000");
  venue.venue = "not an edition";
  EXPECT_EQ(SortDateKey(venue), "");
  IndexDoc round = *ParseDoc(SerializeDoc(Doc("y@ACL", "t", "a", {}, "")));
  EXPECT_EQ(round.venue, "");
  venue.venue = "ICLR.2023";
  EXPECT_EQ(ParseDoc(SerializeDoc(venue))->venue, "ICLR.2023");
}

core::VenuePaper StoredVenuePaper(std::string id, std::string venue, std::string title) {
  core::VenuePaper v;
  v.id = std::move(id);
  v.venue = std::move(venue);
  v.group = "Long";
  v.title = std::move(title);
  v.abstract = "An abstract about syntactic parsing.";
  v.authors = {"Ada Venue"};
  return v;
}

// Venue papers come from the store's change feed as paper rows; the index learns their edition
// from the store, on a full build and on catching up.
TEST(VenueBranch, StorePapersAreIndexedWithTheirEdition) {
  TempDir dir;
  auto store = store::OpenStore("sqlite:" + dir.path() + "/t.db");
  ASSERT_TRUE(store) << store.error().ToString();
  std::vector<core::Paper> arxiv;
  for (const IndexDoc& d : FixtureCorpus()) arxiv.push_back(ToPaper(d));
  ASSERT_TRUE((*store)->Upsert(arxiv, {}));
  std::vector<core::VenuePaper> first = {
      StoredVenuePaper("2024.acl-long.3@ACL", "ACL.2024", "Parsing with transformers")};
  ASSERT_TRUE((*store)->UpsertVenuePapers(first));
  StoreDocSource src(**store);
  BuildOptions b;
  b.progress = false;
  b.semantic = false;
  auto built = BuildIndex(dir.path() + "/index", src, b);
  ASSERT_TRUE(built) << built.error().ToString();
  SearchServiceOptions o;
  o.index_dir = dir.path() + "/index";
  auto service = SearchService::Open(o);
  ASSERT_TRUE(service) << service.error().ToString();

  SearchRequest req;
  req.query = "venue:ACL.2024 parsing";
  req.branch = Branch::kVenue;
  auto found = (*service)->Search(req);
  ASSERT_TRUE(found) << found.error().ToString();
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(found->hits[0].id, "2024.acl-long.3@ACL");
  EXPECT_EQ(found->hits[0].doc.venue, "ACL.2024");
  req.query = "parsing";
  req.branch = Branch::kArxiv;
  auto arxiv_only = (*service)->Search(req);
  ASSERT_TRUE(arxiv_only) << arxiv_only.error().ToString();
  EXPECT_TRUE(arxiv_only->hits.empty());

  std::vector<core::VenuePaper> second = {
      StoredVenuePaper("2023.emnlp-main.9@ACL", "EMNLP.2023", "Parsing tweets")};
  ASSERT_TRUE((*store)->UpsertVenuePapers(second));
  auto n = (*service)->CatchUp(**store);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 1);
  req.query = "venue:emnlp parsing";
  req.branch = Branch::kVenue;
  auto caught = (*service)->Search(req);
  ASSERT_TRUE(caught) << caught.error().ToString();
  ASSERT_EQ(caught->hits.size(), 1u);
  EXPECT_EQ(caught->hits[0].id, "2023.emnlp-main.9@ACL");
}

}  // namespace
}  // namespace coolpapers::search
