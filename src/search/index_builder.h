#pragma once
// Full index builds: reads every document from a DocSource and writes a complete new index
// generation (keyword index, term statistics, LSA model, vectors, meta) into a temporary
// directory, then swaps it in atomically (see index_layout.h). Incremental updates of a live
// index are SearchService::CatchUp.

#include <cstdint>
#include <string>

#include "core/status.h"
#include "search/doc_source.h"
#include "search/embedder.h"
#include "search/keyword_index.h"
#include "search/lsa_embedder.h"
#include "search/vector_index.h"

namespace coolpapers::search {

struct BuildOptions {
  KeywordIndexOptions keyword;
  bool semantic = true;             // build embeddings + vector index
  LsaOptions lsa;                   // default embedder, trained on the corpus
  size_t lsa_max_train_docs = 100000;  // larger corpora train on an even sample
  Embedder* external_embedder = nullptr;  // when set, used instead of training LSA
  HnswOptions hnsw;
  int keywords_per_doc = 8;
  bool compact = true;              // compact the keyword index after building it
  int threads = 0;                  // worker threads (0 = one per core, at most 4)
  int64_t shard_docs = 8000;        // documents per partial database before the final merge
  bool progress = true;             // core::Progress lines on stderr
};

struct BuildSummary {
  int64_t docs = 0;
  int64_t store_seq = 0;
  std::string embedder_id;
  std::string generation;  // final generation directory
  int64_t bytes = 0;
  double seconds = 0;
};

// Builds a new generation of the index in `index_dir` from `src` and makes it current.
// On failure nothing replaces the current index (a leftover .tmp is removed by the next build).
Result<BuildSummary> BuildIndex(const std::string& index_dir, DocSource& src,
                                const BuildOptions& opts = {});

}  // namespace coolpapers::search
