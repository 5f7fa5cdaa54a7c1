#pragma once
// SearchService: everything the site asks of search, over one node-local index directory
// (see index_layout.h): keyword (BM25) search, semantic search, hybrid ranking, "find papers
// similar to this text", related papers and per-paper keywords. It keeps the index current
// from the store's change feed (CatchUp, or a background refresher in `serve`), and picks up a
// rebuilt generation (`coolpapers index --rebuild`) without a restart.
//
// Thread-safety: every method may be called from any thread concurrently.
//
// Files: search_service.cc runs queries; index_generations.h loads generations and says which
// one is live; store_catchup.h applies the store's changes and runs the refresher thread;
// heads_builder.h builds top-weight lists in the background.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "search/embedder.h"
#include "search/index_doc.h"
#include "search/index_layout.h"
#include "search/keyword_index.h"

namespace coolpapers::store { class Store; }

namespace coolpapers::search {

class HeadsBuilder;
class LiveGeneration;
class PeriodicThread;

enum class SearchMode { kAuto, kBm25, kSemantic, kHybrid };
// "auto" | "bm25" | "keyword" | "semantic" | "hybrid"; nullopt otherwise.
std::optional<SearchMode> ParseSearchMode(std::string_view s);
std::string_view SearchModeName(SearchMode m);

struct HybridOptions {
  enum class Fusion { kRrf, kLinear };
  Fusion fusion = Fusion::kLinear;  // how hybrid combines the two lists (see fusion.h)
  double linear_weight = 0.2;   // kLinear: cosine weight (BM25 weighs 1 - this); tuned on SciFact
  double rrf_k = 60;            // RRF constant
  double semantic_weight = 1.0; // weight of the semantic list (BM25 list weighs 1)
  // Candidates taken from the semantic list: three per result up to the page's end, at least
  // min_depth and at most depth (a first page of 10 takes 30; on SciFact train, nDCG@10 is the
  // same as with 100 candidates and each search costs about 0.15 ms less).
  int depth = 100;
  int min_depth = 30;
  // HNSW search breadth for those candidates (at least their number; semantic mode keeps the
  // index's HnswOptions::ef_search): the fused page needs only the nearest few of them, and on
  // SciFact train nDCG@10 is the same as with the default 96.
  int ef = 48;
  // Candidates taken from the BM25 list; with linear fusion every semantic candidate that
  // matches the words also gets its BM25 score, so this list can be shorter than `depth`.
  int keyword_depth = 30;
  float min_similarity = 0.2f;  // semantic candidates below this cosine are dropped
};

struct SearchServiceOptions {
  std::string index_dir;
  // Query-time embedder for an index built with an external provider (its id must match the
  // index's); the corpus-trained LSA model is loaded from the index itself.
  Embedder* external_embedder = nullptr;
  KeywordIndexOptions keyword;
  HybridOptions hybrid;
  int relax_below = 5;  // an AND query with fewer matches is retried as OR
  double exact_boost = 1.0;  // weight of exact (unstemmed) matches (tuned on SciFact train)
  // Matches examined beyond the page so that result counts up to this are exact (larger
  // values cost latency on big corpora; counts past it are Xapian's estimate).
  int check_at_least = 100;
  // Builds top-weight lists (ImpactHeads) in the background after opening and after the index
  // changes, so that plain-word queries over large indexes score a few thousand documents
  // instead of every match (`serve` turns this on; results are the same either way).
  bool build_heads = false;
  ImpactHeadsOptions heads;  // k1 and b are taken from `keyword`
  // Threads for one large keyword match the heads cannot prune (KeywordQuery::match_threads).
  int match_threads = 1;
};

// The semantic candidates a hybrid page ending at result `page_end` takes (see HybridOptions).
int SemanticDepth(const HybridOptions& opts, int page_end);

// How deep semantic ranking (mode=semantic, similar-text search) may page: offset + limit at
// most this. Deeper requests are refused (InvalidArgument) instead of walking the whole vector
// index.
inline constexpr int kMaxSemanticDepth = 1000;

// The InvalidArgument for a semantic request deeper than kMaxSemanticDepth, or Ok.
// `what` names the kind of search ("mode=semantic", "similar-text search").
Status CheckSemanticDepth(int offset, int limit, std::string_view what);

struct SearchRequest {
  std::string query;
  SortOrder sort = SortOrder::kRelevance;
  SearchMode mode = SearchMode::kAuto;  // auto: hybrid for free text by relevance, else BM25
  int offset = 0;
  int limit = 10;
  std::string date_from, date_to;       // "YYYY-MM-DD" ("" = open)
  std::vector<std::string> categories;  // any of them
  Branch branch = Branch::kAll;         // every paper, arXiv's only or venue papers only
  std::vector<std::string> venues;      // editions or conferences (any case), any of them
  bool highlight = false;               // title_html / summary_html with <mark>
  bool default_or = false;              // OR between words from the start (long queries, eval)
};

struct SearchHit {
  std::string id;
  double score = 0;
  IndexDoc doc;
  std::string snippet_html;  // escaped, matches in <mark>
  std::string title_html;    // with highlight: escaped title, matches in <mark>
  std::string summary_html;  // with highlight: escaped abstract, matches in <mark>
};

struct SearchResponse {
  std::string query;
  int64_t total = 0;
  bool total_exact = true;
  int offset = 0;
  std::vector<SearchHit> hits;
  std::string suggestion;  // "did you mean" ("" = none)
  bool relaxed = false;    // words were OR-ed because the AND query found too little
  SearchMode mode = SearchMode::kBm25;  // what actually ran
};

struct IndexInfo {
  std::string generation;
  int64_t docs = 0;
  int64_t store_seq = 0;
  std::string embedder_id;
  int64_t vectors = 0;
  int64_t bytes = 0;
  int64_t heads_terms = 0;  // terms with top-weight lists (0: none built yet)
  int64_t heads_bytes = 0;
};

class SearchService {
 public:
  // Opens the current generation in options.index_dir. NotFound when no index was built.
  static Result<std::unique_ptr<SearchService>> Open(const SearchServiceOptions& options);
  ~SearchService();
  SearchService(const SearchService&) = delete;
  SearchService& operator=(const SearchService&) = delete;

  // Runs a search. InvalidArgument (message = what to fix) for an over-long query, a malformed
  // date: or venue: filter, an empty query without filters, or mode=semantic deeper than
  // kMaxSemanticDepth.
  Result<SearchResponse> Search(const SearchRequest& req);
  // Papers similar to pasted text (an abstract): hybrid of its embedding's neighbours and a
  // BM25 query over its top keywords. Filters and paging as in `req` (req.query ignored);
  // InvalidArgument when offset + limit exceeds kMaxSemanticDepth.
  Result<SearchResponse> Similar(std::string_view text, const SearchRequest& req);
  // The `k` papers most related to paper `id` (not including it). NotFound when not indexed.
  Result<std::vector<SearchHit>> Related(const std::string& id, int k = 10);
  // The stored top keywords of paper `id`. NotFound when not indexed.
  Result<std::vector<std::string>> Keywords(const std::string& id);
  // Whether semantic search is available (the index has vectors and an embedder).
  bool HasSemantic();

  // Applies the store's changes since the index's recorded sequence (new and updated papers)
  // and returns how many documents were written. Unavailable when another process is writing.
  // Also reloads the store's click totals (Store::ClickTotals), so sort=stars and hits' stars
  // reflect clicks made since the papers were indexed.
  Result<int64_t> CatchUp(store::Store& store, bool progress = false);
  // Starts a thread that calls CatchUp (and picks up rebuilt generations) every `interval`,
  // so stars are at most one interval old.
  void StartRefresher(store::Store* store, std::chrono::milliseconds interval);
  void StopRefresher();

  IndexInfo Info();
  // Waits until the current index's top-weight lists describe its latest revision (true), or
  // `timeout` passes (false). Only meaningful with options.build_heads.
  bool WaitForHeads(std::chrono::milliseconds timeout);

 private:
  explicit SearchService(SearchServiceOptions options);
  // Asks the heads builder to (re)build the live generation's top-weight lists when they are
  // missing or describe an older revision.
  void RefreshHeads();
  Status ReloadIfChanged();

  SearchServiceOptions options_;
  std::unique_ptr<LiveGeneration> live_;  // which index generation serves queries
  std::mutex writer_mu_;                  // one CatchUp at a time
  std::unique_ptr<PeriodicThread> refresher_;
  std::unique_ptr<HeadsBuilder> heads_;
};

}  // namespace coolpapers::search
