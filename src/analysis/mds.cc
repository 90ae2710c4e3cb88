// Classical multidimensional scaling: double centring, then LAPACK's two leading eigenpairs.
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attnviz/analysis/blas.h"
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

// The `count` largest eigenpairs of the symmetric n x n matrix `a` (destroyed).
Eigenpairs LargestEigenpairs(std::vector<double> a, int n, int count) {
  const int first = n - count + 1, last = n;
  const double unused = 0, abstol = 0;
  int found = 0, info = 0;
  Eigenpairs pairs{std::vector<double>(n), std::vector<double>(static_cast<size_t>(n) * count)};
  std::vector<int> support(2 * static_cast<size_t>(count));
  int lwork = -1, liwork = -1, iwork_size = 0;
  double work_size = 0;
  auto solve = [&](double* work, int* iwork) {
    LoadedBlas().dsyevr("V", "I", "L", &n, a.data(), &n, &unused, &unused, &first, &last, &abstol,
                        &found, pairs.values.data(), pairs.vectors.data(), &n, support.data(), work,
                        &lwork, iwork, &liwork, &info, 1, 1, 1);
  };
  // Below a few hundred heads the reduction takes well under a millisecond on one core.
  std::optional<SerialBlas> serial;
  if (n < 512) serial.emplace();
  solve(&work_size, &iwork_size);  // a workspace query
  lwork = static_cast<int>(work_size);
  liwork = iwork_size;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  solve(work.data(), iwork.data());
  if (info != 0 || found != count) {
    throw Error(ErrorKind::kInput,
                "the MDS eigensolver failed (LAPACK dsyevr info " + std::to_string(info) + ")");
  }
  pairs.values.resize(count);
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
