#pragma once
// Full index builds: reads every document from a DocSource and writes a complete new index
// generation (keyword index, term statistics, corpus model, vectors, meta) into a temporary
// directory, then swaps it in atomically (see index_layout.h). Incremental updates of a live
// index are SearchService::CatchUp.

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/status.h"
#include "search/doc_source.h"
#include "search/embedder.h"
#include "search/keyword_index.h"
#include "search/lsa_embedder.h"
#include "search/vector_index.h"
#include "search/word_vectors.h"

namespace coolpapers::search {

struct BuildOptions {
  KeywordIndexOptions keyword;
  bool semantic = true;             // build embeddings + vector index
  // The embedder trained on the corpus (on an even sample of max_train_docs documents for
  // larger ones): PPMI word vectors averaged with SIF weights (word_vectors.h), or LSA. A
  // corpus too small for word vectors gets LSA.
  enum class CorpusModel { kWordVectors, kLsa };
  CorpusModel corpus_model = CorpusModel::kWordVectors;
  WordVectorOptions word_vectors;
  LsaOptions lsa;
  Embedder* external_embedder = nullptr;  // when set, used instead of a corpus-trained model
  HnswOptions hnsw;
  int keywords_per_doc = 8;
  bool compact = true;              // compact the keyword index after building it
  int threads = 0;                  // worker threads (0 = one per core, at most 4)
  int64_t shard_docs = 8000;        // documents per partial database before the final merge
  // A partial database is committed (without fsync) every this many documents: Xapian's cost
  // per added document grows with the number of uncommitted ones.
  int64_t flush_docs = 300;
  bool progress = true;             // core::Progress lines on stderr
  std::FILE* progress_out = nullptr;  // where progress lines go instead of stderr (if not null)
};

// Where a build's time went, in seconds of wall time (embed is thread time summed over the
// workers, spent inside index).
struct BuildPhases {
  double scan = 0;     // pass 1: term statistics (and the embedder's training sample)
  double train = 0;    // training the corpus embedder
  double index = 0;    // pass 2: keyword shards, keywords, embeddings
  double embed = 0;    // of which embedding (thread time, all workers)
  double merge = 0;    // merging and compacting the shards (and repeated ids)
  double vectors = 0;  // the vector index (HNSW graph): the part not done during the merge
  double docs = 0;     // the stored-document file (DocStore)
  double save = 0;     // term statistics, model, vectors and meta files
};
// "scan 1.2 s, train 0.0 s, index 9.8 s (embed 0.0 s), merge/compact 2.1 s, vectors 0.0 s,
// documents 0.3 s, save 0.1 s"
std::string DescribePhases(const BuildPhases& p);

struct BuildSummary {
  int64_t docs = 0;
  int64_t store_seq = 0;
  std::string embedder_id;
  std::string generation;  // final generation directory
  int64_t bytes = 0;
  double seconds = 0;
  int threads = 0;
  BuildPhases phases;
};

// Builds a new generation of the index in `index_dir` from `src` and makes it current.
// On failure nothing replaces the current index (a leftover .tmp is removed by the next build).
Result<BuildSummary> BuildIndex(const std::string& index_dir, DocSource& src,
                                const BuildOptions& opts = {});

}  // namespace coolpapers::search
