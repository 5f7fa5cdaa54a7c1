#pragma once
// Retrieval evaluation on BEIR-format data: corpus JSON lines {_id, title, text} (.gz too),
// queries JSON lines {_id, text}, qrels TSV "query-id corpus-id score" with a header. The
// corpus is indexed into a temporary directory with the production indexer and searched with
// the production SearchService, so the figures measure what the site serves.

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "search/index_builder.h"
#include "search/search_service.h"

namespace coolpapers::search {

struct BeirQuery {
  std::string id;
  std::string text;
};
using Qrels = std::map<std::string, std::map<std::string, int>>;  // query -> doc -> grade

// Reads a BEIR corpus (plain or gzip) into index documents (title, abstract = text).
Result<std::vector<IndexDoc>> LoadBeirCorpus(const std::string& path);
Result<std::vector<BeirQuery>> LoadBeirQueries(const std::string& path);
Result<Qrels> LoadQrels(const std::string& path);

// Standard metrics for one ranked list (binary relevance = grade > 0; nDCG uses grades).
double NdcgAt(const std::vector<std::string>& ranked, const std::map<std::string, int>& rel,
              int k);
double RecallAt(const std::vector<std::string>& ranked, const std::map<std::string, int>& rel,
                int k);
double MrrAt(const std::vector<std::string>& ranked, const std::map<std::string, int>& rel, int k);

struct EvalOptions {
  std::string corpus, queries, qrels;
  SearchMode mode = SearchMode::kBm25;
  int k = 10;               // cut-off for nDCG and MRR
  BuildOptions build;       // index options (BM25 k1/b, title weight, LSA dims, ...)
  HybridOptions hybrid;
  double exact_boost = -1;  // < 0: the default
  std::string work_dir;     // "" = a fresh temporary directory, removed afterwards
  // With work_dir: search the index already built there (by an earlier run with the same
  // corpus and build options) instead of building it again; built when missing.
  bool reuse_index = false;
  // When set, the first 100 results of every evaluated query are written here as a TREC run
  // ("query-id Q0 doc-id rank score coolpapers-<mode>" lines), for trec_eval or other tools.
  // In hybrid mode its first ten can differ a little from the page nDCG@10 scores: hybrid's
  // BM25 candidates depend on the page asked for.
  std::string run_out;
};

struct EvalReport {
  int queries = 0;  // evaluated (present in qrels and in the queries file)
  int docs = 0;
  double ndcg = 0, recall100 = 0, mrr = 0;
  double index_seconds = 0, search_seconds = 0;
};

Result<EvalReport> RunRetrievalEval(const EvalOptions& opts);

}  // namespace coolpapers::search
