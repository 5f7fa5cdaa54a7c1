// `coolpapers eval retrieval`: BEIR-format retrieval evaluation of the production search
// (temporary index). Prints nDCG@k, Recall@100 and MRR@k; the last line is `nDCG@10: <value>`.

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "search/retrieval_eval.h"

namespace coolpapers::cli {
namespace {

struct EvalArgs {
  search::EvalOptions opts;
  std::string mode = "bm25";
  std::string fusion = "linear";
  std::string model = "ppmi-sif";
};

int RunEval(EvalArgs& a) {
  auto mode = search::ParseSearchMode(a.mode);
  if (!mode || *mode == search::SearchMode::kAuto) {
    std::fprintf(stderr, "coolpapers eval: unknown --mode %s; use bm25, semantic or hybrid\n",
                 a.mode.c_str());
    return 2;
  }
  a.opts.mode = *mode;
  if (a.model != "ppmi-sif" && a.model != "lsa") {
    std::fprintf(stderr, "coolpapers eval: unknown --semantic-model %s; use ppmi-sif or lsa\n",
                 a.model.c_str());
    return 2;
  }
  a.opts.build.corpus_model = a.model == "lsa" ? search::BuildOptions::CorpusModel::kLsa
                                               : search::BuildOptions::CorpusModel::kWordVectors;
  if (a.fusion != "linear" && a.fusion != "rrf") {
    std::fprintf(stderr, "coolpapers eval: unknown --fusion %s; use linear or rrf\n",
                 a.fusion.c_str());
    return 2;
  }
  a.opts.hybrid.fusion = a.fusion == "rrf" ? search::HybridOptions::Fusion::kRrf
                                           : search::HybridOptions::Fusion::kLinear;
  auto report = search::RunRetrievalEval(a.opts);
  if (!report) {
    std::fprintf(stderr, "coolpapers eval: %s\n", report.error().message().c_str());
    return 1;
  }
  const int k = a.opts.k;
  std::printf("mode: %s\n", a.mode.c_str());
  std::printf("documents: %d\nqueries: %d\n", report->docs, report->queries);
  std::printf("index: %.2f s, search: %.2f s (%.2f ms/query)\n", report->index_seconds,
              report->search_seconds, 1000.0 * report->search_seconds / report->queries);
  std::printf("Recall@100: %.4f\n", report->recall100);
  std::printf("MRR@%d: %.4f\n", k, report->mrr);
  std::printf("nDCG@%d: %.4f\n", k, report->ndcg);
  return 0;
}

}  // namespace

Command AddEval(CLI::App& root) {
  auto args = std::make_shared<EvalArgs>();
  Command c;
  c.app = root.add_subcommand("eval", "Evaluate retrieval quality on a BEIR-format dataset");
  c.app->require_subcommand(1);
  CLI::App* r = c.app->add_subcommand("retrieval", "nDCG@10, Recall@100 and MRR@10 of search");
  search::EvalOptions& o = args->opts;
  o.build.progress = false;
  r->add_option("--corpus", o.corpus, "corpus.jsonl[.gz] ({_id,title,text} lines)")->required();
  r->add_option("--queries", o.queries, "queries.jsonl ({_id,text} lines)")->required();
  r->add_option("--qrels", o.qrels, "qrels TSV with header: query-id corpus-id score")
      ->required();
  r->add_option("--mode", args->mode, "bm25 | semantic | hybrid")->default_val("bm25");
  r->add_option("--k", o.k, "cut-off for nDCG and MRR")->default_val(10)->check(
      CLI::Range(1, 1000));
  // Tuning knobs (defaults are the tuned production values).
  r->add_option("--k1", o.build.keyword.bm25_k1, "BM25 k1");
  r->add_option("--b", o.build.keyword.bm25_b, "BM25 b");
  r->add_option("--title-weight", o.build.keyword.title_wdf, "title word weight (wdf)");
  r->add_option("--exact-boost", o.exact_boost, "weight of exact (unstemmed) matches");
  r->add_option("--semantic-model", args->model,
                 "corpus-trained model: ppmi-sif (word vectors) | lsa");
  r->add_option("--dims", o.build.lsa.dims, "LSA dimensions");
  r->add_option("--wv-dims", o.build.word_vectors.dims, "word vector dimensions");
  r->add_option("--wv-window", o.build.word_vectors.window, "word vector co-occurrence window");
  r->add_option("--sigma-exponent", o.build.lsa.sigma_exponent, "LSA singular value exponent");
  r->add_option("--fusion", args->fusion, "hybrid fusion: linear | rrf");
  r->add_option("--linear-weight", o.hybrid.linear_weight, "weight of cosine in linear fusion");
  r->add_option("--rrf-k", o.hybrid.rrf_k, "reciprocal-rank fusion constant");
  r->add_option("--semantic-weight", o.hybrid.semantic_weight, "weight of the semantic list");
  r->add_option("--depth", o.hybrid.depth, "most semantic candidates for hybrid fusion");
  r->add_option("--min-depth", o.hybrid.min_depth,
                "fewest semantic candidates for hybrid fusion (else 3 per result asked for)");
  r->add_option("--ef", o.hybrid.ef, "HNSW search breadth for the hybrid semantic candidates");
  r->add_option("--keyword-depth", o.hybrid.keyword_depth, "BM25 candidates for hybrid fusion");
  r->add_option("--min-similarity", o.hybrid.min_similarity, "lowest cosine kept from the semantic list");
  r->add_option("--index-dir", o.work_dir,
                 "keep the index in DIR and search it on later runs instead of rebuilding "
                 "(the build options must not change between those runs)")
      ->each([&o](const std::string&) { o.reuse_index = true; });
  r->add_option("--run", o.run_out,
                 "also write each query's first 100 results to FILE as a TREC run");
  r->add_flag("--progress", o.build.progress, "show indexing progress");
  c.run = [args] { return RunEval(*args); };
  return c;
}

}  // namespace coolpapers::cli
