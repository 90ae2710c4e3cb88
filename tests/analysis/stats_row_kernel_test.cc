// The vectorised per-row pass of `stats`: the logarithm, the row sums and the top-k scan, checked
// against plain scalar definitions on rows whose lengths are not multiples of the vector width nor
// of the block, in every build (AVX-512, AVX2, baseline) this CPU runs.
#include "analysis/stats_row_kernel.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <string>
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

TEST_CASE("FastLog is within 2 ulp of ln over positive floats, in every build") {
  for (KernelIsa isa : KernelIsas()) {
    CAPTURE(KernelIsaName(isa));
    float worst = 0;
    for (float x = 1e-30f; x < 1e30f; x *= 1.0007f) {
      const double exact = std::log(static_cast<double>(x));
      const double ulp = std::nextafter(std::fabs(static_cast<float>(exact)), INFINITY) -
                         std::fabs(static_cast<float>(exact));
      if (std::fabs(exact) < 1e-3) continue;  // near x = 1 the absolute error is what matters
      worst = std::max(worst, static_cast<float>(std::fabs(FastLog(isa, x) - exact) / ulp));
    }
    CHECK(worst <= 2);
    CHECK(FastLog(isa, 1.0f) == 0);
    for (float near_one : {1.0001f, 0.9999f, 1.03f, 0.99f}) {
      CAPTURE(near_one);
      CHECK(std::fabs(FastLog(isa, near_one) - std::log(double{near_one})) <= 1e-9);
    }
  }
}

TEST_CASE("this CPU runs the baseline build, last") {
  const std::vector<KernelIsa> isas = KernelIsas();
  REQUIRE_FALSE(isas.empty());
  CHECK(isas.back() == KernelIsa::kBaseline);
}

TEST_CASE("SummarizeRow agrees with the scalar definitions for every tail length and block") {
  std::mt19937 rng(6);
  for (KernelIsa isa : KernelIsas()) {
    for (int64_t keys : {1, 3, 7, 8, 9, 16, 31, 64, 100, 127, 128, 129, 255, 1000, 4099}) {
      const std::vector<float> row = RandomRow(keys, rng);
      for (int64_t query : {int64_t{0}, keys / 2, keys - 1, keys + 5}) {
        double sum = 0, nats = 0, distance = 0;
        for (int64_t j = 0; j < keys; ++j) {
          sum += row[j];
          if (row[j] > 0) nats -= row[j] * std::log(static_cast<double>(row[j]));
          distance += row[j] * static_cast<double>(std::abs(j - query));
        }
        const RowSummary s = SummarizeRowOn(isa, row.data(), keys, query);
        CAPTURE(KernelIsaName(isa));
        CAPTURE(keys);
        CAPTURE(query);
        CHECK(s.sum == doctest::Approx(sum).epsilon(1e-12));
        CHECK(s.nats == doctest::Approx(nats).epsilon(1e-6));
        CHECK(s.distance == doctest::Approx(distance).epsilon(1e-12));
        CHECK(s.max == *std::max_element(row.begin(), row.end()));
        CHECK(s.first_nonzero == 0);
        CHECK(s.last_nonzero == ((keys - 1) % 5 == 3 ? keys - 2 : keys - 1));
        CHECK(s.finite);
        CHECK(s.top_mass == 0);
      }
    }
  }
}

TEST_CASE("SummarizeRow finds nonzero keys and non-finite weights in any block of any build") {
  for (KernelIsa isa : KernelIsas()) {
    for (int64_t keys : {5, 130, 300}) {
      for (int64_t at : {int64_t{0}, keys / 3, keys - 1}) {
        for (float value : {0.25f, NAN, INFINITY, -INFINITY}) {
          std::vector<float> row(static_cast<size_t>(keys), 0.0f);
          row[at] = value;
          const RowSummary s = SummarizeRowOn(isa, row.data(), keys, 0, 2);
          CAPTURE(KernelIsaName(isa));
          CAPTURE(keys);
          CAPTURE(at);
          CAPTURE(value);
          CHECK(s.first_nonzero == at);
          CHECK(s.last_nonzero == at);
          CHECK(s.finite == std::isfinite(value));
        }
      }
      const std::vector<float> zeros(static_cast<size_t>(keys), 0.0f);
      const RowSummary none = SummarizeRowOn(isa, zeros.data(), keys, 0);
      CHECK(none.first_nonzero == keys);
      CHECK(none.last_nonzero == -1);
      CHECK(none.nats == 0);
      CHECK(none.sum == 0);
    }
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

TEST_CASE("SummarizeRow takes the max of a row of negative values, not the tail's padding") {
  const std::vector<float> row = {-3, -2, -5, -4, -6, -7, -8, -9, -1.5f, -10};
  for (KernelIsa isa : KernelIsas()) {
    CAPTURE(KernelIsaName(isa));
    CHECK(SummarizeRowOn(isa, row.data(), std::ssize(row), 0).max == -1.5f);
    CHECK(SummarizeRowOn(isa, row.data(), std::ssize(row), 0, 2).top_mass == -3.5);
  }
}

TEST_CASE("SummarizeRow's top-k mass is the sum of the k largest weights") {
  std::mt19937 rng(3);
  for (KernelIsa isa : KernelIsas()) {
    for (int64_t keys : {2, 9, 17, 100, 1000, 3001}) {
      std::vector<float> row = RandomRow(keys, rng);
      if (keys == 3001) std::sort(row.begin(), row.end());  // every block beats the last
      std::vector<float> sorted = row;
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
      for (int64_t k = 1; k <= kMaxSmallTopK; ++k) {
        const double expected =
            std::accumulate(sorted.begin(), sorted.begin() + std::min(k, keys), 0.0);
        CAPTURE(KernelIsaName(isa));
        CAPTURE(keys);
        CAPTURE(k);
        // k >= keys: not looked for (the caller sums the row).
        CHECK(SummarizeRowOn(isa, row.data(), keys, 0, k).top_mass ==
              doctest::Approx(k < keys ? expected : 0.0).epsilon(1e-12));
      }
      // Ties: the largest weight many times over.
      std::vector<float> ties(static_cast<size_t>(keys), 0.5f);
      CHECK(SummarizeRowOn(isa, ties.data(), keys, 0, 1).top_mass == (keys > 1 ? 0.5 : 0.0));
    }
  }
}

}  // namespace
}  // namespace attnviz
