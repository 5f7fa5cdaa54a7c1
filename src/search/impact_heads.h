#pragma once
// Top-n pruning for queries over common words.
//
// Xapian 1.4 scores every document an AND query matches: it has no dynamic pruning for AND, so
// "large language models" over a million papers scores ~300,000 documents (~50 ms). ImpactHeads
// keeps, for each common term, the documents where its BM25 weight is highest (the term's
// "head") and a bound on its weight in every other document. ProveTopN then scores, exactly and
// in Xapian, only the documents whose upper bound can still reach the top n, in order of that
// bound, and stops once the n-th best exact score beats every remaining bound. When the bounds
// cannot prove the top n (a rare required word, a query that is not a sum of term weights, too
// many candidates) it says so and the caller runs the full match: results are identical either
// way, only the work differs.
//
// Heads describe one revision of one database (weights depend on the collection's statistics);
// they are rebuilt in the background after the index changes and ignored until then.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "core/huge_array.h"
#include "core/status.h"

namespace coolpapers::search {

struct ImpactHeadsOptions {
  // Terms in fewer documents get no head (Xapian alone is fast for them); the effective
  // threshold is at least `min_depth`, so small indexes build (almost) nothing.
  Xapian::doccount min_termfreq = 4096;
  // Queries whose rarest required term (or, without one, commonest term) is in fewer documents
  // are cheap for Xapian's full match and are not pruned. (A/B on 1M documents, interleaved
  // per query: 8,192 rather than 50,000 takes p50 from 4.47 to 3.63 ms, p99 unchanged.)
  Xapian::doccount prune_min_termfreq = 8192;
  // Postings kept per head: termfreq / depth_divisor, within [min_depth, max_depth]. Hybrid
  // search ranks the top 30 of BM25, which shallower heads (termfreq / 16, at least 512) often
  // could not prove, leaving a split full match (A/B at 74,728 papers, 3 interleaved runs each:
  // auto p99 4.97-5.15 -> 4.29-4.54 ms, p50 unchanged; the heads take 20 MB instead of 14, and
  // 270 MB instead of 177 at 1M documents).
  size_t min_depth = 1024;
  size_t max_depth = 32768;
  size_t depth_divisor = 8;
  size_t first_prefix = 1024;  // postings of each head a query looks at first
  // The commonest terms (in at least this share of the documents, at most dense_max_terms of
  // them) also get every document's weight, quantised to a byte: their lists are flat (weights
  // barely vary among the top tens of thousands), so bounds alone would leave too many
  // candidates to score.
  double dense_min_fraction = 0.2;
  size_t dense_max_terms = 63;  // at most 63: a document's row holds its class and their bytes
  double k1 = 1.2;      // BM25 parameters, as given to Xapian::BM25Weight (k2 = 0, k3 = 1)
  double b = 0.75;
  double min_normlen = 0.5;
  int threads = 2;
  // ProveTopN computes at most (postings of the query's rarest required term) / this many
  // candidates' weights before giving up (Xapian's full match costs about those postings).
  size_t score_budget_divisor = 64;
  // Threads that compute candidates' weights in ProveTopN (each opens its own handle).
  int query_threads = 2;
  // Stops a build early (checked between terms); the build then fails with Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

class ImpactHeads {
 public:
  // Documents fall into kBuckets classes of length (quantiles of the collection): a term's
  // weight in a document left out of its head is bounded per class, which is much tighter for
  // long documents than one bound for all.
  static constexpr int kBuckets = 64;
  using Bounds = std::array<float, kBuckets>;
  // Query-time prefixes of a head of `size` postings: the first PrefixLength(level), growing
  // fourfold from options().first_prefix.
  size_t PrefixLength(size_t level, size_t size) const;

  struct Head {
    // The top postings by weight, cut into the query-time prefixes' segments ([0, L0),
    // [L0, L1), ...: every weight in a segment is at least every weight after it); within a
    // segment by docid.
    std::vector<Xapian::docid> docids;
    std::vector<float> weights;  // BM25 weight (scale 1), rounded up
    // rests[level][bucket]: upper bound of the weight in a document of that length class that
    // is not among the first PrefixLength(level) postings (the last level is the whole head;
    // all zero there when the head lists every document with the term).
    std::vector<Bounds> rests;
  };
  // Every document's weight of a very common term: byte q of the document's row (Row), 0 =
  // absent, else the weight is in ((q-1)*step, q*step].
  struct Dense {
    int column = 0;  // 1..63
    double step = 0;
  };

  // Reads the database at `path` (one handle per thread) and builds the heads of every
  // unprefixed term in at least max(min_termfreq, min_depth + 1) documents.
  static Result<std::shared_ptr<const ImpactHeads>> Build(const std::string& path,
                                                          const ImpactHeadsOptions& opts);

  const Head* Find(const std::string& term) const;
  const Dense* FindDense(const std::string& term) const;
  size_t dense_terms() const { return dense_.size(); }
  // Each docid's row: byte 0 its length class, then the byte weights of the dense terms. One
  // row is one cache line at most, so a query reads what it needs of a document in one miss.
  // Rows exist when terms() > 0; a docid past the last reads the last row.
  const uint8_t* Row(Xapian::docid did) const {
    return &rows_[std::min<size_t>(did, row_count_ - 1) * stride_];
  }
  int BucketOf(Xapian::docid did) const { return HasRow(did) ? Row(did)[0] : 0; }
  uint8_t DenseByte(const Dense& d, Xapian::docid did) const {
    return HasRow(did) ? Row(did)[d.column] : 0;
  }
  int BucketOfLength(Xapian::termcount doclen) const;
  Xapian::termcount DocLength(Xapian::docid did) const {
    return did < doclen_.size() ? doclen_[did] : 0;
  }
  Xapian::rev revision() const { return revision_; }
  Xapian::doccount doccount() const { return doccount_; }
  size_t terms() const { return heads_.size(); }
  size_t bytes() const;
  const ImpactHeadsOptions& options() const { return opts_; }
  double seconds() const { return seconds_; }
  Xapian::docid lastdocid() const { return lastdocid_; }
  const std::string& path() const { return path_; }
  // How many postings a head of a term in `termfreq` documents keeps.
  size_t DepthFor(Xapian::doccount termfreq) const;

  // Xapian::BM25Weight's idf part for a term in `termfreq` of `n` documents (k3 = 1, wqf = 1).
  static double TermWeight(Xapian::doccount n, Xapian::doccount termfreq);
  // The BM25 weight Xapian gives a term of idf part `termweight` with `wdf` occurrences in a
  // document of length `doclen` (the collection's average length is the heads' own).
  double Weight(double termweight, Xapian::termcount wdf, Xapian::termcount doclen) const;

 private:
  using HeadItem = std::pair<float, Xapian::docid>;  // a posting's weight and docid
  // Build steps. Reads the collection's statistics, picks the terms to list (false: none) and
  // the dense ones, and reads every document's length and class.
  bool ReadCollection(const Xapian::Database& db, std::vector<std::string>& terms,
                      core::HugeArray<Xapian::termcount>& doclen);
  void ChooseDenseTerms(const Xapian::Database& db, const std::vector<std::string>& terms);
  void ReadLengths(const Xapian::Database& db, core::HugeArray<Xapian::termcount>& doclen);
  // Builds the heads of `terms` on opts_.threads threads; the first error ("" = none).
  std::string BuildHeads(const std::vector<std::string>& terms,
                         const core::HugeArray<Xapian::termcount>& doclen,
                         const std::atomic<bool>* cancel);
  // The top postings of `term` by weight into `heap` (the highest weight left out per length
  // class into `left`), and its dense bytes into the rows.
  void ScanPostings(const Xapian::Database& db, const std::string& term,
                    const core::HugeArray<Xapian::termcount>& doclen,
                    std::vector<HeadItem>& heap, Bounds& left);
  // The head of those postings: cut into prefixes, with the bounds beyond each.
  Head MakeHead(std::vector<HeadItem>& heap, const Bounds& left) const;

  ImpactHeadsOptions opts_;
  std::string path_;
  Xapian::rev revision_ = 0;
  Xapian::doccount doccount_ = 0;
  Xapian::docid lastdocid_ = 0;
  double len_factor_ = 0;  // 1 / the collection's average document length
  double seconds_ = 0;
  std::vector<Xapian::termcount> bucket_limits_;  // upper doclen of buckets 0..kBuckets-2
  bool HasRow(Xapian::docid did) const { return did < row_count_; }
  size_t stride_ = 1;                             // bytes per row: a power of two
  size_t row_count_ = 0;                          // rows: lastdocid + 1, or none
  core::HugeArray<uint8_t> rows_;                 // by docid (see Row)
  core::HugeArray<Xapian::termcount> doclen_;     // by docid
  std::unordered_map<std::string, Head> heads_;
  std::unordered_map<std::string, Dense> dense_;
};

// One weighted term of a query whose document weight is the sum of its terms' BM25 weights.
struct WeightedTerm {
  std::string term;
  double scale = 1;       // OP_SCALE_WEIGHT factor
  bool required = false;  // every match contains it (AND); otherwise it only adds weight
  // Index of a term that every occurrence of this one also counts for (an exact word and its
  // stem): the document holds that term too, at least as often. -1: none.
  int implies = -1;
};

struct ProveStats {
  size_t candidates = 0;  // documents in any head
  size_t scored = 0;      // documents scored exactly to raise the bound
  size_t set = 0;         // documents returned
  std::string fallback;   // why the heads could not prove the top n ("" = proved)
};

// Buffers ProveTopN reuses between queries (allocating them anew for each query costs page
// faults): the documents met in the lists, a slot per docid, candidates and batches. Not
// thread-safe: one per thread of use (each KeywordIndexSearcher owns one).
class ProveScratch {
 public:
  ProveScratch();
  ~ProveScratch();
  ProveScratch(ProveScratch&&) noexcept;
  ProveScratch& operator=(ProveScratch&&) noexcept;
  struct Buffers;  // defined in impact_heads.cc
  Buffers& buffers() { return *buffers_; }

 private:
  std::unique_ptr<Buffers> buffers_;
};

// Docids (ascending, a few times n at most) among which the top `n` documents of a query are,
// or nullopt when the heads cannot prove that (then run the query in full). The query must weigh
// a document as the sum of the scaled BM25 weights (the heads' parameters) of its `terms` that it
// holds, and match exactly the documents holding every required term: AND, OR, AND_MAYBE and
// SCALE_WEIGHT over distinct terms do; filters and phrases do not. The final order comes from
// running the query restricted to these docids (DocidSetQuery). `scratch` (may be null: then
// fresh buffers) keeps the buffers for the next query of the same thread.
std::optional<std::vector<Xapian::docid>> ProveTopN(const ImpactHeads& heads,
                                                    const Xapian::Database& db,
                                                    const std::vector<WeightedTerm>& terms,
                                                    size_t n, ProveStats* stats = nullptr,
                                                    ProveScratch* scratch = nullptr);

// A boolean query matching exactly `docids` (ascending, unique): restricts a query to them with
// OP_FILTER without changing any weight.
Xapian::Query DocidSetQuery(std::vector<Xapian::docid> docids);
// A boolean query matching docids first..last (inclusive), to split one match between threads.
Xapian::Query DocidRangeQuery(Xapian::docid first, Xapian::docid last);

}  // namespace coolpapers::search
