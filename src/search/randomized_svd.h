#pragma once
// Randomized truncated SVD of a sparse matrix (Halko, Martinsson, Tropp 2011): a Gaussian
// sketch, `power_iterations` rounds of subspace iteration (each orthonormalized by Cholesky
// QR applied twice), then an exact SVD of the small projected matrix. The sparse products run
// on two threads. Used by the corpus-trained word vectors (word_vectors.h).

#include <cstdint>

#include <Eigen/Dense>
#include <Eigen/SparseCore>

namespace coolpapers::search {

using SparseRowMatrix = Eigen::SparseMatrix<float, Eigen::RowMajor>;

struct TruncatedSvd {
  Eigen::MatrixXf u;        // rows x k, orthonormal columns
  Eigen::VectorXf sigma;    // k singular values, descending
  Eigen::MatrixXf v;        // cols x k, orthonormal columns
};

struct RandomizedSvdOptions {
  int rank = 256;  // k (clamped to the matrix size)
  int oversampling = 20;
  int power_iterations = 3;
  uint64_t seed = 42;  // the same seed and matrix give the same factors
};

// An orthonormal basis of the columns of the tall matrix `m`: Cholesky QR `passes` times (the
// Gram matrix factored in double precision: two matrix products instead of Householder's
// column-by-column sweeps; one pass is enough between power iterations, two make a final basis
// orthonormal to working precision); Householder QR when the columns are (numerically)
// dependent.
Eigen::MatrixXf Orthonormalize(const Eigen::MatrixXf& m, int passes = 2);

// The top singular triplets of `a`. Deterministic for a given seed.
TruncatedSvd RandomizedSvd(const SparseRowMatrix& a, const RandomizedSvdOptions& opts);

}  // namespace coolpapers::search
