#include "search/randomized_svd.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include <Eigen/QR>

namespace coolpapers::search {
namespace {

Eigen::MatrixXf HouseholderOrthonormalize(const Eigen::MatrixXf& m) {
  Eigen::HouseholderQR<Eigen::MatrixXf> qr(m);
  return qr.householderQ() * Eigen::MatrixXf::Identity(m.rows(), m.cols());
}

}  // namespace

Eigen::MatrixXf Orthonormalize(const Eigen::MatrixXf& m, int passes) {
  Eigen::MatrixXf q = m;
  for (int pass = 0; pass < passes; ++pass) {
    Eigen::MatrixXd gram = (q.transpose() * q).cast<double>();
    Eigen::LLT<Eigen::MatrixXd> llt(gram);
    if (llt.info() != Eigen::Success) return HouseholderOrthonormalize(m);
    Eigen::MatrixXf upper = llt.matrixU().toDenseMatrix().cast<float>();
    if (!upper.diagonal().allFinite() || upper.diagonal().minCoeff() <= 1e-12f) {
      return HouseholderOrthonormalize(m);
    }
    q = upper.transpose().triangularView<Eigen::Lower>().solve(q.transpose()).transpose();
  }
  return q;
}

namespace {

// a * b, computed on column panels of b of 32 columns, each copied to row-major order: the
// sparse product then reads 32 contiguous floats of b per non-zero from a panel small enough to
// stay in cache (the whole of b would be re-read from memory for every row). The panels are
// shared between two threads.
Eigen::MatrixXf Multiply(const SparseRowMatrix& a, const Eigen::MatrixXf& b) {
  using RowDense = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  constexpr Eigen::Index kPanel = 32;
  Eigen::MatrixXf out(a.rows(), b.cols());
  const Eigen::Index panels = (b.cols() + kPanel - 1) / kPanel;
  auto run = [&](Eigen::Index first) {
    for (Eigen::Index p = first; p < panels; p += 2) {
      const Eigen::Index from = p * kPanel, width = std::min(kPanel, b.cols() - from);
      const RowDense panel = b.middleCols(from, width);
      const RowDense product = a * panel;
      out.middleCols(from, width) = product;
    }
  };
  std::thread other(run, 1);
  run(0);
  other.join();
  return out;
}

}  // namespace

TruncatedSvd RandomizedSvd(const SparseRowMatrix& a, const RandomizedSvdOptions& opts) {
  const int small = static_cast<int>(std::min(a.rows(), a.cols()));
  const int k = std::max(0, std::min(opts.rank, small));
  const int l = std::min(k + std::max(0, opts.oversampling), small);
  TruncatedSvd out;
  if (k == 0) return out;
  const SparseRowMatrix at = a.transpose();
  std::mt19937_64 rng(opts.seed);
  std::normal_distribution<float> gauss;
  Eigen::MatrixXf omega(a.cols(), l);
  for (int j = 0; j < l; ++j) {
    for (Eigen::Index i = 0; i < a.cols(); ++i) omega(i, j) = gauss(rng);
  }
  Eigen::MatrixXf q = Orthonormalize(Multiply(a, omega), 1);
  for (int it = 0; it < opts.power_iterations; ++it) {
    Eigen::MatrixXf z = Orthonormalize(Multiply(at, q), 1);
    q = Orthonormalize(Multiply(a, z), it + 1 == opts.power_iterations ? 2 : 1);
  }
  if (opts.power_iterations == 0) q = Orthonormalize(q);
  const Eigen::MatrixXf bt = Multiply(at, q);  // cols x l (B^T, B = Q^T A)
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> eig(bt.transpose() * bt);  // B B^T, ascending
  // The top k eigenvectors (largest first), mapped back with two matrix products.
  Eigen::MatrixXf top(l, k);
  out.sigma.resize(k);
  for (int j = 0; j < k; ++j) {
    top.col(j) = eig.eigenvectors().col(l - 1 - j);
    out.sigma(j) = std::sqrt(std::max(0.0f, eig.eigenvalues()(l - 1 - j)));
  }
  out.u = q * top;
  out.v = bt * top;
  for (int j = 0; j < k; ++j) {
    // v_j = B^T u'_j / sigma_j (zero for a null direction).
    if (out.sigma(j) <= 1e-9f) {
      out.v.col(j).setZero();
    } else {
      out.v.col(j) /= out.sigma(j);
    }
  }
  return out;
}

}  // namespace coolpapers::search
