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

// An orthonormal basis of the columns of the tall matrix `m`: Cholesky QR `passes` times (the
// Gram matrix factored in double precision; one pass is enough between power iterations, two
// make the final basis orthonormal to working precision); Householder QR when the columns are
// (numerically) dependent.
Eigen::MatrixXf Orthonormalize(const Eigen::MatrixXf& m, int passes = 2) {
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

// a * b, the rows of a split between two threads at half of its non-zeros. b is copied to
// row-major order first: a row-major sparse product reads whole rows of b.
Eigen::MatrixXf Multiply(const SparseRowMatrix& a, const Eigen::MatrixXf& b) {
  using RowDense = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowDense rb = b;
  RowDense out(a.rows(), b.cols());
  const int* outer = a.outerIndexPtr();
  const Eigen::Index split =
      std::upper_bound(outer, outer + a.rows(), a.nonZeros() / 2) - outer;
  std::thread other([&] { out.topRows(split) = a.topRows(split) * rb; });
  out.bottomRows(a.rows() - split) = a.bottomRows(a.rows() - split) * rb;
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
  out.u.resize(a.rows(), k);
  out.sigma.resize(k);
  out.v.resize(a.cols(), k);
  for (int j = 0; j < k; ++j) {
    const int src = l - 1 - j;
    const float sigma = std::sqrt(std::max(0.0f, eig.eigenvalues()(src)));
    out.sigma(j) = sigma;
    out.u.col(j) = q * eig.eigenvectors().col(src);
    if (sigma <= 1e-9f) {
      out.v.col(j).setZero();
    } else {
      out.v.col(j) = bt * eig.eigenvectors().col(src) / sigma;
    }
  }
  return out;
}

}  // namespace coolpapers::search
