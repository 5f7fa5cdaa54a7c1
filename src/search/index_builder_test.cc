#include "search/index_builder.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "search/batch_pipeline.h"
#include "search/doc_store.h"
#include "search/index_layout.h"
#include "search/search_service.h"
#include "search/test_util.h"

namespace coolpapers::search {
namespace {

using testing::Doc;
using testing::TempDir;

// Five topics with disjoint vocabularies; paper i is on topic i % 5 and carries a unique word.
const char* const kTopics[5][4] = {
    {"galaxy", "telescope", "redshift", "cosmology"},
    {"protein", "folding", "enzyme", "molecule"},
    {"compiler", "register", "bytecode", "optimizer"},
    {"auction", "bidder", "mechanism", "equilibrium"},
    {"robot", "gripper", "manipulation", "grasp"},
};

std::string PaperId(int i) { return "2602." + std::to_string(10000 + i); }

std::vector<IndexDoc> TopicCorpus(int n) {
  std::vector<IndexDoc> docs;
  for (int i = 0; i < n; ++i) {
    const auto& t = kTopics[i % 5];
    docs.push_back(Doc(PaperId(i), std::string("On ") + t[0] + " and " + t[1] + " uniq" +
                                       std::to_string(i),
                       std::string("We study ") + t[2] + " " + t[3] + " with " + t[0] + " " +
                           t[(i / 5) % 4] + " methods."));
  }
  return docs;
}

TEST(IndexBuilder, ShardedParallelBuildKeepsEveryPaperAndItsVector) {
  TempDir dir;
  std::vector<IndexDoc> docs = TopicCorpus(2600);
  // A source may repeat an id (a paper updated during the pass): the last version wins.
  IndexDoc repeat = docs[7];
  repeat.title = "On robot gripper replaced";
  docs.push_back(repeat);
  VectorDocSource src(docs, 250);
  BuildOptions opts;
  opts.progress = false;
  opts.lsa.dims = 8;
  opts.threads = 2;
  opts.shard_docs = 1000;  // several shards per worker, merged at the end
  auto built = BuildIndex(dir.path() + "/index", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  EXPECT_EQ(built->docs, 2600);

  SearchServiceOptions so;
  so.index_dir = dir.path() + "/index";
  auto service = SearchService::Open(so);
  ASSERT_TRUE(service) << service.error().ToString();
  EXPECT_EQ((*service)->Info().docs, 2600);
  EXPECT_EQ((*service)->Info().vectors, 2600);

  for (int i : {0, 1, 999, 1000, 1001, 1777, 2599}) {
    SearchRequest req;
    req.mode = SearchMode::kBm25;
    req.query = "uniq" + std::to_string(i);
    auto r = (*service)->Search(req);
    ASSERT_TRUE(r) << r.error().ToString();
    ASSERT_EQ(r->hits.size(), 1u) << req.query;
    EXPECT_EQ(r->hits[0].id, PaperId(i));
  }
  SearchRequest replaced;
  replaced.mode = SearchMode::kBm25;
  replaced.query = "replaced";
  auto r = (*service)->Search(replaced);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].id, PaperId(7));

  // Vectors carry the merged docids: a paper's related papers share its topic.
  for (int i : {3, 1002, 2404}) {
    auto rel = (*service)->Related(PaperId(i), 10);
    ASSERT_TRUE(rel) << rel.error().ToString();
    ASSERT_EQ(rel->size(), 10u);
    for (const SearchHit& h : *rel) {
      const int j = std::stoi(h.id.substr(5)) - 10000;
      EXPECT_EQ(j % 5, i % 5) << PaperId(i) << " related to " << h.id;
    }
  }
}

// Every term of a document with its wdf and positions, its length and its data, by paper id.
std::map<std::string, std::string> Dump(const std::string& index_dir) {
  auto gen = IndexLayout(index_dir).CurrentGeneration();
  EXPECT_TRUE(gen);
  std::map<std::string, std::string> out;
  if (!gen) return out;
  Xapian::Database db(IndexLayout::XapianPath(*gen));
  for (auto d = db.postlist_begin(""); d != db.postlist_end(""); ++d) {
    Xapian::Document doc = db.get_document(*d);
    std::string id, text;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
      if ((*t).rfind(kPrefixId, 0) == 0) id = *t;
      text += *t + "/" + std::to_string(t.get_wdf());
      for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
        text += "," + std::to_string(*p);
      }
      text += " ";
    }
    text += "len=" + std::to_string(db.get_doclength(*d)) + " data=" + doc.get_data();
    out[id] = text;
  }
  return out;
}

// Committing the partial databases every few documents (and cutting them small) changes how
// fast the index is written, never what it holds: every document has the same terms, wdf,
// positions, length, stored data (with its keywords) and metadata as in a build that commits
// once, and the spelling data is the same.
// The block size every table was written with, as Xapian's checker reports it ("" when the
// database cannot be checked).
std::set<std::string> BlockSizes(const std::string& xapian_path) {
  std::ostringstream out;
  try {
    Xapian::Database::check(xapian_path, Xapian::DBCHECK_SHOW_STATS, &out);
  } catch (const Xapian::Error& e) {
    ADD_FAILURE() << e.get_description();
    return {};
  }
  std::set<std::string> sizes;
  const std::string text = out.str();
  for (size_t at = text.find("blocksize="); at != std::string::npos;
       at = text.find("blocksize=", at + 1)) {
    sizes.insert(text.substr(at + 10, text.find(' ', at) - at - 10));
  }
  return sizes;
}

// The generation's document file (DocStore) holds every document as its index stores it.
void ExpectDocumentFileOf(const std::string& gen) {
  const std::string xapian = IndexLayout::XapianPath(gen);
  Xapian::Database db(xapian);
  auto store = DocStore::Open(DocStore::PathFor(xapian), db.get_uuid());
  ASSERT_TRUE(store) << store.error().ToString();
  ASSERT_NE(*store, nullptr) << gen;
  ASSERT_EQ((*store)->covered(), db.get_lastdocid());
  ASSERT_GT(db.get_doccount(), 0u);
  for (Xapian::docid d = 1; d <= (*store)->covered(); ++d) {
    auto data = (*store)->Get(d);
    ASSERT_TRUE(data.has_value()) << d;
    EXPECT_EQ(*data, db.get_document(d).get_data()) << d;
  }
}

// Indexes are written with kIndexBlockSize blocks (fewer reads per search than Xapian's 8 KB):
// a merged build, a build written directly, and a database the writer creates. Both builds
// write their document file.
TEST(IndexBuilder, IndexesUseTheLargerBlockSizeAndBuildsWriteTheirDocuments) {
  ASSERT_EQ(kIndexBlockSize, 32768);
  TempDir dir;
  VectorDocSource src(TopicCorpus(300), 100);
  BuildOptions opts;
  opts.progress = false;
  opts.lsa.dims = 8;
  opts.threads = 2;
  opts.shard_docs = 100;  // merged from several shards
  auto built = BuildIndex(dir.path() + "/merged", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  auto gen = IndexLayout(dir.path() + "/merged").CurrentGeneration();
  ASSERT_TRUE(gen);
  EXPECT_EQ(BlockSizes(IndexLayout::XapianPath(*gen)), std::set<std::string>{"32K"});
  ExpectDocumentFileOf(*gen);

  VectorDocSource again(TopicCorpus(50), 100);
  opts.threads = 1;
  opts.compact = false;  // one worker writes the final database itself
  built = BuildIndex(dir.path() + "/direct", again, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  gen = IndexLayout(dir.path() + "/direct").CurrentGeneration();
  ASSERT_TRUE(gen);
  EXPECT_EQ(BlockSizes(IndexLayout::XapianPath(*gen)), std::set<std::string>{"32K"});
  ExpectDocumentFileOf(*gen);

  auto w = KeywordIndexWriter::Open(dir.path() + "/new", true);
  ASSERT_TRUE(w) << w.error().ToString();
  ASSERT_TRUE((*w)->Put(Doc("2602.00001", "A title", "An abstract.")));
  ASSERT_TRUE((*w)->Commit({}).ok());
  EXPECT_EQ(BlockSizes(dir.path() + "/new"), std::set<std::string>{"32K"});
}

TEST(IndexBuilder, FrequentShardCommitsWriteTheSameIndex) {
  TempDir dir;
  const std::vector<IndexDoc> docs = TopicCorpus(700);
  auto build = [&](const std::string& name, int threads, int64_t shard, int64_t flush) {
    VectorDocSource src(docs, 60);
    BuildOptions opts;
    opts.progress = false;
    opts.semantic = false;
    opts.threads = threads;
    opts.shard_docs = shard;
    opts.flush_docs = flush;
    auto built = BuildIndex(dir.path() + "/" + name, src, opts);
    EXPECT_TRUE(built) << built.error().ToString();
    if (built) {
      EXPECT_EQ(built->docs, 700);
    }
  };
  build("once", 1, 100000, 100000);
  build("often", 2, 100, 7);
  const auto once = Dump(dir.path() + "/once");
  const auto often = Dump(dir.path() + "/often");
  ASSERT_EQ(once.size(), 700u);
  EXPECT_EQ(often, once);
  Xapian::Database a(IndexLayout::XapianPath(*IndexLayout(dir.path() + "/once").CurrentGeneration()));
  Xapian::Database b(
      IndexLayout::XapianPath(*IndexLayout(dir.path() + "/often").CurrentGeneration()));
  EXPECT_EQ(a.get_spelling_suggestion("galaxi"), b.get_spelling_suggestion("galaxi"));
  EXPECT_EQ(a.get_spelling_suggestion("galaxi"), "galaxy");
  auto spellings = [](const Xapian::Database& db) {
    std::vector<std::pair<std::string, Xapian::doccount>> out;
    for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) {
      out.emplace_back(*it, it.get_termfreq());
    }
    return out;
  };
  const auto spelled = spellings(a);
  EXPECT_GT(spelled.size(), 700u);
  EXPECT_EQ(spellings(b), spelled);
  EXPECT_EQ(a.get_metadata("store_seq"), b.get_metadata("store_seq"));
}

// The summary says where the build's time went.
TEST(IndexBuilder, SummaryHasThePhasesOfTheBuild) {
  TempDir dir;
  VectorDocSource src(TopicCorpus(300), 50);
  BuildOptions opts;
  opts.progress = false;
  opts.lsa.dims = 8;
  auto built = BuildIndex(dir.path() + "/index", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  const BuildPhases& p = built->phases;
  for (double x : {p.scan, p.train, p.index, p.embed, p.merge, p.vectors, p.save}) {
    EXPECT_GE(x, 0.0);
  }
  EXPECT_GT(p.index, 0.0);
  EXPECT_GT(p.embed, 0.0);  // semantic build: documents were embedded
  EXPECT_LE(p.scan + p.train + p.index + p.merge + p.vectors + p.save, built->seconds + 0.5);
  EXPECT_GE(built->threads, 1);
  const std::string text = DescribePhases(p);
  for (const char* part : {"scan ", "train ", "index ", "(embed ", "merge/compact ", "vectors ",
                           "documents ", "save "}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << " in " << text;
  }
}

// The top semantic hit of `query` in the index at `dir`.
std::string TopSemanticHit(const std::string& dir, const std::string& query) {
  SearchServiceOptions so;
  so.index_dir = dir;
  auto service = SearchService::Open(so);
  if (!service) return "open failed: " + service.error().ToString();
  SearchRequest req;
  req.mode = SearchMode::kSemantic;
  req.query = query;
  auto r = (*service)->Search(req);
  if (!r) return "search failed: " + r.error().ToString();
  if (r->mode != SearchMode::kSemantic || r->hits.empty()) return "no semantic hits";
  return r->hits[0].id;
}

// By default the corpus model is PPMI word vectors with SIF averaging, saved with the index
// and loaded by the service.
TEST(IndexBuilder, DefaultModelIsWordVectorsSavedWithTheIndex) {
  TempDir dir;
  VectorDocSource src(TopicCorpus(300), 50);
  BuildOptions opts;
  opts.progress = false;
  opts.word_vectors.dims = 8;
  auto built = BuildIndex(dir.path() + "/index", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  EXPECT_EQ(built->embedder_id, "ppmi-sif-8");
  EXPECT_TRUE(std::filesystem::exists(IndexLayout::WordVectorsPath(built->generation)));
  EXPECT_FALSE(std::filesystem::exists(IndexLayout::LsaPath(built->generation)));
  // Paper 1 is on topic 1 (protein folding ...): a query in that topic's words finds a paper
  // of that topic first.
  const std::string top = TopSemanticHit(dir.path() + "/index", "enzyme molecule protein");
  ASSERT_EQ(top.rfind("2602.", 0), 0u) << top;
  EXPECT_EQ((std::stoi(top.substr(5)) - 10000) % 5, 1) << top;
}

// An index built with the older LSA model keeps being served with it (and a corpus too small
// for word vectors gets LSA).
TEST(IndexBuilder, LsaIndexesStillLoadAndTinyCorporaFallBackToLsa) {
  TempDir dir;
  VectorDocSource src(TopicCorpus(300), 50);
  BuildOptions opts;
  opts.progress = false;
  opts.corpus_model = BuildOptions::CorpusModel::kLsa;
  opts.lsa.dims = 8;
  auto built = BuildIndex(dir.path() + "/index", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  EXPECT_EQ(built->embedder_id, "lsa-8");
  EXPECT_TRUE(std::filesystem::exists(IndexLayout::LsaPath(built->generation)));
  const std::string top = TopSemanticHit(dir.path() + "/index", "enzyme molecule protein");
  ASSERT_EQ(top.rfind("2602.", 0), 0u) << top;
  EXPECT_EQ((std::stoi(top.substr(5)) - 10000) % 5, 1) << top;

  // Two documents with no word seen three times: no word vectors, so LSA.
  TempDir tiny;
  VectorDocSource two({Doc("2602.00001", "Galaxy redshift survey", "Telescope cosmology data."),
                       Doc("2602.00002", "Galaxy cluster survey", "Telescope lensing maps.")});
  BuildOptions defaults;
  defaults.progress = false;
  defaults.lsa.dims = 2;
  auto small = BuildIndex(tiny.path() + "/index", two, defaults);
  ASSERT_TRUE(small) << small.error().ToString();
  EXPECT_EQ(small->embedder_id, "lsa-2");
}

TEST(BatchPipeline, EveryBatchOnceInOrderHookAndWorkerErrorsStopIt) {
  std::vector<IndexDoc> docs = TopicCorpus(1000);
  VectorDocSource src(docs, 7);
  std::vector<std::string> read_order;
  std::mutex mu;
  std::multiset<std::string> worked;
  Status s = RunBatchPipeline(
      src, 3,
      [&](std::vector<IndexDoc>& b) {
        for (const IndexDoc& d : b) read_order.push_back(d.id);
        return Status::Ok();
      },
      [&](int w, std::vector<IndexDoc>& b) {
        EXPECT_GE(w, 0);
        EXPECT_LT(w, 3);
        std::lock_guard lock(mu);
        for (const IndexDoc& d : b) worked.insert(d.id);
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(read_order.size(), 1000u);
  EXPECT_EQ(read_order.front(), PaperId(0));
  EXPECT_EQ(read_order.back(), PaperId(999));
  EXPECT_EQ(worked.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(worked.begin(), worked.end()).size(), 1000u);

  ASSERT_TRUE(src.Rewind().ok());
  std::atomic<int> batches{0};
  s = RunBatchPipeline(src, 2, nullptr, [&](int, std::vector<IndexDoc>&) {
    return ++batches == 5 ? Status::Internal("disk full while indexing") : Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("disk full"), std::string::npos);
  EXPECT_LT(batches.load(), 143);  // stopped early: 1000 docs / 7 per batch = 143 batches

  ASSERT_TRUE(src.Rewind().ok());
  s = RunBatchPipeline(
      src, 2, [](std::vector<IndexDoc>&) { return Status::InvalidArgument("bad line 3"); },
      [](int, std::vector<IndexDoc>&) { return Status::Ok(); });
  EXPECT_EQ(s.ToString().find("bad line 3") != std::string::npos, true);
}

// A parallel build embeds each paper from the tokens of its keywords: its vector is the
// embedding of its text by the generation's saved model.
// Checks that the vectors of a parallel sharded build with `model` are `embed` of each paper's
// text (the builder embeds from the tokens it made for the keywords).
void ExpectVectorsAreEmbeddingsOfTexts(
    BuildOptions::CorpusModel model,
    const std::function<Result<std::vector<float>>(const std::string& gen,
                                                   const std::string& text)>& embed) {
  TempDir dir;
  const std::vector<IndexDoc> docs = TopicCorpus(600);
  VectorDocSource src(docs, 100);
  BuildOptions opts;
  opts.progress = false;
  opts.corpus_model = model;
  opts.lsa.dims = 8;
  opts.word_vectors.dims = 8;
  opts.threads = 2;
  opts.shard_docs = 200;
  auto built = BuildIndex(dir.path() + "/index", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  auto gen = IndexLayout(dir.path() + "/index").CurrentGeneration();
  ASSERT_TRUE(gen);
  auto vectors = VectorIndex::Load(IndexLayout::VectorsPath(*gen), 8);
  ASSERT_TRUE(vectors) << vectors.error().ToString();
  ASSERT_EQ((*vectors)->size(), docs.size());
  Xapian::Database db(IndexLayout::XapianPath(*gen));
  for (const IndexDoc& d : docs) {
    Xapian::PostingIterator p = db.postlist_begin(kPrefixId + d.id);
    ASSERT_NE(p, db.postlist_end(kPrefixId + d.id)) << d.id;
    auto want = embed(*gen, DocText(d));
    ASSERT_TRUE(want) << want.error().ToString();
    Normalize(*want);
    const std::vector<float> got = (*vectors)->Get(*p);
    ASSERT_EQ(got.size(), want->size()) << d.id;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], (*want)[i], 1e-6) << d.id;
  }
}

TEST(IndexBuilder, VectorsAreTheEmbeddingsOfThePaperTexts) {
  ExpectVectorsAreEmbeddingsOfTexts(
      BuildOptions::CorpusModel::kLsa,
      [](const std::string& gen, const std::string& text) -> Result<std::vector<float>> {
        auto lsa = LsaEmbedder::Load(IndexLayout::LsaPath(gen));
        if (!lsa) return Err(lsa.error());
        return (*lsa)->Embed(text);
      });
}

TEST(IndexBuilder, WordVectorsOfTheBuildAreTheEmbeddingsOfThePaperTexts) {
  ExpectVectorsAreEmbeddingsOfTexts(
      BuildOptions::CorpusModel::kWordVectors,
      [](const std::string& gen, const std::string& text) -> Result<std::vector<float>> {
        auto wv = SifEmbedder::Load(IndexLayout::WordVectorsPath(gen));
        if (!wv) return Err(wv.error());
        return (*wv)->Embed(text);
      });
}

// The spelling data of a build is every title word of every paper with its number of
// occurrences, as adding each occurrence to Xapian one by one gives it.
TEST(IndexBuilder, SpellingDataCountsEveryTitleWord) {
  TempDir dir;
  const std::vector<IndexDoc> docs = TopicCorpus(500);
  VectorDocSource src(docs, 40);
  BuildOptions opts;
  opts.progress = false;
  opts.semantic = false;
  opts.threads = 2;
  opts.shard_docs = 150;
  opts.flush_docs = 9;
  auto built = BuildIndex(dir.path() + "/index", src, opts);
  ASSERT_TRUE(built) << built.error().ToString();
  Xapian::WritableDatabase oracle(dir.path() + "/oracle", Xapian::DB_CREATE_OR_OPEN);
  Tokenizer tok;
  for (const IndexDoc& d : docs) {
    for (const Token& t : tok.Tokenize(d.title)) oracle.add_spelling(t.surface);
  }
  oracle.commit();
  auto spellings = [](const Xapian::Database& db) {
    std::vector<std::pair<std::string, Xapian::doccount>> out;
    for (auto it = db.spellings_begin(); it != db.spellings_end(); ++it) {
      out.emplace_back(*it, it.get_termfreq());
    }
    return out;
  };
  Xapian::Database got(
      IndexLayout::XapianPath(*IndexLayout(dir.path() + "/index").CurrentGeneration()));
  const auto want = spellings(oracle);
  EXPECT_GT(want.size(), 500u);
  EXPECT_EQ(spellings(got), want);
  EXPECT_EQ(got.get_spelling_suggestion("galaxi"), oracle.get_spelling_suggestion("galaxi"));
  EXPECT_EQ(got.get_spelling_suggestion("protien"), "protein");
}

}  // namespace
}  // namespace coolpapers::search
