#include "search/retrieval_eval.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace coolpapers::search {
namespace {

// Evaluation options for the 200-document SciFact sample in tests/fixtures/search.
EvalOptions SciFactSample() {
  const std::string dir = std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/search/";
  EvalOptions o;
  o.corpus = dir + "scifact-200-corpus.jsonl.gz";
  o.queries = dir + "scifact-200-queries.jsonl";
  o.qrels = dir + "scifact-200-qrels.tsv";
  o.build.progress = false;
  return o;
}

TEST(RetrievalMetrics, NdcgRecallMrr) {
  std::map<std::string, int> rel = {{"a", 1}, {"b", 1}};
  EXPECT_DOUBLE_EQ(NdcgAt({"a", "b", "c"}, rel, 10), 1.0);
  const double dcg = 1.0 / std::log2(3.0) + 1.0 / std::log2(4.0);
  const double idcg = 1.0 + 1.0 / std::log2(3.0);
  EXPECT_NEAR(NdcgAt({"c", "a", "b"}, rel, 10), dcg / idcg, 1e-12);
  EXPECT_DOUBLE_EQ(NdcgAt({"c", "a", "b"}, rel, 1), 0.0);
  EXPECT_DOUBLE_EQ(RecallAt({"c", "a"}, rel, 100), 0.5);
  EXPECT_DOUBLE_EQ(MrrAt({"c", "d", "b"}, rel, 10), 1.0 / 3);
  EXPECT_DOUBLE_EQ(MrrAt({"c", "d", "b"}, rel, 2), 0.0);
  EXPECT_DOUBLE_EQ(NdcgAt({}, rel, 10), 0.0);
}

TEST(RetrievalEval, SciFactSubsetFixture) {
  EvalOptions o = SciFactSample();
  o.build.lsa.dims = 64;
  auto bm25 = RunRetrievalEval(o);
  ASSERT_TRUE(bm25) << bm25.error().ToString();
  EXPECT_EQ(bm25->docs, 200);
  EXPECT_EQ(bm25->queries, 60);
  // A 200-document corpus is easy; BM25 must find most claims' evidence.
  EXPECT_GT(bm25->ndcg, 0.7);
  EXPECT_GT(bm25->recall100, 0.9);
  o.mode = SearchMode::kHybrid;
  auto hybrid = RunRetrievalEval(o);
  ASSERT_TRUE(hybrid) << hybrid.error().ToString();
  EXPECT_GT(hybrid->ndcg, 0.6);
}

TEST(RetrievalEval, ReusedIndexDirIsSearchedWithoutRebuilding) {
  const std::filesystem::path work =
      std::filesystem::temp_directory_path() /
      ("coolpapers-eval-reuse-" + std::to_string(::getpid()));
  std::filesystem::remove_all(work);
  EvalOptions o = SciFactSample();
  o.build.lsa.dims = 64;
  o.mode = SearchMode::kHybrid;
  o.work_dir = work.string();
  o.reuse_index = true;
  auto first = RunRetrievalEval(o);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_GT(first->index_seconds, 0.0);
  ASSERT_TRUE(std::filesystem::exists(work / "CURRENT"));
  auto second = RunRetrievalEval(o);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->index_seconds, 0.0);  // searched the kept index
  EXPECT_EQ(second->queries, first->queries);
  EXPECT_DOUBLE_EQ(second->ndcg, first->ndcg);
  std::filesystem::remove_all(work);
}

TEST(RetrievalEval, RunFileHoldsEveryQuerysRanking) {
  const std::filesystem::path run =
      std::filesystem::temp_directory_path() /
      ("coolpapers-eval-run-" + std::to_string(::getpid()) + ".txt");
  EvalOptions o = SciFactSample();
  o.run_out = run.string();
  auto report = RunRetrievalEval(o);
  ASSERT_TRUE(report) << report.error().ToString();
  auto qrels = LoadQrels(o.qrels);
  ASSERT_TRUE(qrels);
  // query -> ids in rank order, read back from the TREC lines.
  std::map<std::string, std::vector<std::string>> ranked;
  std::map<std::string, double> last_score;
  std::ifstream in(run);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string qid, q0, doc, tag;
    int rank = 0;
    double score = 0;
    ASSERT_TRUE(fields >> qid >> q0 >> doc >> rank >> score >> tag) << line;
    EXPECT_EQ(q0, "Q0");
    EXPECT_EQ(tag, "coolpapers-bm25");
    EXPECT_EQ(rank, static_cast<int>(ranked[qid].size()) + 1) << line;
    // Scores fall with the rank (tools such as trec_eval rank by them).
    if (rank > 1) {
      EXPECT_LE(score, last_score[qid]) << line;
    }
    last_score[qid] = score;
    ranked[qid].push_back(doc);
    ++lines;
  }
  ASSERT_EQ(static_cast<int>(ranked.size()), report->queries);
  EXPECT_GT(lines, report->queries * 10);
  // The run's first ten of each query give the reported nDCG@10.
  double ndcg = 0;
  for (const auto& [qid, ids] : ranked) {
    ASSERT_TRUE(qrels->count(qid)) << qid;
    EXPECT_LE(ids.size(), 100u);
    ndcg += NdcgAt(ids, qrels->at(qid), 10);
  }
  EXPECT_NEAR(ndcg / report->queries, report->ndcg, 1e-9);
  std::filesystem::remove(run);

  o.run_out = "/nonexistent-dir/run.txt";
  auto bad = RunRetrievalEval(o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("/nonexistent-dir/run.txt"), std::string::npos);
}

TEST(RetrievalEval, MissingOrMismatchedFilesAreClearErrors) {
  EvalOptions o;
  o.corpus = "/nonexistent/corpus.jsonl";
  o.queries = o.corpus;
  o.qrels = o.corpus;
  auto r = RunRetrievalEval(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("/nonexistent/corpus.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace coolpapers::search
