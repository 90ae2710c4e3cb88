// The vectorised per-row pass of `stats`: the logarithm, the row sums and the top-k scan, checked
// against plain scalar definitions on rows whose lengths are not multiples of the vector width.
#include "analysis/stats_row_kernel.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

namespace attnviz {
namespace {

// A softmax row of random logits with some exact zeros, like a masked attention row.
std::vector<float> RandomRow(int64_t keys, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> row(static_cast<size_t>(keys));
  for (float& value : row) value = std::exp(normal(rng));
  for (int64_t j = 3; j < keys; j += 5) row[j] = 0;
  const float sum = std::accumulate(row.begin(), row.end(), 0.0f);
  for (float& value : row) value /= sum;
  return row;
}

TEST_CASE("FastLog is within 3 ulp of ln over positive floats") {
  float worst = 0;
  for (float x = 1e-30f; x < 1e30f; x *= 1.0007f) {
    const double exact = std::log(static_cast<double>(x));
    const double ulp = std::nextafter(std::fabs(static_cast<float>(exact)), INFINITY) -
                       std::fabs(static_cast<float>(exact));
    if (std::fabs(exact) < 1e-3) continue;  // near x = 1 the absolute error is what matters
    worst = std::max(worst, static_cast<float>(std::fabs(FastLog(x) - exact) / ulp));
  }
  CHECK(worst <= 3);
  CHECK(std::fabs(FastLog(1.0f)) <= 1e-7);
  const float near_one = 1.0001f;
  CHECK(std::fabs(FastLog(near_one) - std::log(double{near_one})) <= 1e-10);
}

TEST_CASE("SummarizeRow agrees with the scalar definitions for every tail length") {
  std::mt19937 rng(6);
  for (int64_t keys : {1, 7, 8, 9, 31, 64, 100}) {
    const std::vector<float> row = RandomRow(keys, rng);
    const int64_t query = keys / 2;
    double sum = 0, nats = 0, distance = 0;
    for (int64_t j = 0; j < keys; ++j) {
      sum += row[j];
      if (row[j] > 0) nats -= row[j] * std::log(static_cast<double>(row[j]));
      distance += row[j] * static_cast<double>(std::abs(j - query));
    }
    const RowSummary s = SummarizeRow(row.data(), keys, query);
    CAPTURE(keys);
    CHECK(s.sum == doctest::Approx(sum).epsilon(1e-12));
    CHECK(s.nats == doctest::Approx(nats).epsilon(1e-6));
    CHECK(s.distance == doctest::Approx(distance).epsilon(1e-12));
    CHECK(s.max == *std::max_element(row.begin(), row.end()));
    CHECK(s.finite);
  }
}

TEST_CASE("SummarizeRow finds the first and last nonzero keys, NaN counting as nonzero") {
  std::vector<float> row(19, 0.0f);
  RowSummary s = SummarizeRow(row.data(), 19, 0);
  CHECK(s.first_nonzero == 19);
  CHECK(s.last_nonzero == -1);
  row[3] = 0.5f;
  row[17] = 0.5f;
  s = SummarizeRow(row.data(), 19, 0);
  CHECK(s.first_nonzero == 3);
  CHECK(s.last_nonzero == 17);
  CHECK(s.finite);
  row[18] = NAN;
  s = SummarizeRow(row.data(), 19, 0);
  CHECK(s.last_nonzero == 18);
  CHECK_FALSE(s.finite);
  row[18] = 0;
  row[9] = INFINITY;
  CHECK_FALSE(SummarizeRow(row.data(), 19, 0).finite);
}

TEST_CASE("SummarizeRow takes the max of a row of negative values") {
  const std::vector<float> row = {-3, -2, -5, -4, -6, -7, -8, -9, -1.5f, -10};
  CHECK(SummarizeRow(row.data(), std::ssize(row), 0).max == -1.5f);
}

TEST_CASE("SummarizeRow's top-k mass is the sum of the k largest weights") {
  std::mt19937 rng(3);
  for (int64_t keys : {9, 17, 100, 1000}) {
    std::vector<float> row = RandomRow(keys, rng);
    std::vector<float> sorted = row;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    for (int64_t k = 1; k <= kMaxSmallTopK; ++k) {
      const double expected = std::accumulate(sorted.begin(), sorted.begin() + k, 0.0);
      CAPTURE(keys);
      CAPTURE(k);
      CHECK(SummarizeRow(row.data(), keys, 0, k).top_mass ==
            doctest::Approx(expected).epsilon(1e-12));
    }
  }
}

}  // namespace
}  // namespace attnviz
