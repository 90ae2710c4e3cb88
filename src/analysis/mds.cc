// Classical multidimensional scaling: double centring, then the two leading eigenpairs.
#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Eigenvalues>

#include "attnviz/analysis/cluster.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

// B = -1/2 J D^2 J: squared distances with row, column and grand means removed.
std::vector<double> DoubleCentred(const HeadDistances& distances) {
  const size_t n = distances.size();
  std::vector<double> b(n * n);
  std::vector<double> row_mean(n, 0.0);
  double grand_mean = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      b[i * n + j] = distances.at(i, j) * distances.at(i, j);
      row_mean[i] += b[i * n + j] / static_cast<double>(n);
    }
    grand_mean += row_mean[i] / static_cast<double>(n);
  }
  // D^2 is symmetric, so column means equal row means.
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      b[i * n + j] = -0.5 * (b[i * n + j] - row_mean[i] - row_mean[j] + grand_mean);
    }
  }
  return b;
}

struct Eigenpairs {
  std::vector<double> values;   // ascending
  std::vector<double> vectors;  // column k (n values) belongs to values[k]
};

// The `count` largest eigenpairs of the symmetric n x n matrix `a`, by Eigen's solver for
// symmetric matrices (tridiagonal reduction, then implicit QR). It is header-only: LAPACK's
// dsyevr from OpenBLAS, which this used, cost `cluster` 3 ms of loading the library for a
// 144 x 144 matrix that Eigen decomposes in under 1.
Eigenpairs LargestEigenpairs(const std::vector<double>& a, int n, int count) {
  const Eigen::Map<const Eigen::MatrixXd> matrix(a.data(), n, n);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(matrix);
  if (solver.info() != Eigen::Success) {
    throw Error(ErrorKind::kInput, "the MDS eigensolver did not converge");
  }
  Eigenpairs pairs{std::vector<double>(static_cast<size_t>(count)),
                   std::vector<double>(static_cast<size_t>(n) * count)};
  for (int k = 0; k < count; ++k) {  // Eigen's eigenvalues ascend, as these do
    const int column = n - count + k;
    pairs.values[static_cast<size_t>(k)] = solver.eigenvalues()[column];
    for (int i = 0; i < n; ++i) {
      pairs.vectors[static_cast<size_t>(k) * n + i] = solver.eigenvectors()(i, column);
    }
  }
  return pairs;
}

// Eigenvectors have no sign of their own; fix one so that runs and references agree.
void OrientAxis(std::span<double> axis) {
  double largest = 0;
  for (double v : axis) largest = std::max(largest, std::abs(v));
  for (double& v : axis) {
    if (std::abs(v) < 1e-6 * largest) continue;
    if (v < 0) {
      for (double& w : axis) w = -w;
    }
    return;
  }
}

}  // namespace

std::vector<MapPoint> ClassicalMds(const HeadDistances& distances) {
  const int n = static_cast<int>(distances.size());
  std::vector<MapPoint> points(static_cast<size_t>(n));
  if (n < 2) return points;
  const int axes = 2;
  Eigenpairs pairs = LargestEigenpairs(DoubleCentred(distances), n, axes);
  for (int k = 0; k < axes; ++k) {
    std::span<double> axis(pairs.vectors.data() + static_cast<size_t>(k) * n, n);
    OrientAxis(axis);
    // values are ascending: column 1 holds the largest eigenvalue, the x axis.
    const double scale = std::sqrt(std::max(pairs.values[k], 0.0));
    for (int i = 0; i < n; ++i) (k == 1 ? points[i].x : points[i].y) = scale * axis[i];
  }
  return points;
}

}  // namespace attnviz
