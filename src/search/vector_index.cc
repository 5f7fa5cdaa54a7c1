#include "search/vector_index.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

// hnswlib 0.6.2's SSE path prefetches the next neighbour's vector while measuring the current
// one (the graph's walks are random reads: the prefetches make a build about a third faster),
// reading `*(list + j + 1)`, one element past the end of a neighbour list: harmless, but an
// out-of-bounds read AddressSanitizer reports, so sanitized builds take the portable path.
// Either way the distance is our own (DotSpace).
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>
#include <immintrin.h>

#include <atomic>
#include <thread>

#include "search/embedder.h"

namespace coolpapers::search {
namespace {

// Inner-product distance (1 - dot) over unit vectors, the same values as hnswlib's
// InnerProductSpace (so saved indexes stay compatible), computed with Eigen's SIMD kernels.
float DotDistance(const void* a, const void* b, const void* param) {
  const auto dim = static_cast<Eigen::Index>(*static_cast<const size_t*>(param));
  Eigen::Map<const Eigen::VectorXf> x(static_cast<const float*>(a), dim);
  Eigen::Map<const Eigen::VectorXf> y(static_cast<const float*>(b), dim);
  return 1.0f - x.dot(y);
}

// The same distance with AVX2 fused multiply-adds in four accumulators (the sum is ordered
// differently, so it may differ from DotDistance in the last bits), for CPUs that have them.
__attribute__((target("avx2,fma"))) float DotDistanceAvx2(const void* a, const void* b,
                                                          const void* param) {
  const size_t dim = *static_cast<const size_t*>(param);
  const auto* x = static_cast<const float*>(a);
  const auto* y = static_cast<const float*>(b);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), s3);
  }
  const __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
  float dot = _mm_cvtss_f32(h);
  for (; i < dim; ++i) dot += x[i] * y[i];
  return 1.0f - dot;
}

bool HasAvx2Fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

class DotSpace : public hnswlib::SpaceInterface<float> {
 public:
  // `avx2`: use DotDistanceAvx2 (only where the CPU has AVX2 and FMA).
  DotSpace(size_t dim, bool avx2) : dim_(dim), dist_(avx2 ? &DotDistanceAvx2 : &DotDistance) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return dist_; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  size_t dim_;
  hnswlib::DISTFUNC<float> dist_;
};

}  // namespace

VectorIndex::VectorIndex(int dim, size_t capacity, const HnswOptions& opts)
    : dim_(dim), opts_(opts),
      space_(std::make_unique<DotSpace>(static_cast<size_t>(dim), opts.simd && HasAvx2Fma())) {
  hnsw_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(
      space_.get(), std::max<size_t>(capacity, 16), opts.m, opts.ef_construction);
  hnsw_->setEf(opts.ef_search);
}

VectorIndex::~VectorIndex() = default;

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path, int dim,
                                                       const HnswOptions& opts) {
  auto idx = std::make_unique<VectorIndex>(dim, 16, opts);
  try {
    idx->hnsw_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(idx->space_.get(), path);
    idx->hnsw_->setEf(opts.ef_search);
  } catch (const std::exception& e) {
    return Err(Status::Corruption("vector index " + path + " cannot be read (" + e.what() +
                                  "); rebuild with `coolpapers index --rebuild`"));
  }
  return idx;
}

Status VectorIndex::Save(const std::string& path) const {
  std::shared_lock lock(mu_);
  const std::string tmp = path + ".tmp";
  try {
    hnsw_->saveIndex(tmp);
  } catch (const std::exception& e) {
    return Status::Internal("writing vector index " + tmp + ": " + e.what());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Internal("renaming " + tmp + " to " + path + " failed");
  }
  return Status::Ok();
}

Status VectorIndex::Add(uint64_t label, std::vector<float> v) {
  if (static_cast<int>(v.size()) != dim_) {
    return Status::InvalidArgument("vector of " + std::to_string(v.size()) +
                                   " dimensions given to an index of " + std::to_string(dim_));
  }
  Normalize(v);
  std::unique_lock lock(mu_);
  try {
    if (hnsw_->cur_element_count >= hnsw_->max_elements_) {
      hnsw_->resizeIndex(hnsw_->max_elements_ * 2);
    }
    hnsw_->addPoint(v.data(), static_cast<hnswlib::labeltype>(label));
  } catch (const std::exception& e) {
    return Status::Internal("adding vector " + std::to_string(label) + ": " + e.what());
  }
  return Status::Ok();
}

Status VectorIndex::AddMany(const std::vector<uint64_t>& labels, std::vector<float> rows,
                            int threads) {
  const size_t n = labels.size();
  if (rows.size() != n * static_cast<size_t>(dim_)) {
    return Status::InvalidArgument(std::to_string(rows.size()) + " floats given for " +
                                   std::to_string(n) + " vectors of " + std::to_string(dim_) +
                                   " dimensions");
  }
  for (size_t i = 0; i < n; ++i) {
    Eigen::Map<Eigen::VectorXf> v(rows.data() + i * dim_, dim_);
    const float norm = v.norm();
    if (norm > 0) v /= norm;
  }
  std::unique_lock lock(mu_);
  try {
    if (hnsw_->cur_element_count + n > hnsw_->max_elements_) {
      hnsw_->resizeIndex(hnsw_->cur_element_count + n + 16);
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("growing the vector index: ") + e.what());
  }
  // hnswlib's addPoint is safe to call concurrently for distinct labels once room is reserved.
  std::atomic<size_t> next{0};
  std::mutex err_mu;
  Status error = Status::Ok();
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        hnsw_->addPoint(rows.data() + i * dim_, static_cast<hnswlib::labeltype>(labels[i]));
      } catch (const std::exception& e) {
        std::lock_guard g(err_mu);
        if (error.ok()) {
          error = Status::Internal("adding vector " + std::to_string(labels[i]) + ": " + e.what());
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
  return error;
}

namespace {

// hnswlib's searchKnn with a search breadth of the caller's (`ef`, at least k) instead of the
// index's: setEf would change it for every concurrent search. Greedy descent through the upper
// layers, then the base layer search keeping `ef` candidates; the best k, nearest first.
std::vector<std::pair<float, hnswlib::labeltype>> SearchGraph(
    const hnswlib::HierarchicalNSW<float>& g, const float* query, size_t k, size_t ef) {
  using hnswlib::tableint;
  tableint current = g.enterpoint_node_;
  float current_dist = g.fstdistfunc_(query, g.getDataByInternalId(current), g.dist_func_param_);
  for (int level = g.maxlevel_; level > 0; --level) {
    for (bool changed = true; changed;) {
      changed = false;
      unsigned int* links = g.get_linklist(current, level);
      const int n = g.getListCount(links);
      const auto* neighbours = reinterpret_cast<const tableint*>(links + 1);
      for (int i = 0; i < n; ++i) {
        const tableint candidate = neighbours[i];
        if (candidate >= g.max_elements_) continue;
        const float d =
            g.fstdistfunc_(query, g.getDataByInternalId(candidate), g.dist_func_param_);
        if (d < current_dist) {
          current_dist = d;
          current = candidate;
          changed = true;
        }
      }
    }
  }
  auto top = g.num_deleted_ ? g.searchBaseLayerST<true>(current, query, std::max(ef, k))
                            : g.searchBaseLayerST<false>(current, query, std::max(ef, k));
  while (top.size() > k) top.pop();
  std::vector<std::pair<float, hnswlib::labeltype>> out(top.size());
  for (size_t i = top.size(); i-- > 0;) {
    out[i] = {top.top().first, g.getExternalLabel(top.top().second)};
    top.pop();
  }
  return out;
}

}  // namespace

std::vector<VectorHit> VectorIndex::Search(std::vector<float> v, int k, int ef) const {
  std::vector<VectorHit> out;
  if (static_cast<int>(v.size()) != dim_ || k <= 0) return out;
  Normalize(v);
  std::shared_lock lock(mu_);
  if (hnsw_->cur_element_count == 0) return out;
  const int breadth = ef > 0 ? ef : opts_.ef_search;
  for (const auto& [dist, label] :
       SearchGraph(*hnsw_, v.data(), static_cast<size_t>(k), static_cast<size_t>(breadth))) {
    out.push_back(VectorHit{label, 1.0f - dist});
  }
  return out;
}

std::vector<float> VectorIndex::Get(uint64_t label) const {
  std::shared_lock lock(mu_);
  try {
    return hnsw_->getDataByLabel<float>(static_cast<hnswlib::labeltype>(label));
  } catch (const std::exception&) {
    return {};
  }
}

std::optional<float> VectorIndex::Cosine(uint64_t label, const std::vector<float>& unit) const {
  if (static_cast<int>(unit.size()) != dim_) return std::nullopt;
  std::shared_lock lock(mu_);
  // As hnswlib's getDataByLabel finds it (writers hold mu_ exclusively), without the copy.
  auto it = hnsw_->label_lookup_.find(static_cast<hnswlib::labeltype>(label));
  if (it == hnsw_->label_lookup_.end() || hnsw_->isMarkedDeleted(it->second)) {
    return std::nullopt;
  }
  // Stored vectors are unit length (Add normalizes them): the index's own distance (1 - dot,
  // the one Search scores with) gives the cosine, the same for a document in either list.
  return 1.0f - hnsw_->fstdistfunc_(unit.data(), hnsw_->getDataByInternalId(it->second),
                                    hnsw_->dist_func_param_);
}

size_t VectorIndex::size() const {
  std::shared_lock lock(mu_);
  return hnsw_->cur_element_count;
}

void ExactVectorIndex::Add(uint64_t label, std::vector<float> v) {
  v.resize(dim_, 0.0f);
  Normalize(v);
  labels_.push_back(label);
  data_.insert(data_.end(), v.begin(), v.end());
}

std::vector<VectorHit> ExactVectorIndex::Search(std::vector<float> v, int k) const {
  v.resize(dim_, 0.0f);
  Normalize(v);
  const auto n = static_cast<Eigen::Index>(labels_.size());
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      data_.data(), n, dim_);
  Eigen::Map<const Eigen::VectorXf> q(v.data(), dim_);
  Eigen::VectorXf scores = m * q;
  std::vector<VectorHit> all(labels_.size());
  for (Eigen::Index i = 0; i < n; ++i) all[i] = VectorHit{labels_[i], scores(i)};
  const size_t top = std::min<size_t>(std::max(k, 0), all.size());
  std::partial_sort(all.begin(), all.begin() + top, all.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score > b.score : a.label < b.label;
  });
  all.resize(top);
  return all;
}

}  // namespace coolpapers::search
