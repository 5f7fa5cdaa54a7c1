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
  auto cancelled = [&] { return opts.cancel && opts.cancel->load(); };
  std::shared_ptr<ImpactHeads> out(new ImpactHeads());
  out->opts_ = opts;
  out->opts_.cancel = nullptr;
  out->path_ = path;
  std::vector<std::string> terms;
  core::HugeArray<Xapian::termcount> doclen;
  try {
    Xapian::Database db(path);
    out->revision_ = db.get_revision();
    out->doccount_ = db.get_doccount();
    const double avlen = db.get_avlength();
    out->len_factor_ = avlen != 0 ? 1 / avlen : 0;
    out->lastdocid_ = db.get_lastdocid();
    const Xapian::doccount threshold = std::max<Xapian::doccount>(
        opts.min_termfreq, static_cast<Xapian::doccount>(opts.min_depth) + 1);
    if (out->doccount_ < threshold) return std::shared_ptr<const ImpactHeads>(out);
    for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
      if (it.get_termfreq() >= threshold && Unprefixed(*it)) terms.push_back(*it);
    }
    if (terms.empty()) return std::shared_ptr<const ImpactHeads>(out);
    std::vector<std::pair<Xapian::doccount, std::string>> common;
    for (const std::string& t : terms) {
      const Xapian::doccount tf = db.get_termfreq(t);
      if (tf >= opts.dense_min_fraction * out->doccount_) common.emplace_back(tf, t);
    }
    std::sort(common.rbegin(), common.rend());
    common.resize(std::min<size_t>(common.size(), std::min<size_t>(opts.dense_max_terms, 63)));
    while (out->stride_ < common.size() + 1) out->stride_ *= 2;
    int column = 0;
    for (auto& [tf, t] : common) {
      Dense& d = out->dense_[t];  // the workers fill the rows' bytes and the step
      d.column = ++column;
    }
    doclen = core::HugeArray<Xapian::termcount>(static_cast<size_t>(db.get_lastdocid()) + 1);
    std::vector<Xapian::termcount> lengths;
    lengths.reserve(out->doccount_);
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      doclen[*it] = it.get_doclength();
      lengths.push_back(doclen[*it]);
    }
    std::sort(lengths.begin(), lengths.end());
    for (int b = 1; b < kBuckets; ++b) {
      out->bucket_limits_.push_back(lengths[lengths.size() * b / kBuckets]);
    }
    out->row_count_ = doclen.size();
    out->rows_ = core::HugeArray<uint8_t>(doclen.size() * out->stride_);
    for (size_t d = 0; d < doclen.size(); ++d) {
      out->rows_[d * out->stride_] = static_cast<uint8_t>(out->BucketOfLength(doclen[d]));
    }
  } catch (const Xapian::Error& e) {
    return Err(Status::Internal("cannot read the search index at " + path + " to build its " +
                                "top-weight lists: " + e.get_description()));
  } catch (const std::bad_alloc&) {
    return Err(Status::ResourceExhausted(
        "not enough memory for the top-weight lists of " + path +
        " (search still works, matching in full; free memory and restart serve)"));
  }

  const int threads = std::clamp(opts.threads, 1, 16);
  std::vector<std::vector<std::pair<std::string, Head>>> built(threads);
  std::vector<std::string> errors(threads);
  std::atomic<size_t> next{0};
  auto work = [&](int t) {
    try {
      Xapian::Database db(path);
      if (db.get_revision() != out->revision_) {
        errors[t] = "the index changed while its top-weight lists were built";
        return;
      }
      using Item = std::pair<float, Xapian::docid>;  // min-heap by weight
      std::vector<Item> heap;
      for (size_t i; (i = next.fetch_add(1)) < terms.size();) {
        if (cancelled()) return;
        const std::string& term = terms[i];
        const Xapian::doccount tf = db.get_termfreq(term);
        const double tw = TermWeight(out->doccount_, tf);
        const size_t depth = out->DepthFor(tf);
        heap.clear();
        float floor = -1;
        // dense_ was filled before the workers started: each one writes only its own terms'
        // steps and columns.
        Dense* dense = nullptr;
        if (auto d = out->dense_.find(term); d != out->dense_.end()) {
          dense = &d->second;
          dense->step = tw * (opts.k1 + 1) / 255;  // BM25 weights stay below tw * (k1 + 1)
        }
        Bounds left{};  // per length class, the highest weight left out of the head
        auto leave = [&](const Item& item) {
          float& m = left[out->BucketOf(item.second)];
          m = std::max(m, item.first);
        };
        for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
          const Xapian::docid did = *it;
          const float w =
              RoundUp(out->Weight(tw, it.get_wdf(), did < doclen.size() ? doclen[did] : 0));
          if (dense && did < doclen.size() && dense->step > 0) {
            out->rows_[did * out->stride_ + dense->column] = static_cast<uint8_t>(
                std::clamp(std::ceil(w / dense->step), 1.0, 255.0));
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
        Head h;
        std::sort(heap.begin(), heap.end(), [](const Item& a, const Item& b) {
          return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        // Bounds beyond each query-time prefix: scan the head from its end.
        std::vector<size_t> cuts;
        for (size_t level = 0;; ++level) {
          cuts.push_back(out->PrefixLength(level, heap.size()));
          if (cuts.back() >= heap.size()) break;
        }
        h.rests.resize(cuts.size());
        Bounds run = left;
        size_t c = cuts.size();
        for (size_t p = heap.size() + 1; p-- > 0;) {
          while (c > 0 && cuts[c - 1] == p) h.rests[--c] = run;
          if (p == 0) break;
          float& m = run[out->BucketOf(heap[p - 1].second)];
          m = std::max(m, heap[p - 1].first);
        }
        // Each prefix's new postings by docid: a query walks its tables in one direction.
        for (size_t l = 0, from = 0; l < cuts.size(); from = cuts[l++]) {
          std::sort(heap.begin() + from, heap.begin() + cuts[l],
                    [](const Item& a, const Item& b) { return a.second < b.second; });
        }
        h.docids.reserve(heap.size());
        h.weights.reserve(heap.size());
        for (const Item& it : heap) {
          h.docids.push_back(it.second);
          h.weights.push_back(it.first);
        }
        built[t].emplace_back(term, std::move(h));
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
  out->doclen_ = std::move(doclen);
  if (cancelled()) return Err(Status::Cancelled("top-weight list build cancelled"));
  for (const std::string& e : errors) {
    if (!e.empty()) {
      return Err(Status::Unavailable("cannot build the search index's top-weight lists from " +
                                     path + ": " + e + " (they are rebuilt on the next change)"));
    }
  }
  out->heads_.reserve(terms.size());
  for (auto& part : built) {
    for (auto& [term, h] : part) out->heads_.emplace(std::move(term), std::move(h));
  }
  out->seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::shared_ptr<const ImpactHeads>(out);
}


std::optional<std::vector<Xapian::docid>> ProveTopN(const ImpactHeads& heads,
                                                    const Xapian::Database& db,
                                                    const std::vector<WeightedTerm>& terms,
                                                    size_t n, ProveStats* stats) {
  ProveStats local;
  ProveStats& st = stats ? *stats : local;
  st = ProveStats{};
  auto fail = [&](const char* why) -> std::optional<std::vector<Xapian::docid>> {
    st.fallback = why;
    return std::nullopt;
  };
  if (n == 0 || terms.empty() || terms.size() > 64) return fail("query shape");
  if (heads.terms() == 0) return fail("no lists");
  if (db.get_revision() != heads.revision() || db.get_doccount() != heads.doccount()) {
    return fail("stale heads");
  }
  const ImpactHeadsOptions& o = heads.options();
  const size_t t_count = terms.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr int kB = ImpactHeads::kBuckets;
  auto slack = [](double x) { return 1e-9 * std::max(1.0, std::fabs(x)); };

  // Each term's documents by weight: its head, or every posting of a rarer optional term.
  std::vector<const ImpactHeads::Head*> hs(t_count, nullptr);
  std::vector<const ImpactHeads::Dense*> dense(t_count, nullptr);
  for (size_t i = 0; i < t_count; ++i) dense[i] = heads.FindDense(terms[i].term);
  std::vector<ImpactHeads::Head> owned(t_count);
  std::vector<double> termweight(t_count);
  std::vector<size_t> order;  // required terms first
  Xapian::doccount driver_tf = 0, rarest_required = 0;
  uint64_t required_mask = 0;
  std::vector<Xapian::doccount> tfs(t_count);
  try {
    for (size_t i = 0; i < t_count; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (terms[j].term == terms[i].term) return fail("repeated term");
      }
      if (!(terms[i].scale >= 0)) return fail("negative scale");
      if (terms[i].implies >= static_cast<int>(t_count) || terms[i].implies == static_cast<int>(i)) {
        return fail("query shape");
      }
      if (terms[i].required) required_mask |= uint64_t{1} << i;
      tfs[i] = db.get_termfreq(terms[i].term);
      termweight[i] = ImpactHeads::TermWeight(heads.doccount(), tfs[i]);
      driver_tf = std::max(driver_tf, tfs[i]);
      if (terms[i].required && (rarest_required == 0 || tfs[i] < rarest_required)) {
        rarest_required = tfs[i];
      }
      hs[i] = heads.Find(terms[i].term);
      if (!hs[i] && terms[i].required) return fail("a required term has no head");
    }
    if (rarest_required > 0) driver_tf = rarest_required;
    if (driver_tf < o.prune_min_termfreq) return fail("few postings: the full match is cheap");
    for (size_t i = 0; i < t_count; ++i) {
      if (hs[i]) continue;
      const Xapian::doccount tf = tfs[i];
      if (tf > std::max<Xapian::doccount>(o.min_termfreq, o.min_depth)) {
        return fail("term too common");
      }
      ImpactHeads::Head& h = owned[i];  // by docid, like every segment of a head
      h.docids.reserve(tf);
      h.weights.reserve(tf);
      for (auto it = db.postlist_begin(terms[i].term); it != db.postlist_end(terms[i].term);
           ++it) {
        h.docids.push_back(*it);
        h.weights.push_back(
            RoundUp(heads.Weight(termweight[i], it.get_wdf(), heads.DocLength(*it))));
      }
      h.rests.assign(1, ImpactHeads::Bounds{});  // complete: taken whole at every level
      hs[i] = &h;
    }
  } catch (const Xapian::Error&) {
    return fail("xapian error");
  }
  for (size_t i = 0; i < t_count; ++i) {
    if (terms[i].required) order.push_back(i);
  }
  for (size_t i = 0; i < t_count; ++i) {
    if (!terms[i].required) order.push_back(i);
  }

  // Documents met in the lists, accumulated across deepening levels; slot[did] indexes `acc`.
  struct Acc {
    Xapian::docid did;
    uint64_t mask;   // terms whose weight is known
    double known;    // sum of the known scaled weights
    double exact;    // weight computed from the postings (-inf: no match); NaN until then;
                     // without the dense terms missing from `scored_mask` (see dense_part)
    uint64_t scored_mask;  // `mask` when `exact` was computed
    bool out;        // bounded below theta: can never reach the top n
    uint8_t bucket;  // its length class
  };
  // Buffers are kept per thread between queries: allocating them anew costs page faults.
  // (Bound to references: a lambda run by the helper thread must see this thread's buffers.)
  static thread_local std::vector<Acc> acc_buffer;
  static thread_local std::vector<float> acc_w_buffer;
  static thread_local std::vector<uint8_t> acc_q_buffer;
  std::vector<Acc>& acc = acc_buffer;
  std::vector<float>& acc_w = acc_w_buffer;  // [idx * t_count + i]: term i's stored weight
  // [idx * t_count + i]: dense term i's byte weight (0: absent, or term i is not dense), read
  // from the document's row once, when it is met (rows are by docid: reading one is a miss).
  std::vector<uint8_t>& acc_q = acc_q_buffer;
  acc.clear();
  acc_w.clear();
  acc_q.clear();
  std::vector<size_t> dense_terms;
  uint64_t sparse_mask = 0;    // terms that are not dense
  uint64_t implying_mask = 0;  // terms implying another (an exact word: its stem)
  for (size_t i = 0; i < t_count; ++i) {
    if (dense[i]) {
      dense_terms.push_back(i);
    } else {
      sparse_mask |= uint64_t{1} << i;
    }
    if (terms[i].implies >= 0 && termweight[i] > 0) {
      implying_mask |= uint64_t{1} << i;
    }
  }
  static thread_local core::HugeArray<uint32_t> slot_buffer;
  core::HugeArray<uint32_t>& slot = slot_buffer;
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  if (slot.size() < static_cast<size_t>(heads.lastdocid()) + 1) {
    try {
      slot = core::HugeArray<uint32_t>(static_cast<size_t>(heads.lastdocid()) + 1, kNone);
    } catch (const std::bad_alloc&) {
      return fail("out of memory");
    }
  }
  struct ResetSlots {
    std::vector<Acc>& acc;
    core::HugeArray<uint32_t>& slot;
    ~ResetSlots() {
      for (const Acc& a : acc) slot[a.did] = kNone;
    }
  } reset{acc, slot};

  // Very common terms: every document's weight is known to within a step. Their weights in a
  // document (when not listed) and whether a required one is absent.
  struct DensePart {
    double lb = 0, ub = 0;
    uint64_t present = 0;  // listed terms and present dense terms
    bool absent_required = false;
  };
  auto dense_part = [&](uint32_t k) {
    const Acc& a = acc[k];
    // Once computed, `exact` holds the terms listed then; later lists add nothing new.
    const uint64_t mask = std::isnan(a.exact) ? a.mask : a.scored_mask;
    DensePart d;
    d.present = mask;
    const uint8_t* dq = &acc_q[static_cast<size_t>(k) * t_count];
    for (size_t i : dense_terms) {
      if (mask >> i & 1) continue;
      const uint8_t q = dq[i];
      if (q == 0) {
        d.absent_required |= terms[i].required;
        continue;
      }
      d.present |= uint64_t{1} << i;
      d.lb += terms[i].scale * (q - 1) * dense[i]->step;
      d.ub += terms[i].scale * q * dense[i]->step;
    }
    return d;
  };
  // Completes the weights of acc[idx...]: `exact` becomes the known weights plus those of the
  // unlisted terms that are not dense, from their postings (required terms first, so documents
  // without one are dropped early); dense_part bounds the rest.
  auto score_range = [&](const Xapian::Database& handle, const uint32_t* first,
                         const uint32_t* last) {
    for (size_t i : order) {
      if (dense[i]) continue;  // its byte weight bounds it within a step: no postings needed
      const bool required = terms[i].required;
      Xapian::PostingIterator it = handle.postlist_begin(terms[i].term);
      const Xapian::PostingIterator end = handle.postlist_end(terms[i].term);
      for (const uint32_t* k = first; k != last; ++k) {
        Acc& a = acc[*k];
        if (a.exact == -kInf || (a.mask >> i & 1)) continue;
        if (it != end) it.skip_to(a.did);
        if (it != end && *it == a.did) {
          a.exact += terms[i].scale *
                     heads.Weight(termweight[i], it.get_wdf(), heads.DocLength(a.did));
        } else if (required) {
          a.exact = -kInf;
        }
      }
    }
  };
  auto score = [&](std::vector<uint32_t>& idx) {
    std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return acc[a].did < acc[b].did; });
    for (uint32_t k : idx) {
      acc[k].exact = acc[k].known;
      acc[k].scored_mask = acc[k].mask;
    }
    const uint32_t* begin = idx.data();
    const uint32_t* end = idx.data() + idx.size();
    if (o.query_threads > 1 && idx.size() >= 256) {
      // The upper half of the docids on a second handle of the same revision.
      const uint32_t* mid = begin + idx.size() / 2;
      std::exception_ptr error;
      std::thread helper([&] {
        try {
          Xapian::Database other(heads.path());
          if (other.get_revision() != heads.revision()) {
            throw Xapian::DatabaseModifiedError("index changed");
          }
          score_range(other, mid, end);
        } catch (...) {
          error = std::current_exception();
        }
      });
      score_range(db, begin, mid);
      helper.join();
      if (error) std::rethrow_exception(error);
    } else {
      score_range(db, begin, end);
    }
    st.scored += idx.size();
  };
  // Computed weights include list weights rounded up to floats (~1.2e-7 relative).
  auto approx = [](double x) { return 1e-6 * std::max(1.0, std::fabs(x)); };

  struct Candidate {
    double ub;  // upper bound of its weight
    double lb;  // lower bound, or -inf when it may not match
    uint32_t idx;
  };
  static thread_local std::vector<Candidate> cands_buffer;
  std::vector<Candidate>& cands = cands_buffer;
  std::vector<std::array<double, kB>> rest(t_count);
  std::vector<size_t> taken(t_count, 0);
  static thread_local std::vector<double> keys_buffer;
  static thread_local std::vector<uint32_t> batch_buffer;
  std::vector<double>& keys = keys_buffer;
  std::vector<uint32_t>& batch = batch_buffer;
  const size_t small_set = std::max<size_t>(64, 2 * n);
  // Xapian's full match costs about the postings of the term that drives it (the rarest
  // required one): spend a share of that on computing weights before giving up.
  const size_t max_scored = std::clamp<size_t>(
      driver_tf / std::max<size_t>(1, o.score_budget_divisor), std::max<size_t>(512, 4 * n), 16384);
  size_t batch_size = 256;
  try {
    double theta_before = -kInf;  // at the end of the previous level
    std::array<double, kB> rest_before;  // per length class, at the end of the previous level
    rest_before.fill(kInf);
    // Term i's bounds index and prefix length at a level (the last bounds: the whole head).
    auto prefix_at = [&](size_t i, size_t level) {
      const ImpactHeads::Head& h = *hs[i];
      const size_t r = std::min(level, h.rests.size() - 1);
      const size_t take = r + 1 == h.rests.size() ? h.docids.size()
                                                  : heads.PrefixLength(level, h.docids.size());
      return std::pair{r, take};
    };
    // Deepen the lists' prefixes until the bounds prove the top n (most queries need the first).
    for (size_t level = 0;; ++level) {
      bool deepest = true;
      uint64_t complete_required = 0;
      // Room for every document this level may add (trimmed after), zeroed.
      size_t incoming = 0;
      for (size_t i = 0; i < t_count; ++i) {
        const size_t take = prefix_at(i, level).second;
        incoming += take - std::min(take, taken[i]);
      }
      acc.reserve(acc.size() + incoming);
      acc_w.resize((acc.size() + incoming) * t_count, 0);
      acc_q.resize((acc.size() + incoming) * t_count, 0);
      for (size_t i = 0; i < t_count; ++i) {
        const ImpactHeads::Head& h = *hs[i];
        const auto [r, take] = prefix_at(i, level);
        deepest &= take == h.docids.size();
        bool complete = true;
        for (int b = 0; b < kB; ++b) {
          rest[i][b] = terms[i].scale * h.rests[r][b];
          complete &= rest[i][b] == 0;
        }
        if (complete && terms[i].required) complete_required |= uint64_t{1} << i;
        const uint64_t bit = uint64_t{1} << i;
        for (size_t k = taken[i]; k < take; ++k) {
          // The lists are in weight order, so slot lookups are random: fetch ahead.
          constexpr size_t kAhead = 16;
          if (k + kAhead < take && h.docids[k + kAhead] < slot.size()) {
            const Xapian::docid ahead = h.docids[k + kAhead];
            __builtin_prefetch(&slot[ahead]);
            __builtin_prefetch(heads.Row(ahead));
          }
          const Xapian::docid did = h.docids[k];
          if (did >= slot.size()) continue;  // cannot happen for this revision
          uint32_t& s = slot[did];
          if (s == kNone) {
            // Beyond the last prefixes a document weighs at most their bounds for its length
            // class: below theta, it can never reach the top n (theta only rises and the
            // bounds only fall, so it is left out again when met in another list).
            const uint8_t* row = heads.Row(did);
            if (theta_before > rest_before[row[0]]) continue;
            s = static_cast<uint32_t>(acc.size());
            acc.push_back({did, 0, 0, std::numeric_limits<double>::quiet_NaN(), 0, false, row[0]});
            uint8_t* q = &acc_q[static_cast<size_t>(s) * t_count];
            for (size_t j : dense_terms) q[j] = row[dense[j]->column];
          }
          acc_w[static_cast<size_t>(s) * t_count + i] = h.weights[k];
          acc[s].mask |= bit;
          acc[s].known += terms[i].scale * h.weights[k];
        }
        taken[i] = std::max(taken[i], take);
      }
      acc_w.resize(acc.size() * t_count);
      acc_q.resize(acc.size() * t_count);
      // A document in no list is bounded by its length class.
      double rest_all = 0;
      std::array<double, kB> rest_sum;
      for (int b = 0; b < kB; ++b) {
        double sum = 0;
        for (size_t i = 0; i < t_count; ++i) sum += rest[i][b];
        rest_sum[b] = sum + slack(sum);
        rest_all = std::max(rest_all, sum);
      }
      cands.clear();
      for (uint32_t k = 0; k < acc.size(); ++k) {
        const Acc& a = acc[k];
        if (a.exact == -kInf || a.out) continue;
        const DensePart d = dense_part(k);
        if (d.absent_required) continue;
        if (!std::isnan(a.exact)) {
          const double ub = a.exact + d.ub, lb = a.exact + d.lb;
          cands.push_back({ub + approx(ub), lb - approx(ub), k});
          continue;
        }
        uint64_t present = d.present;
        const double dense_lb = d.lb, dense_ub = d.ub;
        // Terms implied by listed terms are present, weighing at least the implied share.
        double implied_lb = 0;
        const float* w = &acc_w[static_cast<size_t>(k) * t_count];
        for (uint64_t bits = a.mask & implying_mask; bits != 0; bits &= bits - 1) {
          const size_t i = static_cast<size_t>(__builtin_ctzll(bits));
          const int s = terms[i].implies;
          if (a.mask >> s & 1) continue;
          if (!(present >> s & 1)) {
            present |= uint64_t{1} << s;
            implied_lb += terms[s].scale * termweight[s] * (w[i] / termweight[i]);
          }
        }
        // A complete list names every document with its term: others cannot match.
        if ((complete_required & ~present) != 0) continue;
        const int b = a.bucket;
        double unknown = dense_ub;
        // Unlisted terms that are not dense (those are counted in dense_ub, or absent).
        for (uint64_t bits = ~a.mask & sparse_mask; bits != 0; bits &= bits - 1) {
          const size_t i = static_cast<size_t>(__builtin_ctzll(bits));
          double r = rest[i][b];
          const int s = terms[i].implies;
          // Its occurrences are occurrences of term s: same document, no more often.
          if (s >= 0 && (a.mask >> s & 1) && termweight[s] > 0) {
            r = std::min(r, terms[i].scale * termweight[i] * (w[s] / termweight[s]));
          }
          unknown += r;
        }
        const double ub = a.known + unknown;
        // Stored weights are rounded up to floats: at most ~1.2e-7 above the true ones.
        const double lb = (required_mask & ~present) == 0
                              ? (a.known + implied_lb + dense_lb) * (1 - 1e-6) - 1e-9
                              : -kInf;
        cands.push_back({ub + slack(ub), lb, k});
      }
      st.candidates = cands.size();
      // theta: a lower bound of the n-th best weight, from the n best lower bounds (a min-heap).
      keys.clear();
      for (const Candidate& c : cands) {
        if (c.lb > -kInf) keys.push_back(c.lb);
      }
      if (keys.size() > n) {
        std::nth_element(keys.begin(), keys.begin() + (n - 1), keys.end(), std::greater<>());
        keys.resize(n);
      }
      std::make_heap(keys.begin(), keys.end(), std::greater<>());
      auto theta = [&] { return keys.size() >= n ? keys.front() : -kInf; };
      // Only candidates above both theta and the unlisted bound can matter: best bound first.
      const double cut = std::max(theta(), rest_all);
      for (const Candidate& c : cands) {
        if (c.ub < theta()) acc[c.idx].out = true;
      }
      auto keep_end = std::partition(cands.begin(), cands.end(),
                                     [&](const Candidate& c) { return c.ub >= cut; });
      cands.erase(keep_end, cands.end());
      std::sort(cands.begin(), cands.end(),
                [](const Candidate& a, const Candidate& b) { return a.ub > b.ub; });
      size_t next = 0;
      size_t scored_here = 0;
      for (;;) {
        const double th = theta();
        const bool beats_rest = th > rest_all + slack(rest_all);
        size_t reach = 0;  // candidates that may still be in the top n
        size_t unsettled = 0;  // ... whose weight is not computed yet
        for (const Candidate& c : cands) {
          reach += c.ub >= th;
          unsettled += c.ub >= th && std::isnan(acc[c.idx].exact);
        }
        if (beats_rest && reach <= small_set) {
          std::vector<Xapian::docid> set;
          for (const Candidate& c : cands) {
            if (c.ub >= th) set.push_back(acc[c.idx].did);
          }
          std::sort(set.begin(), set.end());
          st.set = set.size();
          return set;
        }
        // With the deepest lists, all but small_set of the unsettled candidates above theta
        // get computed unless theta rises past them: when that would overrun the budget, stop
        // now rather than after spending it.
        if (deepest && th > -kInf && unsettled > small_set &&
            st.scored + (unsettled - small_set) > max_scored) {
          return fail("too many candidates");
        }
        // Deeper lists tighten bounds cheaply; computing weights settles candidates one by one.
        if (!deepest && scored_here >= 512) break;
        const double floor = std::max(th, rest_all);
        batch.clear();
        std::vector<size_t> where;
        for (; next < cands.size() && batch.size() < batch_size; ++next) {
          if (cands[next].ub < floor) {
            next = cands.size();
            break;
          }
          if (std::isnan(acc[cands[next].idx].exact)) {
            batch.push_back(cands[next].idx);
            where.push_back(next);
          }
        }
        if (batch.empty()) break;
        if (st.scored + batch.size() > max_scored) return fail("too many candidates");
        score(batch);
        scored_here += batch.size();
        batch_size = std::min<size_t>(batch_size * 2, 4096);
        for (size_t w : where) {
          Candidate& c = cands[w];
          const double e = acc[c.idx].exact;
          if (e == -kInf) {
            c.ub = c.lb = -kInf;
            continue;
          }
          const DensePart d = dense_part(c.idx);
          const double ub = e + d.ub, lb = e + d.lb - approx(e + d.ub);
          // A lower bound already counted stays (a weaker one: still a lower bound).
          if (c.lb == -kInf) {
            keys.push_back(lb);
            std::push_heap(keys.begin(), keys.end(), std::greater<>());
            if (keys.size() > n) {
              std::pop_heap(keys.begin(), keys.end(), std::greater<>());
              keys.pop_back();
            }
          }
          c.ub = ub + approx(ub);
          c.lb = std::max(c.lb, lb);
        }
      }
      if (deepest) break;
      theta_before = theta();
      rest_before = rest_sum;
    }
  } catch (const Xapian::Error&) {
    return fail("xapian error");
  } catch (const std::exception&) {  // e.g. no thread could be started: match in full
    return fail("internal error");
  }
  return fail("unlisted documents may reach the top n");
}

Xapian::Query DocidSetQuery(std::vector<Xapian::docid> docids) {
  auto ids = std::make_shared<const std::vector<Xapian::docid>>(std::move(docids));
  auto* source = new DocidSetSource(std::move(ids));
  return Xapian::Query(source->release());
}

}  // namespace coolpapers::search
