#include "search/word_vectors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <thread>

#include "search/file_util.h"
#include "search/tokenizer.h"

namespace coolpapers::search {
namespace {

constexpr char kMagic[8] = {'C', 'P', 'W', 'V', 'S', '0', '0', '1'};

// Runs fn(from, to) over [0, n) split in two halves on two threads.
template <typename Fn>
void TwoThreads(size_t n, const Fn& fn) {
  std::thread other([&] { fn(size_t{0}, n / 2); });
  fn(n / 2, n);
  other.join();
}

// One block of rows of a sparse matrix under construction.
struct RowBlock {
  std::vector<int64_t> row_nnz;
  std::vector<int> cols;
  std::vector<float> vals;
};

SparseRowMatrix Assemble(int rows, int cols, std::vector<RowBlock>& blocks) {
  SparseRowMatrix m(rows, cols);
  Eigen::VectorXi per_row(rows);
  int r = 0;
  for (const RowBlock& b : blocks) {
    for (int64_t n : b.row_nnz) per_row(r++) = static_cast<int>(n);
  }
  m.reserve(per_row);
  r = 0;
  for (RowBlock& b : blocks) {
    size_t at = 0;
    for (int64_t n : b.row_nnz) {
      for (int64_t i = 0; i < n; ++i, ++at) m.insert(r, b.cols[at]) = b.vals[at];
      ++r;
    }
    b = RowBlock{};
  }
  m.makeCompressed();
  return m;
}

}  // namespace

SparseRowMatrix CountCooccurrences(const std::vector<std::vector<int>>& docs, int vocab,
                                   int window, int contexts, float min_count) {
  if (contexts <= 0 || contexts > vocab) contexts = vocab;
  // Every position of every word, grouped by word (counting sort).
  std::vector<int> tokens, doc_of;
  std::vector<int64_t> doc_start{0};
  for (size_t d = 0; d < docs.size(); ++d) {
    tokens.insert(tokens.end(), docs[d].begin(), docs[d].end());
    doc_of.insert(doc_of.end(), docs[d].size(), static_cast<int>(d));
    doc_start.push_back(static_cast<int64_t>(tokens.size()));
  }
  std::vector<int64_t> occ_start(vocab + 1, 0);
  for (int t : tokens) ++occ_start[t + 1];
  std::partial_sum(occ_start.begin(), occ_start.end(), occ_start.begin());
  std::vector<int64_t> occ(tokens.size());
  {
    std::vector<int64_t> fill(occ_start.begin(), occ_start.end() - 1);
    for (size_t p = 0; p < tokens.size(); ++p) occ[fill[tokens[p]]++] = static_cast<int64_t>(p);
  }
  std::vector<RowBlock> blocks(2);
  auto run = [&](size_t from, size_t to) {
    RowBlock& out = blocks[from == 0 ? 0 : 1];
    std::vector<float> scratch(vocab, 0.0f);
    std::vector<int> touched;
    for (size_t w = from; w < to; ++w) {
      for (int64_t i = occ_start[w]; i < occ_start[w + 1]; ++i) {
        const int64_t p = occ[i];
        const int d = doc_of[p];
        const int64_t lo = window > 0 ? std::max(doc_start[d], p - window) : doc_start[d];
        const int64_t hi = window > 0 ? std::min(doc_start[d + 1], p + window + 1)
                                      : doc_start[d + 1];
        for (int64_t q = lo; q < hi; ++q) {
          if (q == p) continue;
          const int c = tokens[q];
          if (c >= contexts) continue;
          if (scratch[c] == 0.0f) touched.push_back(c);
          const float dist = static_cast<float>(q > p ? q - p : p - q);
          scratch[c] += window > 0 ? (window - dist + 1) / window : 1.0f;
        }
      }
      std::sort(touched.begin(), touched.end());
      int64_t kept = 0;
      for (int c : touched) {
        if (scratch[c] >= min_count) {
          out.cols.push_back(c);
          out.vals.push_back(scratch[c]);
          ++kept;
        }
        scratch[c] = 0.0f;
      }
      out.row_nnz.push_back(kept);
      touched.clear();
    }
  };
  if (vocab >= 2) {
    TwoThreads(static_cast<size_t>(vocab), run);
  } else {
    run(0, static_cast<size_t>(vocab));
  }
  return Assemble(vocab, contexts, blocks);
}

SparseRowMatrix Ppmi(const SparseRowMatrix& counts, double alpha) {
  std::vector<double> row_sum(counts.rows(), 0.0), col_sum(counts.cols(), 0.0);
  for (int r = 0; r < counts.outerSize(); ++r) {
    for (SparseRowMatrix::InnerIterator it(counts, r); it; ++it) {
      row_sum[r] += it.value();
      col_sum[it.col()] += it.value();
    }
  }
  std::vector<double> col_smoothed(counts.cols());
  double total_smoothed = 0;
  for (size_t c = 0; c < col_sum.size(); ++c) {
    col_smoothed[c] = std::pow(col_sum[c], alpha);
    total_smoothed += col_smoothed[c];
  }
  SparseRowMatrix out = counts;
  for (int r = 0; r < out.outerSize(); ++r) {
    for (SparseRowMatrix::InnerIterator it(out, r); it; ++it) {
      const double denom = row_sum[r] * col_smoothed[it.col()];
      const double pmi = denom > 0 ? std::log(it.value() * total_smoothed / denom) : 0.0;
      it.valueRef() = static_cast<float>(std::max(0.0, pmi));
    }
  }
  out.prune(0.0f);
  return out;
}

Result<std::unique_ptr<SifEmbedder>> SifEmbedder::Train(const std::vector<std::string>& docs,
                                                        const WordVectorOptions& opts) {
  const std::vector<std::vector<std::string>> stems = SampleStems(docs, opts.max_train_docs);
  std::unordered_map<std::string, int64_t> count;
  int64_t total = 0;
  for (const auto& doc : stems) {
    for (const std::string& s : doc) ++count[s];
    total += static_cast<int64_t>(doc.size());
  }
  std::vector<std::pair<int64_t, std::string>> ranked;
  for (const auto& [stem, n] : count) {
    if (n >= opts.min_count) ranked.emplace_back(n, stem);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (static_cast<int>(ranked.size()) > opts.max_vocabulary) ranked.resize(opts.max_vocabulary);
  if (ranked.size() < 2) {
    return Err(Status::FailedPrecondition(
        "the corpus (" + std::to_string(docs.size()) +
        " documents) is too small to train word vectors; index more papers"));
  }
  std::unique_ptr<SifEmbedder> m(new SifEmbedder());
  const int vocab = static_cast<int>(ranked.size());
  for (const auto& [n, stem] : ranked) {
    m->vocab_.emplace(stem, static_cast<int>(m->terms_.size()));
    m->terms_.push_back(stem);
    m->weight_.push_back(SifWeight(opts.sif_a, static_cast<double>(n) / total));
  }
  std::vector<std::vector<int>> ids(stems.size());
  for (size_t d = 0; d < stems.size(); ++d) {
    for (const std::string& s : stems[d]) {
      auto it = m->vocab_.find(s);
      if (it != m->vocab_.end()) ids[d].push_back(it->second);
    }
  }
  const SparseRowMatrix ppmi = Ppmi(
      CountCooccurrences(ids, vocab, opts.window, opts.max_contexts, opts.min_cooccurrence),
      opts.context_alpha);
  RandomizedSvdOptions svd_opts = opts.svd;
  svd_opts.rank = opts.dims;
  const TruncatedSvd svd = RandomizedSvd(ppmi, svd_opts);
  m->vectors_ = svd.u;
  for (int j = 0; j < svd.sigma.size(); ++j) {
    m->vectors_.col(j) *= static_cast<float>(std::pow(svd.sigma(j), opts.eigen_exponent));
  }
  if (opts.normalize_words) m->vectors_.rowwise().normalize();
  m->ComputeNorms();
  if (opts.remove_first_component) m->component_ = m->FirstComponent(stems);
  m->set_expansion(opts.expand_neighbours, opts.expand_weight);
  return m;
}

Eigen::VectorXf SifEmbedder::FirstComponent(
    const std::vector<std::vector<std::string>>& docs) const {
  // The top eigenvector of the (uncentered) Gram matrix of the texts' vectors, i.e. their
  // first right singular vector; each thread sums the Gram matrix of half of the texts.
  std::vector<Eigen::MatrixXf> gram(2, Eigen::MatrixXf::Zero(dim(), dim()));
  TwoThreads(docs.size(), [&](size_t from, size_t to) {
    Eigen::MatrixXf& g = gram[from == 0 ? 0 : 1];
    for (size_t d = from; d < to; ++d) {
      const std::vector<float> v = EmbedStems(docs[d], false);
      g.selfadjointView<Eigen::Lower>().rankUpdate(
          Eigen::Map<const Eigen::VectorXf>(v.data(), dim()));
    }
  });
  const Eigen::MatrixXf sum = gram[0] + gram[1];
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> eig(sum.selfadjointView<Eigen::Lower>());
  Eigen::VectorXf first = eig.eigenvectors().col(dim() - 1);
  // A fixed sign, so that equal inputs give identical models.
  if (first.sum() < 0) first = -first;
  return first;
}

void SifEmbedder::ComputeNorms() { norms_ = vectors_.rowwise().norm(); }

std::vector<std::pair<int, float>> SifEmbedder::NeighbourIds(int row, int k) const {
  std::vector<std::pair<int, float>> out;
  if (norms_(row) <= 0 || k <= 0) return out;
  const Eigen::VectorXf sims = vectors_ * vectors_.row(row).transpose();
  std::vector<std::pair<float, int>> all;
  all.reserve(sims.size());
  for (int i = 0; i < sims.size(); ++i) {
    if (i == row || norms_(i) <= 0) continue;
    all.emplace_back(sims(i) / (norms_(i) * norms_(row)), i);
  }
  const size_t take = std::min<size_t>(static_cast<size_t>(k), all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(take), all.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  for (size_t i = 0; i < take; ++i) out.emplace_back(all[i].second, all[i].first);
  return out;
}

std::vector<std::pair<std::string, float>> SifEmbedder::Neighbours(const std::string& stem,
                                                                   int k) const {
  std::vector<std::pair<std::string, float>> out;
  auto it = vocab_.find(stem);
  if (it == vocab_.end()) return out;
  for (const auto& [row, sim] : NeighbourIds(it->second, k)) out.emplace_back(terms_[row], sim);
  return out;
}

std::vector<float> SifEmbedder::EmbedStems(const std::vector<std::string>& stems,
                                           bool expand) const {
  std::vector<float> out(dim(), 0.0f);
  Eigen::Map<Eigen::VectorXf> y(out.data(), dim());
  // (row, weight) of every known word, sorted so that the sum has a fixed order.
  std::vector<std::pair<int, float>> rows;
  rows.reserve(stems.size());
  for (const std::string& s : stems) {
    auto it = vocab_.find(s);
    if (it != vocab_.end()) rows.emplace_back(it->second, weight_[it->second]);
  }
  std::sort(rows.begin(), rows.end());
  if (expand && expand_neighbours_ > 0) {
    std::vector<std::pair<int, float>> extra;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i > 0 && rows[i].first == rows[i - 1].first) continue;
      for (const auto& [n, sim] : NeighbourIds(rows[i].first, expand_neighbours_)) {
        extra.emplace_back(n, static_cast<float>(expand_weight_) * std::max(0.0f, sim) *
                                  rows[i].second);
      }
    }
    rows.insert(rows.end(), extra.begin(), extra.end());
    std::sort(rows.begin(), rows.end());
  }
  for (const auto& [row, w] : rows) y += w * vectors_.row(row).transpose();
  if (!stems.empty()) y /= static_cast<float>(stems.size());
  if (component_.size() == dim()) y -= component_.dot(y) * component_;
  return out;
}

Result<std::vector<float>> SifEmbedder::Embed(std::string_view text) {
  Tokenizer tok;
  return EmbedStems(tok.Stems(text), true);
}

Status SifEmbedder::Save(const std::string& path) const {
  std::string data(kMagic, sizeof kMagic);
  auto put32 = [&](uint32_t x) { data.append(reinterpret_cast<const char*>(&x), 4); };
  auto put_floats = [&](const float* f, size_t n) {
    data.append(reinterpret_cast<const char*>(f), n * sizeof(float));
  };
  put32(static_cast<uint32_t>(terms_.size()));
  put32(static_cast<uint32_t>(dim()));
  put32(component_.size() == dim() ? 1u : 0u);
  put32(static_cast<uint32_t>(std::max(0, expand_neighbours_)));
  const float expand_weight = static_cast<float>(expand_weight_);
  put_floats(&expand_weight, 1);
  for (size_t r = 0; r < terms_.size(); ++r) {
    put32(static_cast<uint32_t>(terms_[r].size()));
    data += terms_[r];
    put_floats(&weight_[r], 1);
  }
  put_floats(vectors_.data(), static_cast<size_t>(vectors_.size()));
  if (component_.size() == dim()) put_floats(component_.data(), component_.size());
  return WriteFileAtomically(path, data);
}

Result<std::unique_ptr<SifEmbedder>> SifEmbedder::Load(const std::string& path) {
  auto data = ReadFile(path);
  if (!data) return Err(data.error());
  const std::string& d = *data;
  size_t pos = sizeof kMagic;
  auto corrupt = [&] {
    return Err(Status::Corruption("word vector model " + path + " is damaged; rebuild the index "
                                  "with `coolpapers index --rebuild`"));
  };
  auto get = [&](void* out, size_t n) {
    if (pos + n > d.size()) return false;
    std::memcpy(out, d.data() + pos, n);
    pos += n;
    return true;
  };
  if (d.size() < sizeof kMagic || std::memcmp(d.data(), kMagic, sizeof kMagic) != 0) {
    return corrupt();
  }
  uint32_t vocab = 0, dims = 0, has_component = 0, expand = 0;
  float expand_weight = 0;
  if (!get(&vocab, 4) || !get(&dims, 4) || !get(&has_component, 4) || !get(&expand, 4) ||
      !get(&expand_weight, 4) || dims == 0 || dims > 4096 || has_component > 1) {
    return corrupt();
  }
  std::unique_ptr<SifEmbedder> m(new SifEmbedder());
  m->weight_.resize(vocab);
  for (uint32_t r = 0; r < vocab; ++r) {
    uint32_t len = 0;
    if (!get(&len, 4) || pos + len > d.size()) return corrupt();
    m->terms_.push_back(d.substr(pos, len));
    m->vocab_.emplace(m->terms_.back(), static_cast<int>(r));
    pos += len;
    if (!get(&m->weight_[r], sizeof(float))) return corrupt();
  }
  const size_t floats = static_cast<size_t>(vocab) * dims + (has_component ? dims : 0);
  if (pos + floats * sizeof(float) != d.size()) return corrupt();
  m->vectors_.resize(vocab, dims);
  get(m->vectors_.data(), static_cast<size_t>(vocab) * dims * sizeof(float));
  if (has_component) {
    m->component_.resize(dims);
    get(m->component_.data(), dims * sizeof(float));
  }
  m->ComputeNorms();
  m->set_expansion(static_cast<int>(expand), expand_weight);
  return m;
}

}  // namespace coolpapers::search
