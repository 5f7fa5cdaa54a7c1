#include "search/impact_heads.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <queue>
#include <thread>
#include <utility>

namespace coolpapers::search {
namespace {

// Rounds a weight up to a float, so stored weights and bounds never understate Xapian's.
float RoundUp(double w) {
  float f = static_cast<float>(w);
  if (static_cast<double>(f) < w) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

// Xapian prefixes are upper-case ASCII; the free-text field is unprefixed (its stems are
// "Z" + stem; "Z" + a field prefix + stem belongs to that field).
bool Unprefixed(const std::string& term) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (term.empty()) return false;
  if (term[0] == 'Z') return term.size() > 1 && !upper(term[1]);
  return !upper(term[0]);
}

// Matches the documents of an ascending docid list, with no weight.
class DocidSetSource : public Xapian::PostingSource {
 public:
  explicit DocidSetSource(std::shared_ptr<const std::vector<Xapian::docid>> ids)
      : ids_(std::move(ids)) {}
  Xapian::doccount get_termfreq_min() const override { return ids_->size(); }
  Xapian::doccount get_termfreq_est() const override { return ids_->size(); }
  Xapian::doccount get_termfreq_max() const override { return ids_->size(); }
  void init(const Xapian::Database&) override { pos_ = kBefore; }
  void next(double) override { pos_ = pos_ == kBefore ? 0 : pos_ + 1; }
  void skip_to(Xapian::docid did, double) override {
    if (pos_ == kBefore) pos_ = 0;
    if (pos_ >= ids_->size() || (*ids_)[pos_] >= did) return;
    pos_ = std::lower_bound(ids_->begin() + pos_, ids_->end(), did) - ids_->begin();
  }
  bool at_end() const override { return pos_ != kBefore && pos_ >= ids_->size(); }
  Xapian::docid get_docid() const override { return (*ids_)[pos_]; }
  Xapian::PostingSource* clone() const override { return new DocidSetSource(ids_); }
  std::string get_description() const override {
    return "DocidSetSource(" + std::to_string(ids_->size()) + " documents)";
  }

 private:
  static constexpr size_t kBefore = std::numeric_limits<size_t>::max();
  std::shared_ptr<const std::vector<Xapian::docid>> ids_;
  size_t pos_ = kBefore;
};

// Matches every docid in [first, last], with no weight.
class DocidRangeSource : public Xapian::PostingSource {
 public:
  DocidRangeSource(Xapian::docid first, Xapian::docid last) : first_(first), last_(last) {}
  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return size(); }
  Xapian::doccount get_termfreq_max() const override { return size(); }
  void init(const Xapian::Database& db) override {
    last_ = std::min(last_, db.get_lastdocid());
    cur_ = 0;
  }
  void next(double) override { cur_ = cur_ == 0 ? first_ : cur_ + 1; }
  void skip_to(Xapian::docid did, double) override {
    cur_ = std::max({cur_ == 0 ? first_ : cur_, did, first_});
  }
  bool at_end() const override { return cur_ != 0 && cur_ > last_; }
  Xapian::docid get_docid() const override { return cur_; }
  Xapian::PostingSource* clone() const override { return new DocidRangeSource(first_, last_); }
  std::string get_description() const override {
    return "DocidRangeSource(" + std::to_string(first_) + ".." + std::to_string(last_) + ")";
  }

 private:
  Xapian::doccount size() const { return last_ >= first_ ? last_ - first_ + 1 : 0; }
  Xapian::docid first_, last_;
  Xapian::docid cur_ = 0;
};

}  // namespace

Xapian::Query DocidRangeQuery(Xapian::docid first, Xapian::docid last) {
  auto* source = new DocidRangeSource(std::max<Xapian::docid>(1, first), last);
  return Xapian::Query(source->release());
}

double ImpactHeads::TermWeight(Xapian::doccount n, Xapian::doccount termfreq) {
  // Xapian::BM25Weight::init without relevance information (k3 = 1, wqf = 1).
  double tw = (static_cast<double>(n) - termfreq + 0.5) / (termfreq + 0.5);
  if (tw < 2) tw = tw * 0.5 + 1;
  return std::log(tw);
}

double ImpactHeads::Weight(double termweight, Xapian::termcount wdf,
                           Xapian::termcount doclen) const {
  // Xapian::BM25Weight::get_sumpart with k2 = 0.
  const double normlen = std::max(doclen * len_factor_, opts_.min_normlen);
  const double wdf_double = wdf;
  const double denom = opts_.k1 * (normlen * opts_.b + (1 - opts_.b)) + wdf_double;
  return termweight * (wdf_double * (opts_.k1 + 1) / denom);
}

size_t ImpactHeads::PrefixLength(size_t level, size_t size) const {
  size_t len = std::max<size_t>(1, opts_.first_prefix);
  for (size_t i = 0; i < level && len < size; ++i) len *= 4;
  return std::min(len, size);
}

int ImpactHeads::BucketOfLength(Xapian::termcount doclen) const {
  return static_cast<int>(std::lower_bound(bucket_limits_.begin(), bucket_limits_.end(), doclen) -
                          bucket_limits_.begin());
}

size_t ImpactHeads::DepthFor(Xapian::doccount termfreq) const {
  return std::clamp<size_t>(termfreq / std::max<size_t>(1, opts_.depth_divisor), opts_.min_depth,
                            std::max(opts_.min_depth, opts_.max_depth));
}

const ImpactHeads::Head* ImpactHeads::Find(const std::string& term) const {
  auto it = heads_.find(term);
  return it == heads_.end() ? nullptr : &it->second;
}

const ImpactHeads::Dense* ImpactHeads::FindDense(const std::string& term) const {
  auto it = dense_.find(term);
  return it == dense_.end() ? nullptr : &it->second;
}

size_t ImpactHeads::bytes() const {
  size_t total = rows_.bytes() + doclen_.bytes();
  for (const auto& [term, d] : dense_) total += term.size() + 48;
  for (const auto& [term, h] : heads_) {
    total += term.size() + sizeof(Head) + h.docids.capacity() * sizeof(Xapian::docid) +
             h.weights.capacity() * sizeof(float) + 32;
  }
  return total;
}

Result<std::shared_ptr<const ImpactHeads>> ImpactHeads::Build(const std::string& path,
                                                              const ImpactHeadsOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<ImpactHeads> out(new ImpactHeads());
  out->opts_ = opts;
  out->opts_.cancel = nullptr;
  out->path_ = path;
  std::vector<std::string> terms;
  core::HugeArray<Xapian::termcount> doclen;
  try {
    Xapian::Database db(path);
    if (!out->ReadCollection(db, terms, doclen)) return std::shared_ptr<const ImpactHeads>(out);
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("cannot read the search index at " + path + " to build its " +
                                "top-weight lists: " + e.get_description()));
  } catch (const std::bad_alloc&) {
    return Err(Status::ResourceExhausted(
        "not enough memory for the top-weight lists of " + path +
        " (search still works, matching in full; free memory and restart serve)"));
  }
  const std::string error = out->BuildHeads(terms, doclen, opts.cancel);
  out->doclen_ = std::move(doclen);
  if (opts.cancel && opts.cancel->load()) {
    return Err(Status::Cancelled("top-weight list build cancelled"));
  }
  if (!error.empty()) {
    return Err(Status::Unavailable("cannot build the search index's top-weight lists from " +
                                   path + ": " + error + " (they are rebuilt on the next change)"));
  }
  out->seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::shared_ptr<const ImpactHeads>(out);
}

bool ImpactHeads::ReadCollection(const Xapian::Database& db, std::vector<std::string>& terms,
                                 core::HugeArray<Xapian::termcount>& doclen) {
  revision_ = db.get_revision();
  doccount_ = db.get_doccount();
  const double avlen = db.get_avlength();
  len_factor_ = avlen != 0 ? 1 / avlen : 0;
  lastdocid_ = db.get_lastdocid();
  const Xapian::doccount threshold = std::max<Xapian::doccount>(
      opts_.min_termfreq, static_cast<Xapian::doccount>(opts_.min_depth) + 1);
  if (doccount_ < threshold) return false;
  for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
    if (it.get_termfreq() >= threshold && Unprefixed(*it)) terms.push_back(*it);
  }
  if (terms.empty()) return false;
  ChooseDenseTerms(db, terms);
  ReadLengths(db, doclen);
  return true;
}

void ImpactHeads::ChooseDenseTerms(const Xapian::Database& db,
                                   const std::vector<std::string>& terms) {
  std::vector<std::pair<Xapian::doccount, std::string>> common;
  for (const std::string& t : terms) {
    const Xapian::doccount tf = db.get_termfreq(t);
    if (tf >= opts_.dense_min_fraction * doccount_) common.emplace_back(tf, t);
  }
  std::sort(common.rbegin(), common.rend());
  common.resize(std::min<size_t>(common.size(), std::min<size_t>(opts_.dense_max_terms, 63)));
  while (stride_ < common.size() + 1) stride_ *= 2;
  int column = 0;
  for (auto& [tf, t] : common) {
    Dense& d = dense_[t];  // the workers fill the rows' bytes and the step
    d.column = ++column;
  }
}

void ImpactHeads::ReadLengths(const Xapian::Database& db,
                              core::HugeArray<Xapian::termcount>& doclen) {
  doclen = core::HugeArray<Xapian::termcount>(static_cast<size_t>(db.get_lastdocid()) + 1);
  std::vector<Xapian::termcount> lengths;
  lengths.reserve(doccount_);
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    doclen[*it] = it.get_doclength();
    lengths.push_back(doclen[*it]);
  }
  std::sort(lengths.begin(), lengths.end());
  for (int b = 1; b < kBuckets; ++b) {
    bucket_limits_.push_back(lengths[lengths.size() * b / kBuckets]);
  }
  row_count_ = doclen.size();
  rows_ = core::HugeArray<uint8_t>(doclen.size() * stride_);
  for (size_t d = 0; d < doclen.size(); ++d) {
    rows_[d * stride_] = static_cast<uint8_t>(BucketOfLength(doclen[d]));
  }
}

std::string ImpactHeads::BuildHeads(const std::vector<std::string>& terms,
                                    const core::HugeArray<Xapian::termcount>& doclen,
                                    const std::atomic<bool>* cancel) {
  auto cancelled = [&] { return cancel && cancel->load(); };
  const int threads = std::clamp(opts_.threads, 1, 16);
  std::vector<std::vector<std::pair<std::string, Head>>> built(threads);
  std::vector<std::string> errors(threads);
  std::atomic<size_t> next{0};
  auto work = [&](int t) {
    try {
      Xapian::Database db(path_);
      if (db.get_revision() != revision_) {
        errors[t] = "the index changed while its top-weight lists were built";
        return;
      }
      std::vector<HeadItem> heap;
      for (size_t i; (i = next.fetch_add(1)) < terms.size();) {
        if (cancelled()) return;
        Bounds left{};
        ScanPostings(db, terms[i], doclen, heap, left);
        built[t].emplace_back(terms[i], MakeHead(heap, left));
      }
    } catch (const Xapian::Error& e) {
      errors[t] = e.get_description();
    } catch (const std::bad_alloc&) {
      errors[t] = "not enough memory (search still works, matching in full)";
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (const std::string& e : errors) {
    if (!e.empty()) return e;
  }
  heads_.reserve(terms.size());
  for (auto& part : built) {
    for (auto& [term, h] : part) heads_.emplace(std::move(term), std::move(h));
  }
  return "";
}

void ImpactHeads::ScanPostings(const Xapian::Database& db, const std::string& term,
                               const core::HugeArray<Xapian::termcount>& doclen,
                               std::vector<HeadItem>& heap, Bounds& left) {
  const Xapian::doccount tf = db.get_termfreq(term);
  const double tw = TermWeight(doccount_, tf);
  const size_t depth = DepthFor(tf);
  heap.clear();  // a min-heap by weight
  float floor = -1;
  // dense_ was filled before the workers started: each one writes only its own terms' steps
  // and columns.
  Dense* dense = nullptr;
  if (auto d = dense_.find(term); d != dense_.end()) {
    dense = &d->second;
    dense->step = tw * (opts_.k1 + 1) / 255;  // BM25 weights stay below tw * (k1 + 1)
  }
  auto leave = [&](const HeadItem& item) {
    float& m = left[BucketOf(item.second)];
    m = std::max(m, item.first);
  };
  for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
    const Xapian::docid did = *it;
    const float w = RoundUp(Weight(tw, it.get_wdf(), did < doclen.size() ? doclen[did] : 0));
    if (dense && did < doclen.size() && dense->step > 0) {
      rows_[did * stride_ + dense->column] =
          static_cast<uint8_t>(std::clamp(std::ceil(w / dense->step), 1.0, 255.0));
    }
    if (heap.size() < depth) {
      heap.emplace_back(w, did);
      std::push_heap(heap.begin(), heap.end(), std::greater<>());
      if (heap.size() == depth) floor = heap.front().first;
    } else if (w > floor) {
      std::pop_heap(heap.begin(), heap.end(), std::greater<>());
      leave(heap.back());
      heap.back() = {w, did};
      std::push_heap(heap.begin(), heap.end(), std::greater<>());
      floor = heap.front().first;
    } else {
      leave({w, did});
    }
  }
}

ImpactHeads::Head ImpactHeads::MakeHead(std::vector<HeadItem>& heap, const Bounds& left) const {
  Head h;
  std::sort(heap.begin(), heap.end(), [](const HeadItem& a, const HeadItem& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  // Bounds beyond each query-time prefix: scan the head from its end.
  std::vector<size_t> cuts;
  for (size_t level = 0;; ++level) {
    cuts.push_back(PrefixLength(level, heap.size()));
    if (cuts.back() >= heap.size()) break;
  }
  h.rests.resize(cuts.size());
  Bounds run = left;
  size_t c = cuts.size();
  for (size_t p = heap.size() + 1; p-- > 0;) {
    while (c > 0 && cuts[c - 1] == p) h.rests[--c] = run;
    if (p == 0) break;
    float& m = run[BucketOf(heap[p - 1].second)];
    m = std::max(m, heap[p - 1].first);
  }
  // Each prefix's new postings by docid: a query walks its tables in one direction.
  for (size_t l = 0, from = 0; l < cuts.size(); from = cuts[l++]) {
    std::sort(heap.begin() + from, heap.begin() + cuts[l],
              [](const HeadItem& a, const HeadItem& b) { return a.second < b.second; });
  }
  h.docids.reserve(heap.size());
  h.weights.reserve(heap.size());
  for (const HeadItem& it : heap) {
    h.docids.push_back(it.second);
    h.weights.push_back(it.first);
  }
  return h;
}

namespace topn {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kBuckets = ImpactHeads::kBuckets;
constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();
using BucketSums = std::array<double, kBuckets>;  // per length class

// Bounds are padded by this so that summing in another order never makes them understate.
double Slack(double x) { return 1e-9 * std::max(1.0, std::fabs(x)); }
// Computed weights include list weights rounded up to floats (~1.2e-7 relative).
double Approx(double x) { return 1e-6 * std::max(1.0, std::fabs(x)); }

// A document met in the lists, accumulated across deepening levels.
struct MetDoc {
  Xapian::docid did;
  uint64_t mask;   // terms whose weight is known
  double known;    // sum of the known scaled weights
  double exact;    // weight computed from the postings (-inf: no match); NaN until then;
                   // without the dense terms missing from `scored_mask` (see DenseBounds)
  uint64_t scored_mask;  // `mask` when `exact` was computed
  bool out;        // bounded below theta: can never reach the top n
  uint8_t bucket;  // its length class
};

// A met document that may still reach the top n.
struct Candidate {
  double ub;  // upper bound of its weight
  double lb;  // lower bound, or -inf when it may not match
  uint32_t idx;  // into the met documents
};

// Very common terms: every document's weight is known to within a step. Their weights in a
// document (when not listed) and whether a required one is absent.
struct DensePart {
  double lb = 0, ub = 0;
  uint64_t present = 0;  // listed terms and present dense terms
  bool absent_required = false;
};

}  // namespace topn

struct ProveScratch::Buffers {
  std::vector<topn::MetDoc> met;
  // [idx * terms + i]: term i's stored weight in met[idx] (when listed).
  std::vector<float> listed_weight;
  // [idx * terms + i]: dense term i's byte weight (0: absent, or term i is not dense), read
  // from the document's row once, when it is met (rows are by docid: reading one is a miss).
  std::vector<uint8_t> dense_byte;
  // By docid: the document's index in `met`, or kNoSlot. All kNoSlot between queries.
  core::HugeArray<uint32_t> slot;
  std::vector<topn::Candidate> candidates;
  // The n best lower bounds of candidates' weights (a min-heap): its top is theta.
  std::vector<double> best_lower;
  std::vector<uint32_t> batch;
};

ProveScratch::ProveScratch() : buffers_(std::make_unique<Buffers>()) {}
ProveScratch::~ProveScratch() = default;
ProveScratch::ProveScratch(ProveScratch&&) noexcept = default;
ProveScratch& ProveScratch::operator=(ProveScratch&&) noexcept = default;

namespace topn {

// One run of ProveTopN. It deepens the terms' lists level by level; at each level it bounds the
// weight of every document met so far (and of every document met in none), computes exact
// weights of the most promising candidates in batches, and stops once the n-th best lower
// bound (theta) beats every other document's upper bound.
class TopNProver {
 public:
  using Outcome = std::optional<std::vector<Xapian::docid>>;
  TopNProver(const ImpactHeads& heads, const Xapian::Database& db,
             const std::vector<WeightedTerm>& terms, size_t n, ProveStats& stats,
             ProveScratch::Buffers& scratch)
      : heads_(heads), db_(db), terms_(terms), t_count_(terms.size()), n_(n), stats_(stats),
        met_(scratch.met), listed_weight_(scratch.listed_weight),
        dense_byte_(scratch.dense_byte), slot_(scratch.slot), cands_(scratch.candidates),
        best_lower_(scratch.best_lower), batch_(scratch.batch) {}
  // Leaves every slot empty for the next query.
  ~TopNProver() {
    for (const MetDoc& a : met_) slot_[a.did] = kNoSlot;
    met_.clear();
  }
  TopNProver(const TopNProver&) = delete;
  TopNProver& operator=(const TopNProver&) = delete;

  Outcome Run();

 private:
  enum class LevelEnd { kProved, kGaveUp, kDeeper };

  Outcome Fail(const char* why) {
    stats_.fallback = why;
    return std::nullopt;
  }
  // Gathering the terms' lists.
  const char* GatherTerms();
  const char* ListRareOptionalTerms();
  void ClassifyTerms();
  bool PrepareSlots();
  void SetBudgets();
  // One level of the lists' prefixes.
  std::pair<size_t, size_t> PrefixAt(size_t i, size_t level) const;
  void ReserveForLevel(size_t level);
  bool AddPrefix(size_t i, size_t level, uint64_t& complete_required);
  void Meet(size_t i, Xapian::docid did, float weight);
  void SumRests();
  // Bounds.
  DensePart DenseBounds(uint32_t k) const;
  void CollectCandidates(uint64_t complete_required);
  std::optional<Candidate> BoundUnscored(uint32_t k, const DensePart& d,
                                         uint64_t complete_required) const;
  void StartTheta();
  double Theta() const { return best_lower_.size() >= n_ ? best_lower_.front() : -kInf; }
  void AddLowerBound(double lb);
  void DropHopeless();
  // Settling candidates.
  LevelEnd Settle(bool deepest, std::vector<Xapian::docid>& set);
  std::vector<Xapian::docid> ReachingSet(double theta) const;
  size_t NextBatch(size_t next, std::vector<size_t>& where);
  void Score(std::vector<uint32_t>& idx);
  void ScoreRange(const Xapian::Database& handle, const uint32_t* first, const uint32_t* last);
  void UpdateScored(const std::vector<size_t>& where);

  const ImpactHeads& heads_;
  const Xapian::Database& db_;
  const std::vector<WeightedTerm>& terms_;
  const size_t t_count_;
  const size_t n_;
  ProveStats& stats_;
  // Scratch buffers (see ProveScratch::Buffers).
  std::vector<MetDoc>& met_;
  std::vector<float>& listed_weight_;
  std::vector<uint8_t>& dense_byte_;
  core::HugeArray<uint32_t>& slot_;
  std::vector<Candidate>& cands_;
  std::vector<double>& best_lower_;
  std::vector<uint32_t>& batch_;

  // Each term's documents by weight: its head, or every posting of a rarer optional term.
  std::vector<const ImpactHeads::Head*> lists_;
  std::vector<ImpactHeads::Head> owned_lists_;
  std::vector<const ImpactHeads::Dense*> dense_;
  std::vector<double> termweight_;
  std::vector<Xapian::doccount> termfreq_;
  std::vector<size_t> order_;  // required terms first
  std::vector<size_t> dense_terms_;
  uint64_t required_mask_ = 0;
  uint64_t sparse_mask_ = 0;    // terms that are not dense
  uint64_t implying_mask_ = 0;  // terms implying another (an exact word: its stem)
  // The postings of the term that drives Xapian's full match (the rarest required one).
  Xapian::doccount driver_tf_ = 0;

  size_t small_set_ = 0;   // a proved set may hold this many documents
  size_t max_scored_ = 0;  // weights computed at most before giving up
  size_t batch_size_ = 256;
  // Per term and length class, the scaled bound beyond the current prefix of its list.
  std::vector<BucketSums> rest_;
  std::vector<size_t> taken_;  // per term, postings of its list met so far
  BucketSums rest_sum_{};      // per length class, a bound for a document in no list
  double rest_all_ = 0;        // the largest of rest_sum_ (without slack)
  double theta_before_ = -kInf;  // at the end of the previous level
  BucketSums rest_before_{};     // rest_sum_ at the end of the previous level
};

TopNProver::Outcome TopNProver::Run() {
  stats_ = ProveStats{};
  if (n_ == 0 || terms_.empty() || t_count_ > 64) return Fail("query shape");
  if (heads_.terms() == 0) return Fail("no lists");
  if (db_.get_revision() != heads_.revision() || db_.get_doccount() != heads_.doccount()) {
    return Fail("stale heads");
  }
  try {
    if (const char* why = GatherTerms()) return Fail(why);
    if (const char* why = ListRareOptionalTerms()) return Fail(why);
  } catch (const Xapian::Error&) {
    return Fail("xapian error");
  }
  ClassifyTerms();
  if (!PrepareSlots()) return Fail("out of memory");
  SetBudgets();
  try {
    // Deepen the lists' prefixes until the bounds prove the top n (most queries need the first).
    for (size_t level = 0;; ++level) {
      ReserveForLevel(level);
      bool deepest = true;
      uint64_t complete_required = 0;
      for (size_t i = 0; i < t_count_; ++i) deepest &= AddPrefix(i, level, complete_required);
      listed_weight_.resize(met_.size() * t_count_);
      dense_byte_.resize(met_.size() * t_count_);
      SumRests();
      CollectCandidates(complete_required);
      stats_.candidates = cands_.size();
      StartTheta();
      DropHopeless();
      std::vector<Xapian::docid> set;
      const LevelEnd end = Settle(deepest, set);
      if (end == LevelEnd::kProved) return set;
      if (end == LevelEnd::kGaveUp) return std::nullopt;
      if (deepest) break;
      theta_before_ = Theta();
      rest_before_ = rest_sum_;
    }
  } catch (const Xapian::Error&) {
    return Fail("xapian error");
  } catch (const std::exception&) {  // e.g. no thread could be started: match in full
    return Fail("internal error");
  }
  return Fail("unlisted documents may reach the top n");
}

// Checks the query's terms and finds their lists and statistics; the reason not to prune, or
// null.
const char* TopNProver::GatherTerms() {
  lists_.assign(t_count_, nullptr);
  dense_.assign(t_count_, nullptr);
  termweight_.assign(t_count_, 0);
  termfreq_.assign(t_count_, 0);
  for (size_t i = 0; i < t_count_; ++i) dense_[i] = heads_.FindDense(terms_[i].term);
  Xapian::doccount rarest_required = 0;
  for (size_t i = 0; i < t_count_; ++i) {
    const WeightedTerm& t = terms_[i];
    for (size_t j = 0; j < i; ++j) {
      if (terms_[j].term == t.term) return "repeated term";
    }
    if (!(t.scale >= 0)) return "negative scale";
    if (t.implies >= static_cast<int>(t_count_) || t.implies == static_cast<int>(i)) {
      return "query shape";
    }
    if (t.required) required_mask_ |= uint64_t{1} << i;
    termfreq_[i] = db_.get_termfreq(t.term);
    termweight_[i] = ImpactHeads::TermWeight(heads_.doccount(), termfreq_[i]);
    driver_tf_ = std::max(driver_tf_, termfreq_[i]);
    if (t.required && (rarest_required == 0 || termfreq_[i] < rarest_required)) {
      rarest_required = termfreq_[i];
    }
    lists_[i] = heads_.Find(t.term);
    if (!lists_[i] && t.required) return "a required term has no head";
  }
  if (rarest_required > 0) driver_tf_ = rarest_required;
  if (driver_tf_ < heads_.options().prune_min_termfreq) {
    return "few postings: the full match is cheap";
  }
  return nullptr;
}

// Lists every posting of the optional terms without a head (rare enough to read whole); the
// reason not to prune when one is too common, or null.
const char* TopNProver::ListRareOptionalTerms() {
  const ImpactHeadsOptions& o = heads_.options();
  owned_lists_.resize(t_count_);
  for (size_t i = 0; i < t_count_; ++i) {
    if (lists_[i]) continue;
    const Xapian::doccount tf = termfreq_[i];
    if (tf > std::max<Xapian::doccount>(o.min_termfreq, o.min_depth)) return "term too common";
    ImpactHeads::Head& h = owned_lists_[i];  // by docid, like every segment of a head
    h.docids.reserve(tf);
    h.weights.reserve(tf);
    const std::string& term = terms_[i].term;
    for (auto it = db_.postlist_begin(term); it != db_.postlist_end(term); ++it) {
      h.docids.push_back(*it);
      h.weights.push_back(
          RoundUp(heads_.Weight(termweight_[i], it.get_wdf(), heads_.DocLength(*it))));
    }
    h.rests.assign(1, ImpactHeads::Bounds{});  // complete: taken whole at every level
    lists_[i] = &h;
  }
  return nullptr;
}

// The order in which exact weights are computed (required terms first, so documents without
// one are dropped early) and the masks of dense, sparse and implying terms.
void TopNProver::ClassifyTerms() {
  for (size_t i = 0; i < t_count_; ++i) {
    if (terms_[i].required) order_.push_back(i);
  }
  for (size_t i = 0; i < t_count_; ++i) {
    if (!terms_[i].required) order_.push_back(i);
  }
  for (size_t i = 0; i < t_count_; ++i) {
    if (dense_[i]) {
      dense_terms_.push_back(i);
    } else {
      sparse_mask_ |= uint64_t{1} << i;
    }
    if (terms_[i].implies >= 0 && termweight_[i] > 0) implying_mask_ |= uint64_t{1} << i;
  }
}

// Empties the buffers and makes room for a slot per docid; false when out of memory.
bool TopNProver::PrepareSlots() {
  met_.clear();
  listed_weight_.clear();
  dense_byte_.clear();
  const size_t docids = static_cast<size_t>(heads_.lastdocid()) + 1;
  if (slot_.size() >= docids) return true;
  try {
    slot_ = core::HugeArray<uint32_t>(docids, kNoSlot);
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

void TopNProver::SetBudgets() {
  const ImpactHeadsOptions& o = heads_.options();
  small_set_ = std::max<size_t>(64, 2 * n_);
  // Xapian's full match costs about the postings of the term that drives it (the rarest
  // required one): spend a share of that on computing weights before giving up.
  max_scored_ = std::clamp<size_t>(driver_tf_ / std::max<size_t>(1, o.score_budget_divisor),
                                   std::max<size_t>(512, 4 * n_), 16384);
  rest_.assign(t_count_, BucketSums{});
  taken_.assign(t_count_, 0);
  rest_before_.fill(kInf);
}

// Term i's bounds index and prefix length at a level (the last bounds: the whole head).
std::pair<size_t, size_t> TopNProver::PrefixAt(size_t i, size_t level) const {
  const ImpactHeads::Head& h = *lists_[i];
  const size_t r = std::min(level, h.rests.size() - 1);
  const size_t take =
      r + 1 == h.rests.size() ? h.docids.size() : heads_.PrefixLength(level, h.docids.size());
  return {r, take};
}

// Room for every document this level may add (trimmed after), zeroed.
void TopNProver::ReserveForLevel(size_t level) {
  size_t incoming = 0;
  for (size_t i = 0; i < t_count_; ++i) {
    const size_t take = PrefixAt(i, level).second;
    incoming += take - std::min(take, taken_[i]);
  }
  met_.reserve(met_.size() + incoming);
  listed_weight_.resize((met_.size() + incoming) * t_count_, 0);
  dense_byte_.resize((met_.size() + incoming) * t_count_, 0);
}

// Meets the documents of term i's list up to this level's prefix and sets its bounds beyond
// it; marks the term in `complete_required` when it is required and its list is complete.
// Returns whether the list is taken whole.
bool TopNProver::AddPrefix(size_t i, size_t level, uint64_t& complete_required) {
  const ImpactHeads::Head& h = *lists_[i];
  const auto [r, take] = PrefixAt(i, level);
  bool complete = true;
  for (int b = 0; b < kBuckets; ++b) {
    rest_[i][b] = terms_[i].scale * h.rests[r][b];
    complete &= rest_[i][b] == 0;
  }
  if (complete && terms_[i].required) complete_required |= uint64_t{1} << i;
  for (size_t k = taken_[i]; k < take; ++k) {
    // The lists are in weight order, so slot lookups are random: fetch ahead.
    constexpr size_t kAhead = 16;
    if (k + kAhead < take && h.docids[k + kAhead] < slot_.size()) {
      const Xapian::docid ahead = h.docids[k + kAhead];
      __builtin_prefetch(&slot_[ahead]);
      __builtin_prefetch(heads_.Row(ahead));
    }
    const Xapian::docid did = h.docids[k];
    if (did >= slot_.size()) continue;  // cannot happen for this revision
    Meet(i, did, h.weights[k]);
  }
  taken_[i] = std::max(taken_[i], take);
  return take == h.docids.size();
}

// Records term i's `weight` in document `did`, meeting the document when it is new.
void TopNProver::Meet(size_t i, Xapian::docid did, float weight) {
  uint32_t& s = slot_[did];
  if (s == kNoSlot) {
    // Beyond the last prefixes a document weighs at most their bounds for its length class:
    // below theta, it can never reach the top n (theta only rises and the bounds only fall,
    // so it is left out again when met in another list).
    const uint8_t* row = heads_.Row(did);
    if (theta_before_ > rest_before_[row[0]]) return;
    s = static_cast<uint32_t>(met_.size());
    met_.push_back({did, 0, 0, std::numeric_limits<double>::quiet_NaN(), 0, false, row[0]});
    uint8_t* q = &dense_byte_[static_cast<size_t>(s) * t_count_];
    for (size_t j : dense_terms_) q[j] = row[dense_[j]->column];
  }
  listed_weight_[static_cast<size_t>(s) * t_count_ + i] = weight;
  met_[s].mask |= uint64_t{1} << i;
  met_[s].known += terms_[i].scale * weight;
}

// A document in no list is bounded by its length class.
void TopNProver::SumRests() {
  rest_all_ = 0;
  for (int b = 0; b < kBuckets; ++b) {
    double sum = 0;
    for (size_t i = 0; i < t_count_; ++i) sum += rest_[i][b];
    rest_sum_[b] = sum + Slack(sum);
    rest_all_ = std::max(rest_all_, sum);
  }
}

DensePart TopNProver::DenseBounds(uint32_t k) const {
  const MetDoc& a = met_[k];
  // Once computed, `exact` holds the terms listed then; later lists add nothing new.
  const uint64_t mask = std::isnan(a.exact) ? a.mask : a.scored_mask;
  DensePart d;
  d.present = mask;
  const uint8_t* dq = &dense_byte_[static_cast<size_t>(k) * t_count_];
  for (size_t i : dense_terms_) {
    if (mask >> i & 1) continue;
    const uint8_t q = dq[i];
    if (q == 0) {
      d.absent_required |= terms_[i].required;
      continue;
    }
    d.present |= uint64_t{1} << i;
    d.lb += terms_[i].scale * (q - 1) * dense_[i]->step;
    d.ub += terms_[i].scale * q * dense_[i]->step;
  }
  return d;
}

// Bounds every met document that may still match and is not ruled out.
void TopNProver::CollectCandidates(uint64_t complete_required) {
  cands_.clear();
  for (uint32_t k = 0; k < met_.size(); ++k) {
    const MetDoc& a = met_[k];
    if (a.exact == -kInf || a.out) continue;
    const DensePart d = DenseBounds(k);
    if (d.absent_required) continue;
    if (!std::isnan(a.exact)) {
      const double ub = a.exact + d.ub, lb = a.exact + d.lb;
      cands_.push_back({ub + Approx(ub), lb - Approx(ub), k});
      continue;
    }
    if (auto c = BoundUnscored(k, d, complete_required)) cands_.push_back(*c);
  }
}

// The bounds of met document k whose weight is not computed yet, from its listed weights, the
// dense terms' bytes and the other terms' bounds; nullopt when it cannot match.
std::optional<Candidate> TopNProver::BoundUnscored(uint32_t k, const DensePart& d,
                                                   uint64_t complete_required) const {
  const MetDoc& a = met_[k];
  uint64_t present = d.present;
  // Terms implied by listed terms are present, weighing at least the implied share.
  double implied_lb = 0;
  const float* w = &listed_weight_[static_cast<size_t>(k) * t_count_];
  for (uint64_t bits = a.mask & implying_mask_; bits != 0; bits &= bits - 1) {
    const size_t i = static_cast<size_t>(__builtin_ctzll(bits));
    const int s = terms_[i].implies;
    if (a.mask >> s & 1) continue;
    if (!(present >> s & 1)) {
      present |= uint64_t{1} << s;
      implied_lb += terms_[s].scale * termweight_[s] * (w[i] / termweight_[i]);
    }
  }
  // A complete list names every document with its term: others cannot match.
  if ((complete_required & ~present) != 0) return std::nullopt;
  const int b = a.bucket;
  double unknown = d.ub;
  // Unlisted terms that are not dense (those are counted in d.ub, or absent).
  for (uint64_t bits = ~a.mask & sparse_mask_; bits != 0; bits &= bits - 1) {
    const size_t i = static_cast<size_t>(__builtin_ctzll(bits));
    double r = rest_[i][b];
    const int s = terms_[i].implies;
    // Its occurrences are occurrences of term s: same document, no more often.
    if (s >= 0 && (a.mask >> s & 1) && termweight_[s] > 0) {
      r = std::min(r, terms_[i].scale * termweight_[i] * (w[s] / termweight_[s]));
    }
    unknown += r;
  }
  const double ub = a.known + unknown;
  // Stored weights are rounded up to floats: at most ~1.2e-7 above the true ones.
  const double lb = (required_mask_ & ~present) == 0
                        ? (a.known + implied_lb + d.lb) * (1 - 1e-6) - 1e-9
                        : -kInf;
  return Candidate{ub + Slack(ub), lb, k};
}

// theta: a lower bound of the n-th best weight, from the n best lower bounds (a min-heap).
void TopNProver::StartTheta() {
  best_lower_.clear();
  for (const Candidate& c : cands_) {
    if (c.lb > -kInf) best_lower_.push_back(c.lb);
  }
  if (best_lower_.size() > n_) {
    std::nth_element(best_lower_.begin(), best_lower_.begin() + (n_ - 1), best_lower_.end(),
                     std::greater<>());
    best_lower_.resize(n_);
  }
  std::make_heap(best_lower_.begin(), best_lower_.end(), std::greater<>());
}

void TopNProver::AddLowerBound(double lb) {
  best_lower_.push_back(lb);
  std::push_heap(best_lower_.begin(), best_lower_.end(), std::greater<>());
  if (best_lower_.size() > n_) {
    std::pop_heap(best_lower_.begin(), best_lower_.end(), std::greater<>());
    best_lower_.pop_back();
  }
}

// Only candidates above both theta and the unlisted bound can matter: keeps those, best bound
// first, and marks the documents below theta out for good.
void TopNProver::DropHopeless() {
  const double theta = Theta();
  const double cut = std::max(theta, rest_all_);
  for (const Candidate& c : cands_) {
    if (c.ub < theta) met_[c.idx].out = true;
  }
  auto keep_end = std::partition(cands_.begin(), cands_.end(),
                                 [&](const Candidate& c) { return c.ub >= cut; });
  cands_.erase(keep_end, cands_.end());
  std::sort(cands_.begin(), cands_.end(),
            [](const Candidate& a, const Candidate& b) { return a.ub > b.ub; });
}

// Computes candidates' weights, best bound first, until theta proves the top n (kProved, the
// docids in `set`), the budget runs out (kGaveUp), or deeper lists would tighten the bounds
// more cheaply (kDeeper; at the deepest level: the bounds cannot prove it).
TopNProver::LevelEnd TopNProver::Settle(bool deepest, std::vector<Xapian::docid>& set) {
  size_t next = 0;
  size_t scored_here = 0;
  for (;;) {
    const double th = Theta();
    const bool beats_rest = th > rest_all_ + Slack(rest_all_);
    size_t reach = 0;      // candidates that may still be in the top n
    size_t unsettled = 0;  // ... whose weight is not computed yet
    for (const Candidate& c : cands_) {
      reach += c.ub >= th;
      unsettled += c.ub >= th && std::isnan(met_[c.idx].exact);
    }
    if (beats_rest && reach <= small_set_) {
      set = ReachingSet(th);
      stats_.set = set.size();
      return LevelEnd::kProved;
    }
    // With the deepest lists, all but small_set of the unsettled candidates above theta get
    // computed unless theta rises past them: when that would overrun the budget, stop now
    // rather than after spending it.
    if (deepest && th > -kInf && unsettled > small_set_ &&
        stats_.scored + (unsettled - small_set_) > max_scored_) {
      Fail("too many candidates");
      return LevelEnd::kGaveUp;
    }
    // Deeper lists tighten bounds cheaply; computing weights settles candidates one by one.
    if (!deepest && scored_here >= 512) return LevelEnd::kDeeper;
    std::vector<size_t> where;
    next = NextBatch(next, where);
    if (batch_.empty()) return LevelEnd::kDeeper;
    if (stats_.scored + batch_.size() > max_scored_) {
      Fail("too many candidates");
      return LevelEnd::kGaveUp;
    }
    Score(batch_);
    scored_here += batch_.size();
    batch_size_ = std::min<size_t>(batch_size_ * 2, 4096);
    UpdateScored(where);
  }
}

// The docids (ascending) of the candidates that may reach the top n.
std::vector<Xapian::docid> TopNProver::ReachingSet(double theta) const {
  std::vector<Xapian::docid> set;
  for (const Candidate& c : cands_) {
    if (c.ub >= theta) set.push_back(met_[c.idx].did);
  }
  std::sort(set.begin(), set.end());
  return set;
}

// Fills batch_ with up to batch_size_ unscored candidates from cands_[next...] above both
// theta and the unlisted bound (their positions in `where`); returns where to go on from.
size_t TopNProver::NextBatch(size_t next, std::vector<size_t>& where) {
  const double floor = std::max(Theta(), rest_all_);
  batch_.clear();
  for (; next < cands_.size() && batch_.size() < batch_size_; ++next) {
    if (cands_[next].ub < floor) return cands_.size();
    if (std::isnan(met_[cands_[next].idx].exact)) {
      batch_.push_back(cands_[next].idx);
      where.push_back(next);
    }
  }
  return next;
}

// Computes the weights of met_[idx...]: `exact` becomes the known weights plus those of the
// unlisted terms that are not dense; the upper half of the docids on a second thread.
void TopNProver::Score(std::vector<uint32_t>& idx) {
  std::sort(idx.begin(), idx.end(),
            [&](uint32_t a, uint32_t b) { return met_[a].did < met_[b].did; });
  for (uint32_t k : idx) {
    met_[k].exact = met_[k].known;
    met_[k].scored_mask = met_[k].mask;
  }
  const uint32_t* begin = idx.data();
  const uint32_t* end = idx.data() + idx.size();
  if (heads_.options().query_threads > 1 && idx.size() >= 256) {
    // The upper half of the docids on a second handle of the same revision.
    const uint32_t* mid = begin + idx.size() / 2;
    std::exception_ptr error;
    std::thread helper([&] {
      try {
        Xapian::Database other(heads_.path());
        if (other.get_revision() != heads_.revision()) {
          throw Xapian::DatabaseModifiedError("index changed");
        }
        ScoreRange(other, mid, end);
      } catch (...) {
        error = std::current_exception();
      }
    });
    ScoreRange(db_, begin, mid);
    helper.join();
    if (error) std::rethrow_exception(error);
  } else {
    ScoreRange(db_, begin, end);
  }
  stats_.scored += idx.size();
}

// Adds the weights of the unlisted terms that are not dense, from their postings (required
// terms first, so documents without one are dropped early); DenseBounds bounds the rest.
void TopNProver::ScoreRange(const Xapian::Database& handle, const uint32_t* first,
                            const uint32_t* last) {
  for (size_t i : order_) {
    if (dense_[i]) continue;  // its byte weight bounds it within a step: no postings needed
    const bool required = terms_[i].required;
    Xapian::PostingIterator it = handle.postlist_begin(terms_[i].term);
    const Xapian::PostingIterator end = handle.postlist_end(terms_[i].term);
    for (const uint32_t* k = first; k != last; ++k) {
      MetDoc& a = met_[*k];
      if (a.exact == -kInf || (a.mask >> i & 1)) continue;
      if (it != end) it.skip_to(a.did);
      if (it != end && *it == a.did) {
        a.exact += terms_[i].scale *
                   heads_.Weight(termweight_[i], it.get_wdf(), heads_.DocLength(a.did));
      } else if (required) {
        a.exact = -kInf;
      }
    }
  }
}

// Tightens the bounds of the candidates just scored (at `where` in cands_) and lets their
// lower bounds raise theta.
void TopNProver::UpdateScored(const std::vector<size_t>& where) {
  for (size_t w : where) {
    Candidate& c = cands_[w];
    const double e = met_[c.idx].exact;
    if (e == -kInf) {
      c.ub = c.lb = -kInf;
      continue;
    }
    const DensePart d = DenseBounds(c.idx);
    const double ub = e + d.ub, lb = e + d.lb - Approx(e + d.ub);
    // A lower bound already counted stays (a weaker one: still a lower bound).
    if (c.lb == -kInf) AddLowerBound(lb);
    c.ub = ub + Approx(ub);
    c.lb = std::max(c.lb, lb);
  }
}

}  // namespace topn

std::optional<std::vector<Xapian::docid>> ProveTopN(const ImpactHeads& heads,
                                                    const Xapian::Database& db,
                                                    const std::vector<WeightedTerm>& terms,
                                                    size_t n, ProveStats* stats,
                                                    ProveScratch* scratch) {
  ProveStats local_stats;
  std::optional<ProveScratch> local_scratch;
  if (!scratch) scratch = &local_scratch.emplace();
  topn::TopNProver prover(heads, db, terms, n, stats ? *stats : local_stats,
                          scratch->buffers());
  return prover.Run();
}

Xapian::Query DocidSetQuery(std::vector<Xapian::docid> docids) {
  auto ids = std::make_shared<const std::vector<Xapian::docid>>(std::move(docids));
  auto* source = new DocidSetSource(std::move(ids));
  return Xapian::Query(source->release());
}

}  // namespace coolpapers::search
