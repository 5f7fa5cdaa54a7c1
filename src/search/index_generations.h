#pragma once
// Index generations as SearchService serves them: one loaded generation (its files, models,
// docid -> id map, star overrides, top-weight lists and a pool of Xapian searchers), a lease on
// one of its searchers, and which generation is live (swapped when `coolpapers index --rebuild`
// publishes a new one).
//
// Thread-safety: IndexGeneration's methods and LiveGeneration may be used from any thread; a
// SearcherLease belongs to one thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "search/embedder.h"
#include "search/impact_heads.h"
#include "search/index_layout.h"
#include "search/keyword_index.h"
#include "search/lsa_embedder.h"
#include "search/word_vectors.h"
#include "search/term_stats.h"
#include "search/vector_index.h"

namespace coolpapers::search {

// What loading a generation needs besides its directory.
struct GenerationOptions {
  KeywordIndexOptions keyword;
  // Query-time embedder for an index built with an external provider (its id must match the
  // index's); the corpus-trained LSA model is loaded from the index itself.
  Embedder* external_embedder = nullptr;
};

// One loaded index generation: its files, models and a pool of Xapian searchers.
struct IndexGeneration {
  std::string path;
  IndexMeta meta;
  TermStats stats;
  KeywordIndexOptions keyword_options;
  std::unique_ptr<SifEmbedder> word_vectors;  // the corpus model: word vectors, or
  std::unique_ptr<LsaEmbedder> lsa;           // LSA (indexes built before word vectors)
  Embedder* embedder = nullptr;  // null: no semantic search
  std::unique_ptr<VectorIndex> vectors;

  std::shared_mutex ids_mu;
  std::vector<std::string> docid_ids;  // Xapian docid -> paper id

  std::mutex pool_mu;
  std::vector<std::pair<uint64_t, std::unique_ptr<KeywordIndexSearcher>>> pool;
  std::atomic<uint64_t> epoch{0};  // bumped after each incremental commit

  // Click totals of clicked papers by this generation's docids (null until the first CatchUp),
  // fresher than the stars stored in documents. Kept per generation: docids are only
  // meaningful within the index they came from.
  std::mutex stars_mu;
  std::shared_ptr<const StarOverrides> stars;

  // Top-weight lists of some revision of this generation's index (null until first built).
  std::mutex heads_mu;
  std::shared_ptr<const ImpactHeads> heads;

  std::string IdOf(Xapian::docid docid);
  void SetId(Xapian::docid docid, const std::string& id);
  std::shared_ptr<const StarOverrides> Stars();
  void SetStars(std::shared_ptr<const StarOverrides> fresh);
  std::shared_ptr<const ImpactHeads> Heads();
  void SetHeads(std::shared_ptr<const ImpactHeads> fresh);
};

// Loads the generation in directory `path`: Corruption/NotFound/FailedPrecondition when its
// files cannot be read (the message says how to rebuild).
Result<std::shared_ptr<IndexGeneration>> LoadGeneration(const std::string& path,
                                                        const GenerationOptions& opts);

// A searcher borrowed from a generation's pool (reopened when the generation committed since it
// was returned), returned on destruction.
class SearcherLease {
 public:
  static Result<SearcherLease> Acquire(std::shared_ptr<IndexGeneration> gen);
  SearcherLease() = default;
  SearcherLease(SearcherLease&&) = default;
  SearcherLease& operator=(SearcherLease&&) = default;
  ~SearcherLease();
  KeywordIndexSearcher* operator->() { return searcher_.get(); }

 private:
  std::shared_ptr<IndexGeneration> gen_;
  std::unique_ptr<KeywordIndexSearcher> searcher_;
  uint64_t epoch_ = 0;
};

// Which generation of an index directory is live.
class LiveGeneration {
 public:
  LiveGeneration(std::string index_dir, GenerationOptions opts,
                 std::shared_ptr<IndexGeneration> current);
  // Loads the directory's current generation: NotFound when no index was built.
  static Result<std::unique_ptr<LiveGeneration>> Open(const std::string& index_dir,
                                                      const GenerationOptions& opts);
  std::shared_ptr<IndexGeneration> Current();
  // Switches to the directory's current generation when another was published since; returns
  // whether it switched. Searches still holding the old one finish on it.
  Result<bool> ReloadIfChanged();

 private:
  const std::string index_dir_;
  const GenerationOptions opts_;
  std::mutex mu_;
  std::shared_ptr<IndexGeneration> current_;
};

}  // namespace coolpapers::search
