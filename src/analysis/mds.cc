// Classical multidimensional scaling: double centring, then the two leading eigenpairs.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <utility>
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

// (T - shift I) = P L U for the symmetric tridiagonal T, by Gaussian elimination with partial
// pivoting (LAPACK's dlagtf): u[k] is row k of U, its entries in columns k, k + 1 and k + 2, and
// row k + 1 took `multiplier[k]` of row k, after the two were swapped if `swapped[k]`.
struct ShiftedTridiagonalLu {
  using Row = std::array<double, 3>;  // columns k, k + 1, k + 2
  std::vector<Row> u;
  std::vector<double> multiplier;
  std::vector<bool> swapped;

  // A pivot of exactly 0 becomes `tiny`.
  ShiftedTridiagonalLu(const Eigen::VectorXd& diagonal, const Eigen::VectorXd& off, double shift,
                       double tiny)
      : u(diagonal.size()), multiplier(diagonal.size()), swapped(diagonal.size()) {
    const Eigen::Index n = diagonal.size();
    Row reduced{diagonal[0] - shift, n > 1 ? off[0] : 0, 0};  // row k, less what was taken off
    for (Eigen::Index k = 0; k + 1 < n; ++k) {
      Row next{off[k], diagonal[k + 1] - shift, k + 2 < n ? off[k + 1] : 0};
      swapped[k] = std::abs(next[0]) > std::abs(reduced[0]);
      if (swapped[k]) std::swap(reduced, next);  // the larger first entry pivots
      if (reduced[0] == 0) reduced[0] = tiny;
      u[k] = reduced;
      multiplier[k] = next[0] / reduced[0];
      reduced = {next[1] - multiplier[k] * reduced[1], next[2] - multiplier[k] * reduced[2], 0};
    }
    u[n - 1] = {reduced[0] == 0 ? tiny : reduced[0], 0, 0};
  }

  // x = (T - shift I)^-1 x.
  void Solve(Eigen::VectorXd& x) const {
    const Eigen::Index n = x.size();
    for (Eigen::Index k = 0; k + 1 < n; ++k) {
      if (swapped[k]) std::swap(x[k], x[k + 1]);
      x[k + 1] -= multiplier[k] * x[k];
    }
    for (Eigen::Index k = n - 1; k >= 0; --k) {
      double sum = x[k];
      if (k + 1 < n) sum -= u[k][1] * x[k + 1];
      if (k + 2 < n) sum -= u[k][2] * x[k + 2];
      x[k] = sum / u[k][0];
    }
  }
};

// The eigenvector of the symmetric tridiagonal T for its eigenvalue `value`, orthogonal to
// `others` (LAPACK's dstein): inverse iteration from a fixed start, whose first solve already
// grows the vector by about 1 / (the relative error of `value`), of order 1e15; three are done.
// T is scaled to entries of at most 1 first, so that a zero pivot's stand-in, 1e-16, is relative.
Eigen::VectorXd TridiagonalEigenvector(const Eigen::VectorXd& diagonal, const Eigen::VectorXd& off,
                                       double value, const std::vector<Eigen::VectorXd>& others) {
  const double largest =
      std::max(diagonal.cwiseAbs().maxCoeff(), off.size() > 0 ? off.cwiseAbs().maxCoeff() : 0.0);
  const double scale = largest > 0 ? largest : 1.0;
  const ShiftedTridiagonalLu lu(diagonal / scale, off / scale, value / scale, 1e-16);
  Eigen::VectorXd x(diagonal.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = 1.0 + 0.1 * std::sin(1.0 + i);  // no symmetry
  for (int iteration = 0; iteration < 3; ++iteration) {
    for (const Eigen::VectorXd& other : others) x -= other.dot(x) * other;
    lu.Solve(x);
    x.normalize();
  }
  for (const Eigen::VectorXd& other : others) x -= other.dot(x) * other;
  return x.normalized();
}

// The `count` largest eigenpairs of the symmetric n x n matrix `a`: Eigen's tridiagonal reduction
// and its QR iteration for the eigenvalues alone, then inverse iteration on the tridiagonal
// matrix for the `count` eigenvectors, taken back through the reduction's reflections. Eigen's
// solver with all n eigenvectors spent 3.5 of `cluster`'s 70 ms of CPU (144 heads) on them.
// LAPACK's dsyevr, which picks eigenvectors too, cost 3 ms of loading OpenBLAS.
Eigenpairs LargestEigenpairs(const std::vector<double>& a, int n, int count) {
  const Eigen::Map<const Eigen::MatrixXd> matrix(a.data(), n, n);
  const Eigen::Tridiagonalization<Eigen::MatrixXd> reduced(matrix);
  const Eigen::VectorXd diagonal = reduced.diagonal(), off = reduced.subDiagonal();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
  solver.computeFromTridiagonal(diagonal, off, Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) {
    throw Error(ErrorKind::kInput, "the MDS eigensolver did not converge");
  }
  Eigenpairs pairs{std::vector<double>(static_cast<size_t>(count)),
                   std::vector<double>(static_cast<size_t>(n) * count)};
  std::vector<Eigen::VectorXd> found;     // largest first
  for (int k = count - 1; k >= 0; --k) {  // Eigen's eigenvalues ascend, as these do
    const double value = solver.eigenvalues()[n - count + k];
    found.push_back(TridiagonalEigenvector(diagonal, off, value, found));
    const Eigen::VectorXd vector = reduced.matrixQ() * found.back();
    pairs.values[static_cast<size_t>(k)] = value;
    std::copy(vector.begin(), vector.end(), pairs.vectors.begin() + static_cast<size_t>(k) * n);
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
