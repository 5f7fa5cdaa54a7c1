#include "search/store_catchup.h"

#include <memory>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "search/doc_source.h"
#include "search/index_builder.h"
#include "search/search_service.h"
#include "search/test_util.h"
#include "store/store.h"

namespace coolpapers::search {
namespace {

using testing::TempDir;

// Routes the default logger into a string for one test, restoring the previous one after.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

// `n` papers "2603.1xxxx" on one topic each (of three), in a SQLite store in `dir`.
std::unique_ptr<store::Store> StoreWith(const TempDir& dir, int n) {
  auto store = store::OpenStore("sqlite:" + dir.path() + "/t.db");
  EXPECT_TRUE(store) << store.error().ToString();
  if (!store) return nullptr;
  const char* topics[3] = {"galaxy telescope redshift", "protein folding enzyme",
                           "compiler register bytecode"};
  std::vector<core::Paper> papers;
  for (int i = 0; i < n; ++i) {
    IndexDoc d = testing::Doc("2603." + std::to_string(10000 + i),
                              std::string("Notes on ") + topics[i % 3] + " part" +
                                  std::to_string(i),
                              std::string("We study ") + topics[i % 3] + " again.");
    core::Paper p = ToPaper(d);
    p.updated = d.date;
    papers.push_back(std::move(p));
  }
  EXPECT_TRUE((*store)->Upsert(papers, {}));
  return std::move(*store);
}

// A first generation of `index` with no documents (what a new server starts from).
Result<BuildSummary> BuildEmptyIndex(const std::string& index) {
  VectorDocSource empty({});
  BuildOptions b;
  b.progress = false;
  return BuildIndex(index, empty, b);
}

// A new server starts with an empty index while its store holds many papers: the catch-up
// builds the index in full (with corpus statistics, so papers get keywords, which paper-by-paper
// catching up into an empty index cannot give) and logs its progress, then the service serves
// the new generation.
TEST(StoreCatchUp, LargeCatchUpIntoAnEmptyIndexIsAFullBuildWithLoggedProgress) {
  TempDir dir;
  auto store = StoreWith(dir, 60);
  ASSERT_NE(store, nullptr);
  const std::string index = dir.path() + "/index";
  auto created = BuildEmptyIndex(index);
  ASSERT_TRUE(created) << created.error().ToString();
  auto gen = LoadGeneration(created->generation, {});
  ASSERT_TRUE(gen) << gen.error().ToString();

  CapturedLog log;
  auto n = ApplyStoreChanges(*gen, *store, {}, /*progress=*/false, /*large=*/50);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 60);
  const std::string text = log.text();
  EXPECT_NE(text.find("search: index: indexing: 60 documents indexed in"), std::string::npos)
      << text;
  EXPECT_NE(text.find("merge/compact"), std::string::npos) << text;

  auto current = IndexLayout(index).CurrentGeneration();
  ASSERT_TRUE(current);
  EXPECT_NE(*current, created->generation);
  SearchServiceOptions so;
  so.index_dir = index;
  auto service = SearchService::Open(so);
  ASSERT_TRUE(service) << service.error().ToString();
  EXPECT_EQ((*service)->Info().docs, 60);
  EXPECT_EQ((*service)->Info().store_seq, *store->ChangeSeq());
  SearchRequest req;
  req.query = "part7";
  req.mode = SearchMode::kBm25;
  auto found = (*service)->Search(req);
  ASSERT_TRUE(found) << found.error().ToString();
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(found->hits[0].id, "2603.10007");
  auto keywords = (*service)->Keywords("2603.10007");
  ASSERT_TRUE(keywords) << keywords.error().ToString();
  EXPECT_FALSE(keywords->empty());

  // Caught up: the next rounds write nothing and log nothing.
  auto fresh = LoadGeneration(*current, {});
  ASSERT_TRUE(fresh) << fresh.error().ToString();
  CapturedLog quiet;
  for (int round = 0; round < 2; ++round) {
    auto again = ApplyStoreChanges(*fresh, *store, {}, /*progress=*/false, /*large=*/50);
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_EQ(*again, 0);
  }
  EXPECT_EQ(quiet.text(), "");
  EXPECT_EQ(*IndexLayout(index).CurrentGeneration(), *current);
}

// Below the threshold the same empty index is caught up paper by paper, silently, in place.
TEST(StoreCatchUp, SmallCatchUpWritesIntoTheLiveGenerationWithoutLogging) {
  TempDir dir;
  auto store = StoreWith(dir, 12);
  ASSERT_NE(store, nullptr);
  const std::string index = dir.path() + "/index";
  auto created = BuildEmptyIndex(index);
  ASSERT_TRUE(created) << created.error().ToString();
  auto gen = LoadGeneration(created->generation, {});
  ASSERT_TRUE(gen) << gen.error().ToString();
  CapturedLog log;
  auto n = ApplyStoreChanges(*gen, *store, {}, /*progress=*/false, /*large=*/50);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 12);
  EXPECT_EQ(log.text(), "");
  EXPECT_EQ(*IndexLayout(index).CurrentGeneration(), created->generation);
  auto lease = SearcherLease::Acquire(*gen);
  ASSERT_TRUE(lease) << lease.error().ToString();
  (void)(*lease)->Reopen();
  EXPECT_EQ((*lease)->DocCount(), 12u);
}

}  // namespace
}  // namespace coolpapers::search
