#include "search/search_service.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "search/doc_source.h"
#include "search/file_util.h"
#include "search/index_builder.h"
#include "search/index_layout.h"
#include "search/test_util.h"
#include "store/store.h"

namespace coolpapers::search {
namespace {

namespace fs = std::filesystem;
using testing::FixtureCorpus;
using testing::TempDir;

BuildOptions SmallBuild() {
  BuildOptions b;
  b.progress = false;
  // These tests pin the LSA model's behaviour on the tiny fixture corpus; the default word
  // vectors are tested end to end in index_builder_test.cc.
  b.corpus_model = BuildOptions::CorpusModel::kLsa;
  b.lsa.dims = 6;
  return b;
}

std::unique_ptr<SearchService> OpenService(const std::string& dir) {
  SearchServiceOptions o;
  o.index_dir = dir;
  auto s = SearchService::Open(o);
  EXPECT_TRUE(s) << (s ? "" : s.error().ToString());
  return s ? std::move(*s) : nullptr;
}

std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.id);
  return ids;
}

class SearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VectorDocSource src(FixtureCorpus());
    auto built = BuildIndex(dir_.path() + "/index", src, SmallBuild());
    ASSERT_TRUE(built) << built.error().ToString();
    EXPECT_EQ(built->docs, 8);
    EXPECT_EQ(built->embedder_id, "lsa-6");
    service_ = OpenService(dir_.path() + "/index");
    ASSERT_NE(service_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<SearchService> service_;
};

TEST_F(SearchServiceTest, ModesAndTheirResults) {
  EXPECT_TRUE(service_->HasSemantic());
  SearchRequest req;
  req.query = "graph neural networks";
  auto hybrid = service_->Search(req);
  ASSERT_TRUE(hybrid);
  EXPECT_EQ(hybrid->mode, SearchMode::kHybrid);
  ASSERT_FALSE(hybrid->hits.empty());
  EXPECT_EQ(hybrid->hits[0].id, "2601.00001");
  EXPECT_FALSE(hybrid->hits[0].doc.title.empty());
  req.mode = SearchMode::kBm25;
  auto bm25 = service_->Search(req);
  ASSERT_TRUE(bm25);
  EXPECT_EQ(bm25->mode, SearchMode::kBm25);
  EXPECT_EQ(Ids(bm25->hits), (std::vector<std::string>{"2601.00001", "2601.00004"}));
  req.mode = SearchMode::kSemantic;
  auto sem = service_->Search(req);
  ASSERT_TRUE(sem);
  EXPECT_EQ(sem->mode, SearchMode::kSemantic);
  EXPECT_FALSE(sem->hits.empty());
  // Operators and non-relevance sorts stay keyword-only.
  SearchRequest phrase;
  phrase.query = "\"graph learning\"";
  auto p = service_->Search(phrase);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->mode, SearchMode::kBm25);
  EXPECT_EQ(Ids(p->hits), std::vector<std::string>{"2601.00004"});
}

TEST_F(SearchServiceTest, HybridRespectsFilters) {
  SearchRequest req;
  req.query = "learning to rank";
  auto all = service_->Search(req);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->mode, SearchMode::kHybrid);
  // Unfiltered, the page spans categories and dates; each filter keeps exactly its papers.
  ASSERT_EQ(Ids(all->hits),
            (std::vector<std::string>{"2601.00006", "2601.00004", "2601.00005", "2601.00001"}));
  req.categories = {"cs.LG"};
  auto r = service_->Search(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mode, SearchMode::kHybrid);
  ASSERT_EQ(Ids(r->hits), (std::vector<std::string>{"2601.00004", "2601.00001"}));
  for (const auto& h : r->hits) EXPECT_EQ(h.doc.categories[0], "cs.LG") << h.id;
  req.categories.clear();
  req.date_from = "2026-05-01";
  r = service_->Search(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mode, SearchMode::kHybrid);
  ASSERT_EQ(Ids(r->hits), (std::vector<std::string>{"2601.00006", "2601.00005"}));
  for (const auto& h : r->hits) EXPECT_GE(h.doc.date, "2026-05-01") << h.id;
}

// Hybrid takes only the top of the BM25 ranking (keyword_depth, at least the page's end), but
// every semantic candidate that matches the words gets its BM25 score: each page, its scores
// and the total are those of fusing the whole BM25 ranking.
TEST_F(SearchServiceTest, HybridScoresEverySemanticCandidateThatMatchesTheWords) {
  SearchServiceOptions shallow_opts;
  shallow_opts.index_dir = dir_.path() + "/index";
  shallow_opts.hybrid.keyword_depth = 1;
  auto shallow = SearchService::Open(shallow_opts);
  ASSERT_TRUE(shallow) << shallow.error().ToString();
  SearchRequest req;
  req.query = "learning to rank";
  req.mode = SearchMode::kHybrid;
  auto whole = service_->Search(req);
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->hits.size(), 4u);
  for (int offset = 0; offset < 4; ++offset) {
    req.offset = offset;
    req.limit = 1;
    auto page = (*shallow)->Search(req);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->hits.size(), 1u) << offset;
    EXPECT_EQ(page->hits[0].id, whole->hits[offset].id) << offset;
    EXPECT_DOUBLE_EQ(page->hits[0].score, whole->hits[offset].score) << offset;
    EXPECT_EQ(page->total, whole->total) << offset;
  }
}

TEST_F(SearchServiceTest, AndFallsBackToOrAndSuggestsSpelling) {
  SearchRequest req;
  req.query = "diffusion translators";
  req.mode = SearchMode::kBm25;
  auto r = service_->Search(req);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->relaxed);
  EXPECT_EQ(r->hits.size(), 2u);
  req.query = "difusion";
  r = service_->Search(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->suggestion, "diffusion");
  // The suggestion is the whole query as typed, filters included (its link keeps them).
  req.query = "difusion date:2026";
  r = service_->Search(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->suggestion, "diffusion date:2026");
}

TEST_F(SearchServiceTest, BadQueriesAreInvalidArgument) {
  SearchRequest req;
  req.query = "   ";
  auto empty = service_->Search(req);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  req.query = "x date:tomorrow";
  EXPECT_EQ(service_->Search(req).error().code(), StatusCode::kInvalidArgument);
  req.query = std::string(5000, 'x');
  EXPECT_EQ(service_->Search(req).error().code(), StatusCode::kInvalidArgument);
  req.query = "cat:cs.CL";  // filters alone are a valid query
  auto cats = service_->Search(req);
  ASSERT_TRUE(cats);
  EXPECT_EQ(cats->total, 3);
}

// Regression (issue 11 item 8): a huge offset made semantic and similar-text search walk the
// whole vector index; beyond offset+limit = kMaxSemanticDepth they are refused.
TEST_F(SearchServiceTest, SemanticAndSimilarSearchRefuseDepthBeyondTheLimit) {
  SearchRequest req;
  req.query = "diffusion images";
  req.mode = SearchMode::kSemantic;
  req.offset = kMaxSemanticDepth - 10;
  req.limit = 10;
  EXPECT_TRUE(service_->Search(req)) << "exactly at the limit is allowed";
  req.offset = 100000000;
  auto deep = service_->Search(req);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(deep.error().message().find("offset+limit = 100000010"), std::string::npos)
      << deep.error().message();
  EXPECT_NE(deep.error().message().find("1000"), std::string::npos);
  req.mode = SearchMode::kBm25;  // keyword paging is not bounded by it
  EXPECT_TRUE(service_->Search(req));
  req.offset = kMaxSemanticDepth;
  auto sim = service_->Similar("denoising diffusion models synthesize images", req);
  ASSERT_FALSE(sim);
  EXPECT_EQ(sim.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sim.error().message().find("similar-text search"), std::string::npos);
}

// Searches now run on a pool of CPU threads next to the I/O threads. Hybrid pages (their
// decoration matches all documents) and filter-only queries both used to copy the global
// Xapian::Query::MatchAll, whose non-atomic reference count concurrent searches corrupted (a
// crash seen in bench/soak.sh). The race is rare: this test is a smoke test of concurrent
// searching, not a reliable reproduction.
TEST_F(SearchServiceTest, ConcurrentHybridAndFilterOnlySearchesAgree) {
  SearchRequest hybrid;
  hybrid.query = "graph neural networks";
  SearchRequest filter_only;
  filter_only.query = "cat:cs.CL";
  auto h0 = service_->Search(hybrid);
  auto f0 = service_->Search(filter_only);
  ASSERT_TRUE(h0);
  ASSERT_TRUE(f0);
  // The reference pages are not empty, so agreeing with them means finding the same papers.
  ASSERT_EQ(Ids(h0->hits), (std::vector<std::string>{"2601.00001", "2601.00004"}));
  ASSERT_EQ(f0->hits.size(), 3u);
  std::atomic<int> failures{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        auto r = service_->Search((i + t) % 2 ? hybrid : filter_only);
        const auto& want = (i + t) % 2 ? *h0 : *f0;
        if (!r || Ids(r->hits) != Ids(want.hits)) failures.fetch_add(1);
        done.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), 1200);
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(SearchServiceTest, RelatedSimilarAndKeywords) {
  auto rel = service_->Related("2601.00001", 3);
  ASSERT_TRUE(rel) << rel.error().ToString();
  ASSERT_FALSE(rel->empty());
  EXPECT_LE(rel->size(), 3u);
  EXPECT_EQ((*rel)[0].id, "2601.00004");
  // Exactly the three related papers, none of them the paper itself.
  ASSERT_EQ(Ids(*rel), (std::vector<std::string>{"2601.00004", "2601.00005", "2601.00002"}));
  for (const auto& h : *rel) EXPECT_NE(h.id, "2601.00001");
  EXPECT_EQ(service_->Related("0000.00000").error().code(), StatusCode::kNotFound);

  SearchRequest req;
  auto sim = service_->Similar(
      "We propose denoising diffusion models that synthesize realistic images.", req);
  ASSERT_TRUE(sim);
  ASSERT_FALSE(sim->hits.empty());
  EXPECT_EQ(sim->hits[0].id, "2601.00003");
  EXPECT_FALSE(service_->Similar("   ", req));

  auto kw = service_->Keywords("2601.00003");
  ASSERT_TRUE(kw);
  EXPECT_FALSE(kw->empty());
  EXPECT_LE(kw->size(), 8u);
}

TEST(IndexFormat, AnIndexOfAnotherFormatIsRefusedWithTheFix) {
  TempDir dir;
  VectorDocSource src(FixtureCorpus());
  auto built = BuildIndex(dir.path() + "/index", src, SmallBuild());
  ASSERT_TRUE(built) << built.error().ToString();
  auto text = ReadFile(IndexLayout::MetaPath(built->generation));
  ASSERT_TRUE(text);
  auto meta = MetaFromJson(*text);
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->format, kIndexFormat);
  meta->format = 1;  // an index written before free text became one field
  ASSERT_TRUE(WriteFileAtomically(IndexLayout::MetaPath(built->generation), MetaToJson(*meta))
                  .ok());
  SearchServiceOptions o;
  o.index_dir = dir.path() + "/index";
  auto s = SearchService::Open(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("coolpapers index --rebuild"), std::string::npos)
      << s.error().message();
  // A meta.json without a format is the first format.
  auto old = MetaFromJson("{\"embedder_id\": \"\"}");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->format, 1);
}

TEST(IndexCrashSafety, LeftoverTempBuildIsIgnoredThenReplaced) {
  TempDir dir;
  const std::string index = dir.path() + "/index";
  VectorDocSource src(FixtureCorpus());
  auto first = BuildIndex(index, src, SmallBuild());
  ASSERT_TRUE(first);
  // A build that "crashed" midway: a half-written generation under its .tmp name.
  IndexLayout layout(index);
  auto tmp = layout.BeginBuild();
  ASSERT_TRUE(tmp);
  fs::create_directories(IndexLayout::XapianPath(*tmp));
  std::FILE* junk = std::fopen((IndexLayout::XapianPath(*tmp) + "/postlist.glass").c_str(), "w");
  std::fputs("half written", junk);
  std::fclose(junk);

  auto service = OpenService(index);
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->Info().generation, first->generation);
  SearchRequest req;
  req.query = "diffusion";
  auto r = service->Search(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->hits.at(0).id, "2601.00003");

  VectorDocSource again(FixtureCorpus());
  auto second = BuildIndex(index, again, SmallBuild());
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_FALSE(fs::exists(*tmp));
  EXPECT_FALSE(fs::exists(first->generation));
  auto current = layout.CurrentGeneration();
  ASSERT_TRUE(current);
  EXPECT_EQ(*current, second->generation);
  // The open service notices the new generation on its next catch-up/reload.
  auto reopened = OpenService(index);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Info().docs, 8);
}

TEST(IndexCrashSafety, MissingIndexIsNotFoundWithTheFix) {
  TempDir dir;
  SearchServiceOptions o;
  o.index_dir = dir.path() + "/nothing";
  auto s = SearchService::Open(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), StatusCode::kNotFound);
  EXPECT_NE(s.error().message().find("coolpapers index"), std::string::npos);
}

core::Paper PaperFrom(const IndexDoc& d) {
  core::Paper p = ToPaper(d);
  p.updated = d.date;
  return p;
}

// The fixture corpus as store papers.
std::vector<core::Paper> FixturePapers() {
  std::vector<core::Paper> papers;
  for (const IndexDoc& d : FixtureCorpus()) papers.push_back(PaperFrom(d));
  return papers;
}

// A full index of `store` in `index`, opened (nullptr after a failed expectation).
std::unique_ptr<SearchService> BuildFromStore(store::Store& store, const std::string& index) {
  StoreDocSource src(store);
  auto built = BuildIndex(index, src, SmallBuild());
  EXPECT_TRUE(built) << built.error().ToString();
  return built ? OpenService(index) : nullptr;
}

// A SQLite store in `dir` holding the whole fixture corpus.
std::unique_ptr<store::Store> FixtureStore(const TempDir& dir) {
  auto store = store::OpenStore("sqlite:" + dir.path() + "/t.db");
  EXPECT_TRUE(store) << store.error().ToString();
  if (!store) return nullptr;
  EXPECT_TRUE((*store)->Upsert(FixturePapers(), {}));
  return std::move(*store);
}

TEST(IncrementalIndex, CatchUpAppliesNewAndUpdatedPapersFromTheStore) {
  TempDir dir;
  auto store = store::OpenStore("sqlite:" + dir.path() + "/t.db");
  ASSERT_TRUE(store) << store.error().ToString();
  std::vector<core::Paper> papers = FixturePapers();
  std::vector<core::Paper> first(papers.begin(), papers.begin() + 6);
  ASSERT_TRUE((*store)->Upsert(first, {}));
  const std::string index = dir.path() + "/index";
  StoreDocSource src(**store);
  auto built = BuildIndex(index, src, SmallBuild());
  ASSERT_TRUE(built) << built.error().ToString();
  EXPECT_EQ(built->docs, 6);
  EXPECT_GT(built->store_seq, 0);

  auto service = OpenService(index);
  ASSERT_NE(service, nullptr);
  SearchRequest req;
  req.query = "speech";
  EXPECT_TRUE(service->Search(req)->hits.empty());

  std::vector<core::Paper> rest(papers.begin() + 6, papers.end());
  core::Paper updated = papers[2];
  updated.title = "Diffusion models for video synthesis";
  updated.version = 2;
  rest.push_back(updated);
  ASSERT_TRUE((*store)->Upsert(rest, {}));
  auto n = service->CatchUp(**store);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 3);
  auto speech = service->Search(req);
  ASSERT_TRUE(speech);
  ASSERT_EQ(speech->hits.size(), 1u);
  EXPECT_EQ(speech->hits[0].id, "2601.00008");
  req.query = "video";
  auto video = service->Search(req);
  ASSERT_TRUE(video);
  ASSERT_EQ(video->hits.size(), 1u);
  EXPECT_EQ(video->hits[0].doc.version, 2);
  EXPECT_EQ(service->Info().docs, 8);
  EXPECT_EQ(service->Info().store_seq, *(*store)->ChangeSeq());
  // New papers got vectors too, so they have related papers.
  auto rel = service->Related("2601.00008", 3);
  ASSERT_TRUE(rel);
  EXPECT_FALSE(rel->empty());
  // Nothing new: nothing written.
  auto none = service->CatchUp(**store);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  // A fresh service over the same directory sees the incremental state.
  auto reopened = OpenService(index);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Info().docs, 8);
}

TEST(IncrementalIndex, FaqTextBecomesSearchableAfterCatchUp) {
  TempDir dir;
  auto store = FixtureStore(dir);
  ASSERT_NE(store, nullptr);
  const std::string index = dir.path() + "/index";
  auto service = BuildFromStore(*store, index);
  ASSERT_NE(service, nullptr);
  SearchRequest req;
  req.query = "quokkagrams";
  req.mode = SearchMode::kBm25;
  auto before = service->Search(req);
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_TRUE(before->hits.empty());

  store::FaqRecord faq;
  faq.paper_id = "2601.00003";
  faq.lang = "en";
  faq.model = "test-model";
  faq.content_json =
      R"([{"q":"What do the samples look like?","a":"Mostly quokkagrams of wildlife."}])";
  faq.source = "abstract";
  faq.created = "2026-03-13 10:00:00";
  ASSERT_TRUE(store->PutFaq(faq).ok());
  auto n = service->CatchUp(*store);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 1);
  auto after = service->Search(req);
  ASSERT_TRUE(after) << after.error().ToString();
  ASSERT_EQ(Ids(after->hits), std::vector<std::string>{"2601.00003"});
  EXPECT_EQ(service->Info().docs, 8);

  // A full rebuild from the store indexes FAQ text too.
  StoreDocSource again(*store);
  auto rebuilt = BuildIndex(dir.path() + "/index2", again, SmallBuild());
  ASSERT_TRUE(rebuilt) << rebuilt.error().ToString();
  auto fresh = OpenService(dir.path() + "/index2");
  ASSERT_NE(fresh, nullptr);
  auto found = fresh->Search(req);
  ASSERT_TRUE(found) << found.error().ToString();
  EXPECT_EQ(Ids(found->hits), std::vector<std::string>{"2601.00003"});
}

// A filter-only search (every fixture paper is in the cs archive) sorted by stars.
Result<SearchResponse> ByStars(SearchService& service) {
  SearchRequest req;
  req.categories = {"cs"};
  req.sort = SortOrder::kStars;
  req.limit = 3;
  return service.Search(req);
}

void Click(store::Store& store, const std::string& id, int times) {
  for (int i = 0; i < times; ++i) ASSERT_TRUE(store.AddClick(id, "pdf").ok());
}

TEST(IncrementalIndex, StarsSortFollowsClicksAfterCatchUp) {
  TempDir dir;
  auto store = FixtureStore(dir);
  ASSERT_NE(store, nullptr);
  Click(*store, "2601.00001", 2);
  const std::string index = dir.path() + "/index";
  auto service = BuildFromStore(*store, index);
  ASSERT_NE(service, nullptr);
  auto before = ByStars(*service);
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_EQ(before->total, 8);
  ASSERT_FALSE(before->hits.empty());
  EXPECT_EQ(before->hits[0].id, "2601.00001");
  EXPECT_EQ(before->hits[0].doc.stars, 2);

  // Clicks do not change the store's change sequence, so no paper is reindexed; the stars
  // still have to move the never-clicked paper to the top.
  Click(*store, "2601.00006", 5);
  auto n = service->CatchUp(*store);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 0);
  auto after = ByStars(*service);
  ASSERT_TRUE(after) << after.error().ToString();
  ASSERT_GE(after->hits.size(), 2u);
  EXPECT_EQ(after->hits[0].id, "2601.00006");
  EXPECT_EQ(after->hits[0].doc.stars, 5);
  EXPECT_EQ(after->hits[1].id, "2601.00001");
  EXPECT_EQ(after->hits[1].doc.stars, 2);
  EXPECT_EQ(after->total, 8);

  // A rebuilt generation numbers the papers differently (here: reverse order of change); the
  // fresh stars follow the papers, not the old generation's docids.
  const std::vector<core::Paper> papers = FixturePapers();
  for (auto it = papers.rbegin(); it != papers.rend(); ++it) {
    core::Paper next = *it;
    next.version = 2;
    ASSERT_TRUE(store->Upsert(std::vector<core::Paper>{next}, {}));
  }
  StoreDocSource again(*store);
  auto rebuilt = BuildIndex(index, again, SmallBuild());
  ASSERT_TRUE(rebuilt) << rebuilt.error().ToString();
  Click(*store, "2601.00002", 7);
  auto caught = service->CatchUp(*store);
  ASSERT_TRUE(caught) << caught.error().ToString();
  EXPECT_EQ(service->Info().generation, rebuilt->generation);
  auto latest = ByStars(*service);
  ASSERT_TRUE(latest) << latest.error().ToString();
  std::vector<std::pair<std::string, int64_t>> top;
  for (const SearchHit& h : latest->hits) top.emplace_back(h.id, h.doc.stars);
  using P = std::pair<std::string, int64_t>;
  EXPECT_EQ(top, (std::vector<P>{{"2601.00002", 7}, {"2601.00006", 5}, {"2601.00001", 2}}));
}

// A hybrid page takes three semantic candidates per result up to its end, between min_depth
// and depth: a first page of 10 takes 30 (SciFact nDCG@10 is the same as with 100).
TEST(SemanticDepthTest, ThreePerResultBetweenTheBounds) {
  HybridOptions o;
  ASSERT_EQ(o.depth, 100);
  ASSERT_EQ(o.min_depth, 30);
  EXPECT_EQ(SemanticDepth(o, 10), 30);
  EXPECT_EQ(SemanticDepth(o, 1), 30);
  EXPECT_EQ(SemanticDepth(o, 0), 30);
  EXPECT_EQ(SemanticDepth(o, -5), 30);
  EXPECT_EQ(SemanticDepth(o, 20), 60);
  EXPECT_EQ(SemanticDepth(o, 34), 100);
  EXPECT_EQ(SemanticDepth(o, 1000), 100);
  o.min_depth = 500;  // never past depth
  EXPECT_EQ(SemanticDepth(o, 10), 100);
  o.depth = 5;
  o.min_depth = 1;
  EXPECT_EQ(SemanticDepth(o, 10), 5);
}

}  // namespace
}  // namespace coolpapers::search
