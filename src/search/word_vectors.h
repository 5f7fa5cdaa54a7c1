#pragma once
// Corpus-trained word vectors and the sentence embedder built on them (no downloads).
//
// Word vectors: a word-word co-occurrence matrix over the corpus's stems (a window of
// `window` stems either side, nearer words weighing more as in word2vec), turned into positive
// pointwise mutual information with context-distribution smoothing (alpha = 0.75), reduced by a
// randomized truncated SVD; a word's vector is U * Sigma^p with p = 0.5 (the settings Levy,
// Goldberg and Dagan 2015 recommend).
//
// SifEmbedder: a text's vector is the smooth-inverse-frequency weighted average of its words'
// vectors, weight a / (a + p(w)), with the corpus's first principal component removed (Arora,
// Liang and Ma 2017). The model (vocabulary, word probabilities, vectors, component) is saved
// with the index.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <Eigen/Dense>

#include "search/embedder.h"
#include "search/randomized_svd.h"

namespace coolpapers::search {

struct WordVectorOptions {
  int dims = 256;
  int max_vocabulary = 30000;  // most frequent stems kept, each seen at least min_count times
  int min_count = 3;
  int window = 5;              // stems either side; 0 = the whole document
  // Co-occurrence cells below this weighted count are dropped before PPMI (rare pairs give
  // noisy PMI estimates and most of the matrix's non-zeros, i.e. of the SVD's cost).
  float min_cooccurrence = 0.0f;
  int max_contexts = 0;        // only the most frequent words serve as contexts; 0 = all
  double context_alpha = 0.75;  // context-distribution smoothing of PPMI
  double eigen_exponent = 0.5;  // word vector = U * Sigma^eigen_exponent
  bool normalize_words = true;  // unit-length word vectors before averaging
  double sif_a = 1e-3;          // SIF weight a / (a + p(w))
  bool remove_first_component = true;
  size_t max_train_docs = 20000;  // larger corpora train on an even sample of this many
  // The rank is taken from dims; two power iterations give the same quality as three here.
  RandomizedSvdOptions svd{.rank = 256, .oversampling = 20, .power_iterations = 2, .seed = 42};
  // Query-side expansion: each query word adds its `expand_neighbours` nearest vocabulary
  // words, weighted expand_weight * cosine. 0 = off.
  int expand_neighbours = 0;
  double expand_weight = 0.5;
};

// Co-occurrence counts of `docs` (each a sequence of word ids below `vocab`): a word at
// distance d <= window from another adds (window - d + 1) / window to both cells; window 0
// counts every pair of positions in a document once with weight 1. Symmetric, CSR rows.
// Columns are the ids below `contexts` (0 = vocab); cells below `min_count` are dropped.
SparseRowMatrix CountCooccurrences(const std::vector<std::vector<int>>& docs, int vocab,
                                   int window, int contexts = 0, float min_count = 0.0f);

// Positive PMI of a co-occurrence matrix with context-distribution smoothing:
// max(0, log(#(w,c) * sum_c' #c'^alpha / (#w * #c^alpha))), #w and #c the row and column sums.
SparseRowMatrix Ppmi(const SparseRowMatrix& counts, double alpha);

// SIF weight of a word of probability p: a / (a + p).
inline float SifWeight(double a, double p) { return static_cast<float>(a / (a + p)); }

class SifEmbedder : public Embedder {
 public:
  // Word vectors, one row per vocabulary word (row-major: a text's words are rows read whole).
  using WordMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // Trains on `docs` (title + abstract each). Fails when the corpus has too few words.
  static Result<std::unique_ptr<SifEmbedder>> Train(const std::vector<std::string>& docs,
                                                    const WordVectorOptions& opts = {});
  // Reads a model written by Save.
  static Result<std::unique_ptr<SifEmbedder>> Load(const std::string& path);
  Status Save(const std::string& path) const;

  std::string id() const override { return "ppmi-sif-" + std::to_string(dim()); }
  int dim() const override { return static_cast<int>(vectors_.cols()); }
  Result<std::vector<float>> Embed(std::string_view text) override;
  // The same for text already split into stems; `expand` adds each word's neighbours.
  std::vector<float> EmbedStems(const std::vector<std::string>& stems, bool expand) const;

  // The `k` vocabulary words nearest to `stem` by cosine (not itself), best first.
  std::vector<std::pair<std::string, float>> Neighbours(const std::string& stem, int k) const;
  const WordMatrix& word_vectors() const { return vectors_; }
  // Row of `stem` in word_vectors(), -1 when not in the vocabulary.
  int RowOf(const std::string& stem) const {
    auto it = vocab_.find(stem);
    return it == vocab_.end() ? -1 : it->second;
  }
  float sif_weight(int row) const { return weight_[row]; }
  // The removed principal component (empty when none).
  const Eigen::VectorXf& component() const { return component_; }
  int vocabulary_size() const { return static_cast<int>(terms_.size()); }
  void set_expansion(int neighbours, double weight) {
    expand_neighbours_ = neighbours;
    expand_weight_ = weight;
  }

 private:
  SifEmbedder() = default;
  void ComputeNorms();
  // The first principal component (uncentered) of the vectors of `docs`, before removal.
  Eigen::VectorXf FirstComponent(const std::vector<std::vector<std::string>>& docs) const;
  std::vector<std::pair<int, float>> NeighbourIds(int row, int k) const;

  std::unordered_map<std::string, int> vocab_;  // stem -> row
  std::vector<std::string> terms_;              // row -> stem
  std::vector<float> weight_;                   // SIF weight per row
  WordMatrix vectors_;                          // vocabulary x dims
  Eigen::VectorXf component_;                   // removed from every text vector (may be empty)
  Eigen::VectorXf norms_;                       // length of each word vector
  int expand_neighbours_ = 0;
  double expand_weight_ = 0.5;
};

}  // namespace coolpapers::search
