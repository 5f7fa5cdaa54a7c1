#include "search/lsa_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include <Eigen/SparseCore>

#include "search/file_util.h"
#include "search/randomized_svd.h"
#include "search/term_stats.h"
#include "search/tokenizer.h"

namespace coolpapers::search {
namespace {

using SparseRows = Eigen::SparseMatrix<float, Eigen::RowMajor>;

constexpr char kMagic[8] = {'C', 'P', 'L', 'S', 'A', '0', '0', '1'};

// a * b (a sparse, row-major) with the rows of a split between two threads. Both dense sides
// are row-major while multiplying: each entry a(i, k) then adds a multiple of the contiguous
// row k of b to row i of the result (one vectorized pass over a), where column-major sides
// would walk a once per column of b, gathering from b. Each entry of the result is the same
// sum, in the same order, as either way.
Eigen::MatrixXf Multiply(const SparseRows& a, const Eigen::MatrixXf& b) {
  using DenseRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const DenseRows rhs = b;
  DenseRows out = DenseRows::Zero(a.rows(), b.cols());
  auto run = [&](Eigen::Index from, Eigen::Index to) {
    for (Eigen::Index i = from; i < to; ++i) {
      auto row = out.row(i);
      for (SparseRows::InnerIterator it(a, i); it; ++it) row += it.value() * rhs.row(it.index());
    }
  };
  const Eigen::Index half = a.rows() / 2;
  std::thread other(run, 0, half);
  run(half, a.rows());
  other.join();
  return out;
}

// Builds the vocabulary: stems with 2 <= df <= N/2, most frequent first, at most `max`.
std::unordered_map<std::string, int> ChooseVocabulary(const TermStats& stats, int max) {
  std::vector<std::pair<int64_t, std::string>> terms;
  const int64_t cap = std::max<int64_t>(2, stats.doc_count() / 2);
  for (const auto& [stem, df] : stats.table()) {
    if (df >= 2 && df <= cap) terms.emplace_back(df, stem);
  }
  std::sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (static_cast<int>(terms.size()) > max) terms.resize(max);
  std::unordered_map<std::string, int> vocab;
  for (const auto& t : terms) vocab.emplace(t.second, static_cast<int>(vocab.size()));
  return vocab;
}

}  // namespace

std::vector<std::pair<int, float>> LsaEmbedder::StemWeights(
    const std::vector<std::string>& stems) const {
  std::unordered_map<int, float> tf;
  for (const std::string& stem : stems) {
    auto it = vocab_.find(stem);
    if (it != vocab_.end()) tf[it->second] += 1.0f;
  }
  std::vector<std::pair<int, float>> w;
  double norm = 0;
  for (const auto& [col, f] : tf) {
    float x = (1.0f + std::log(f)) * idf_[col];
    w.emplace_back(col, x);
    norm += static_cast<double>(x) * x;
  }
  if (norm > 0) {
    float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (auto& p : w) p.second *= inv;
  }
  std::sort(w.begin(), w.end());
  return w;
}

Result<std::unique_ptr<LsaEmbedder>> LsaEmbedder::Train(const std::vector<std::string>& docs,
                                                        const LsaOptions& opts) {
  std::unique_ptr<LsaEmbedder> m(new LsaEmbedder());
  const std::vector<std::vector<std::string>> stems = SampleStems(docs, opts.max_train_docs);
  TermStats stats;
  for (const auto& s : stems) stats.AddDocument(s);
  m->vocab_ = ChooseVocabulary(stats, opts.max_vocabulary);
  const int vocab_size = static_cast<int>(m->vocab_.size());
  const int rows = static_cast<int>(stems.size());
  if (vocab_size < 2 || rows < 2) {
    return Err(Status::FailedPrecondition(
        "the corpus (" + std::to_string(docs.size()) +
        " documents) is too small to train the LSA embedder; index more papers"));
  }
  m->idf_.assign(vocab_size, 0.0f);
  for (const auto& [stem, col] : m->vocab_) m->idf_[col] = static_cast<float>(stats.Idf(stem));

  // Document-term matrix, rows L2-normalized TF-IDF.
  std::vector<Eigen::Triplet<float>> triplets;
  for (int r = 0; r < rows; ++r) {
    for (const auto& [col, w] : m->StemWeights(stems[r])) triplets.emplace_back(r, col, w);
  }
  SparseRows a(rows, vocab_size);
  a.setFromTriplets(triplets.begin(), triplets.end());
  triplets.clear();
  triplets.shrink_to_fit();

  const SparseRows at = a.transpose();
  const int k = std::min<int>(opts.dims, std::min<int>(vocab_size, rows));
  const int l = std::min<int>(k + opts.oversampling, std::min<int>(vocab_size, rows));
  std::mt19937_64 rng(opts.seed);
  std::normal_distribution<float> gauss;
  Eigen::MatrixXf omega(vocab_size, l);
  for (int j = 0; j < l; ++j) {
    for (int i = 0; i < vocab_size; ++i) omega(i, j) = gauss(rng);
  }
  Eigen::MatrixXf q = Orthonormalize(Multiply(a, omega));
  for (int it = 0; it < opts.power_iterations; ++it) {
    Eigen::MatrixXf z = Orthonormalize(Multiply(at, q));
    q = Orthonormalize(Multiply(a, z));
  }
  Eigen::MatrixXf bt = Multiply(at, q);  // V x l  (B^T, B = Q^T A)
  Eigen::MatrixXf gram = bt.transpose() * bt;  // l x l = B B^T
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> eig(gram);
  // Eigenvalues ascending; take the top k.
  m->projection_.resize(vocab_size, k);
  for (int j = 0; j < k; ++j) {
    int src = l - 1 - j;
    float sigma = std::sqrt(std::max(0.0f, eig.eigenvalues()(src)));
    if (sigma <= 1e-9f) {
      m->projection_.col(j).setZero();
      continue;
    }
    // Right singular vector v_j = B^T u_j / sigma_j; latent coordinate of x is x.v_j, scaled
    // by sigma^-exponent.
    Eigen::VectorXf v = bt * eig.eigenvectors().col(src) / sigma;
    float scale = static_cast<float>(std::pow(sigma, -opts.sigma_exponent));
    m->projection_.col(j) = v * scale;
  }
  return m;
}

Result<std::vector<float>> LsaEmbedder::Embed(std::string_view text) {
  Tokenizer tok;
  return EmbedStems(tok.Stems(text));
}

std::vector<float> LsaEmbedder::EmbedStems(const std::vector<std::string>& stems) const {
  std::vector<float> out(dim(), 0.0f);
  Eigen::Map<Eigen::RowVectorXf> y(out.data(), dim());
  for (const auto& [col, w] : StemWeights(stems)) y += w * projection_.row(col);
  return out;
}

Status LsaEmbedder::Save(const std::string& path) const {
  std::string data(kMagic, sizeof kMagic);
  auto put32 = [&](uint32_t x) { data.append(reinterpret_cast<const char*>(&x), 4); };
  put32(static_cast<uint32_t>(vocab_.size()));
  put32(static_cast<uint32_t>(dim()));
  std::vector<std::string> terms(vocab_.size());
  for (const auto& [stem, col] : vocab_) terms[col] = stem;
  for (size_t c = 0; c < terms.size(); ++c) {
    put32(static_cast<uint32_t>(terms[c].size()));
    data += terms[c];
    data.append(reinterpret_cast<const char*>(&idf_[c]), sizeof(float));
  }
  data.append(reinterpret_cast<const char*>(projection_.data()),
              static_cast<size_t>(projection_.size()) * sizeof(float));
  return WriteFileAtomically(path, data);
}

Result<std::unique_ptr<LsaEmbedder>> LsaEmbedder::Load(const std::string& path) {
  auto data = ReadFile(path);
  if (!data) return Err(data.error());
  const std::string& d = *data;
  size_t pos = 0;
  auto corrupt = [&] {
    return Err(Status::Corruption("LSA model " + path + " is damaged; rebuild the index with "
                                  "`coolpapers index --rebuild`"));
  };
  auto get32 = [&](uint32_t& x) {
    if (pos + 4 > d.size()) return false;
    std::memcpy(&x, d.data() + pos, 4);
    pos += 4;
    return true;
  };
  if (d.size() < sizeof kMagic || std::memcmp(d.data(), kMagic, sizeof kMagic) != 0) {
    return corrupt();
  }
  pos = sizeof kMagic;
  uint32_t vocab_size = 0, dims = 0;
  if (!get32(vocab_size) || !get32(dims) || dims == 0 || dims > 4096) return corrupt();
  std::unique_ptr<LsaEmbedder> m(new LsaEmbedder());
  m->idf_.resize(vocab_size);
  for (uint32_t c = 0; c < vocab_size; ++c) {
    uint32_t len = 0;
    if (!get32(len) || pos + len + sizeof(float) > d.size()) return corrupt();
    m->vocab_.emplace(d.substr(pos, len), static_cast<int>(c));
    pos += len;
    std::memcpy(&m->idf_[c], d.data() + pos, sizeof(float));
    pos += sizeof(float);
  }
  const size_t floats = static_cast<size_t>(vocab_size) * dims;
  if (pos + floats * sizeof(float) != d.size()) return corrupt();
  m->projection_.resize(vocab_size, dims);
  std::memcpy(m->projection_.data(), d.data() + pos, floats * sizeof(float));
  return m;
}

}  // namespace coolpapers::search
