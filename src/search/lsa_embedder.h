#pragma once
// LsaEmbedder: the default embedder, trained on the indexed corpus itself (no downloads).
// Latent semantic analysis: a TF-IDF document-term matrix reduced by a randomized truncated
// SVD (Halko, Martinsson, Tropp 2011) to `dims` dimensions; text is embedded by folding its
// TF-IDF vector into the latent space. The model is saved with the index.
//
// Training cost: large corpora train on an even sample of `max_train_docs` documents,
// tokenized once on two threads; the randomized SVD's sparse products run on two threads and
// its orthonormalizations are Cholesky QR (twice, in double precision), so training stays a
// few seconds at any corpus size.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <Eigen/Dense>

#include "search/embedder.h"

namespace coolpapers::search {

struct LsaOptions {
  int dims = 256;
  int max_vocabulary = 60000;  // most frequent stems kept (df >= 2 and df <= half the corpus)
  int power_iterations = 3;
  size_t max_train_docs = 20000;  // larger corpora train on an even sample of this many
  int oversampling = 20;
  uint64_t seed = 42;
  // Latent coordinates are scaled by singular value^(1 - sigma_exponent) before normalizing:
  // 0 keeps U*Sigma (classic LSA), 1 whitens.
  double sigma_exponent = 0.0;
};

class LsaEmbedder : public Embedder {
 public:
  // Trains on `docs` (each a title + abstract). Fails when the corpus is too small to have a
  // vocabulary (fewer than 2 documents sharing words).
  static Result<std::unique_ptr<LsaEmbedder>> Train(const std::vector<std::string>& docs,
                                                    const LsaOptions& opts = {});
  // Reads a model written by Save.
  static Result<std::unique_ptr<LsaEmbedder>> Load(const std::string& path);
  Status Save(const std::string& path) const;

  std::string id() const override { return "lsa-" + std::to_string(dim()); }
  int dim() const override { return static_cast<int>(projection_.cols()); }
  Result<std::vector<float>> Embed(std::string_view text) override;
  // The vector of a text already split into stems (Tokenizer::Stems, in text order): the same
  // floats as Embed of that text, without tokenizing it again. Thread-safe.
  std::vector<float> EmbedStems(const std::vector<std::string>& stems) const;

 private:
  LsaEmbedder() = default;
  // Sparse TF-IDF of a text split into stems over the vocabulary: (column, weight) pairs,
  // L2-normalized.
  std::vector<std::pair<int, float>> StemWeights(const std::vector<std::string>& stems) const;

  std::unordered_map<std::string, int> vocab_;  // stem -> column
  std::vector<float> idf_;                      // per column
  // vocabulary x dims (V * Sigma^-exponent), row-major: embedding a text adds up the rows of
  // its words.
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> projection_;
};

}  // namespace coolpapers::search
