#pragma once
// Vector indexes for semantic search over unit-length vectors (inner product = cosine).
// VectorIndex is the ANN index (hnswlib HNSW graph); ExactVectorIndex is the brute-force
// oracle (Eigen) used in tests and to measure the ANN's recall.

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>

#include "core/status.h"

namespace hnswlib {
template <typename T> class HierarchicalNSW;
template <typename T> class SpaceInterface;
}  // namespace hnswlib

namespace coolpapers::search {

struct VectorHit {
  uint64_t label = 0;   // caller's id (the Xapian docid in SearchService)
  float score = 0;      // cosine similarity
};

struct HnswOptions {
  int m = 16;
  int ef_construction = 100;
  int ef_search = 96;  // at least k is used
  bool simd = true;    // AVX2 distances where the CPU has them (false: portable ones)
};

class VectorIndex {
 public:
  VectorIndex(int dim, size_t capacity, const HnswOptions& opts = {});
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // Reads an index written by Save.
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path, int dim,
                                                   const HnswOptions& opts = {});
  // Writes atomically (tmp + rename).
  Status Save(const std::string& path) const;

  // Adds (or replaces) the vector of `label`; `v` is normalized here. Grows as needed.
  Status Add(uint64_t label, std::vector<float> v);
  // Adds the vectors of new labels (rows of `rows`, dim() floats each, normalized here) on
  // `threads` threads at once; used by full builds.
  Status AddMany(const std::vector<uint64_t>& labels, std::vector<float> rows, int threads);
  // The k nearest labels to `v` (normalized here), best first. `ef` is the search breadth
  // (candidates kept while walking the graph; at least k): more finds the true neighbours more
  // often and costs more; 0 = HnswOptions::ef_search.
  std::vector<VectorHit> Search(std::vector<float> v, int k, int ef = 0) const;
  // The stored vector of `label` (empty when absent).
  std::vector<float> Get(uint64_t label) const;
  // The cosine between `label`'s vector and `unit` (a unit-length vector of dim()), read in
  // place; nullopt when `label` has no vector.
  std::optional<float> Cosine(uint64_t label, const std::vector<float>& unit) const;
  size_t size() const;
  int dim() const { return dim_; }

 private:
  int dim_;
  HnswOptions opts_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw_;
  mutable std::shared_mutex mu_;  // Add/resize exclusive, Search shared
};

class ExactVectorIndex {
 public:
  explicit ExactVectorIndex(int dim) : dim_(dim) {}
  void Add(uint64_t label, std::vector<float> v);
  std::vector<VectorHit> Search(std::vector<float> v, int k) const;
  size_t size() const { return labels_.size(); }

 private:
  int dim_;
  std::vector<uint64_t> labels_;
  std::vector<float> data_;  // row-major, size() x dim
};

}  // namespace coolpapers::search
