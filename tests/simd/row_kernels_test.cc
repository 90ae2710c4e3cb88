// The kernels of simd/row_kernels.h on every instruction set this CPU runs: the two logarithms
// against std::log, the row pass of `stats` and the JS sum against plain scalar definitions, on
// lengths that are not multiples of any vector width nor of the stats block.
#include "simd/row_kernels.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "support/every_isa.h"

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

std::vector<float> FloatLogs(const std::vector<float>& xs) {
  std::vector<float> logs(xs.size());
  simd::LogFloats(xs.data(), xs.size(), logs.data());
  return logs;
}

// The table's ln c and ln 2 are one float each: 2 ulp where ln x is large, 4e-8 where it is small.
TEST_CASE("the float logarithm is within 2 ulp and 4e-8 of ln over positive floats, every ISA") {
  std::vector<float> xs;
  for (float x = 1e-30f; x < 1e30f; x *= 1.0007f) xs.push_back(x);
  xs.push_back(1.0f);  // and a tail on every width
  OnEveryIsa([&](const std::string&) {
    const std::vector<float> logs = FloatLogs(xs);
    float worst = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double exact = std::log(static_cast<double>(xs[i]));
      const double ulp = std::nextafter(std::fabs(static_cast<float>(exact)), INFINITY) -
                         std::fabs(static_cast<float>(exact));
      if (std::fabs(exact) < 1e-3) continue;  // near x = 1 the absolute error is what matters
      worst = std::max(worst, static_cast<float>((std::fabs(logs[i] - exact) - 4e-8) / ulp));
    }
    CHECK(worst <= 2);
    const std::vector<float> near_one = {1.0f, 1.0001f, 0.9999f, 1.03f, 0.99f};
    const std::vector<float> near_logs = FloatLogs(near_one);
    CHECK(near_logs[0] == 0);
    for (size_t i = 1; i < near_one.size(); ++i) {  // relative accuracy next to 1: 2 ulp
      CAPTURE(near_one[i]);
      const float exact = static_cast<float>(std::log(double{near_one[i]}));
      const float ulp = std::nextafter(std::fabs(exact), INFINITY) - std::fabs(exact);
      CHECK(std::fabs(near_logs[i] - exact) <= 2 * ulp);
    }
  });
}

TEST_CASE("SummarizeRow agrees with the scalar definitions for every tail length and block") {
  OnEveryIsa([](const std::string&) {
    std::mt19937 rng(6);
    for (int64_t keys : {1, 3, 7, 8, 9, 16, 31, 64, 100, 127, 128, 129, 255, 1000, 4099}) {
      const std::vector<float> row = RandomRow(keys, rng);
      for (int64_t query : {int64_t{0}, keys / 2, keys - 1, keys + 5}) {
        double sum = 0, nats = 0, distance = 0;
        for (int64_t j = 0; j < keys; ++j) {
          sum += row[j];
          if (row[j] > 0) nats -= row[j] * std::log(static_cast<double>(row[j]));
          distance += row[j] * static_cast<double>(std::abs(j - query));
        }
        const RowSummary s = SummarizeRow(row.data(), keys, query);
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
  });
}

TEST_CASE("SummarizeRow finds nonzero keys and non-finite weights in any block, on every ISA") {
  OnEveryIsa([](const std::string&) {
    for (int64_t keys : {5, 130, 300}) {
      for (int64_t at : {int64_t{0}, keys / 3, keys - 1}) {
        for (float value : {0.25f, NAN, INFINITY, -INFINITY}) {
          std::vector<float> row(static_cast<size_t>(keys), 0.0f);
          row[at] = value;
          const RowSummary s = SummarizeRow(row.data(), keys, 0, 2);
          CAPTURE(keys);
          CAPTURE(at);
          CAPTURE(value);
          CHECK(s.first_nonzero == at);
          CHECK(s.last_nonzero == at);
          CHECK(s.finite == std::isfinite(value));
        }
      }
      const std::vector<float> zeros(static_cast<size_t>(keys), 0.0f);
      const RowSummary none = SummarizeRow(zeros.data(), keys, 0);
      CHECK(none.first_nonzero == keys);
      CHECK(none.last_nonzero == -1);
      CHECK(none.nats == 0);
      CHECK(none.sum == 0);
    }
  });
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
  OnEveryIsa([&](const std::string&) {
    CHECK(SummarizeRow(row.data(), std::ssize(row), 0).max == -1.5f);
    CHECK(SummarizeRow(row.data(), std::ssize(row), 0, 2).top_mass == -3.5);
  });
}

TEST_CASE("SummarizeRow's top-k mass is the sum of the k largest weights, on every ISA") {
  OnEveryIsa([](const std::string&) {
    std::mt19937 rng(3);
    for (int64_t keys : {2, 9, 17, 100, 1000, 3001}) {
      std::vector<float> row = RandomRow(keys, rng);
      if (keys == 3001) std::sort(row.begin(), row.end());  // every block beats the last
      std::vector<float> sorted = row;
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
      for (int64_t k = 1; k <= kMaxSmallTopK; ++k) {
        const double expected =
            std::accumulate(sorted.begin(), sorted.begin() + std::min(k, keys), 0.0);
        CAPTURE(keys);
        CAPTURE(k);
        // k >= keys: not looked for (the caller sums the row).
        CHECK(SummarizeRow(row.data(), keys, 0, k).top_mass ==
              doctest::Approx(k < keys ? expected : 0.0).epsilon(1e-12));
      }
      // Ties: the largest weight many times over.
      std::vector<float> ties(static_cast<size_t>(keys), 0.5f);
      CHECK(SummarizeRow(ties.data(), keys, 0, 1).top_mass == (keys > 1 ? 0.5 : 0.0));
    }
  });
}

// The largest |ln x - std::log(x)| / |std::log(x)| of the JS logarithm over `xs` (1 left out).
double WorstRelativeError(const std::vector<double>& xs) {
  std::vector<double> logs = xs;
  simd::LogDoubles(logs.data(), logs.size());
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double want = std::log(xs[i]);
    INFO("x = " << xs[i]);
    REQUIRE(std::isfinite(logs[i]));
    if (xs[i] == 1) continue;
    worst = std::max(worst, std::abs(logs[i] - want) / std::abs(want));
  }
  return worst;
}

TEST_CASE("the JS logarithm is within 1e-14 of std::log from 1e-300 to 1e300, on every ISA") {
  std::vector<double> xs;
  for (int i = 0; i < (1 << 20) + 3; ++i) {
    xs.push_back(std::pow(10.0, -300 + 600.0 * i / (1 << 20)));
  }
  OnEveryIsa([&](const std::string&) { CHECK(WorstRelativeError(xs) <= 1e-14); });
}

TEST_CASE("the JS logarithm is within 1e-14 of std::log on [1/2, 2], where ln x is smallest") {
  std::mt19937_64 generator(6);
  std::uniform_real_distribution<double> near_one(0.5, 2.0);
  std::vector<double> xs;
  for (int i = 0; i < (1 << 18); ++i) xs.push_back(near_one(generator));
  // Next to 1, and at the edges of the reduction, sqrt(1/2) and sqrt(2), on either side.
  for (int e = 1; e <= 52; ++e) {
    for (double x : {1 + std::ldexp(1.0, -e), 1 - std::ldexp(1.0, -e - 1)}) xs.push_back(x);
  }
  for (double edge : {std::sqrt(0.5), std::sqrt(2.0), 2 * std::sqrt(2.0), std::sqrt(0.125)}) {
    double below = edge, above = edge;
    for (int step = 0; step < 8; ++step) {
      xs.push_back(below = std::nextafter(below, 0.0));
      xs.push_back(above = std::nextafter(above, 4.0));
    }
  }
  OnEveryIsa([&](const std::string&) { CHECK(WorstRelativeError(xs) <= 1e-14); });
}

TEST_CASE("the JS logarithm is within 1e-14 of std::log at the edges of the table's 16 buckets") {
  std::vector<double> xs;
  for (uint64_t bucket = 0; bucket <= 16; ++bucket) {
    const double edge = std::bit_cast<double>(0x3fefa09e667f3bcdULL + (bucket << 48));
    for (double x : {edge, std::nextafter(edge, 0.0), std::nextafter(edge, 2.0)}) {
      for (double scale : {1.0, 0x1p-20, 0x1p-3}) xs.push_back(x * scale);
    }
  }
  OnEveryIsa([&](const std::string&) { CHECK(WorstRelativeError(xs) <= 1e-14); });
}

TEST_CASE("the JS logarithm of 1 is 0 and of a power of two is k ln 2 to the last bit or two") {
  const std::vector<double> xs{1.0, 2.0, 0.5, 1024.0, std::ldexp(1.0, -1000), 4.0, 0.25, 8.0, 16.0};
  OnEveryIsa([&](const std::string&) {
    std::vector<double> logs = xs;
    simd::LogDoubles(logs.data(), logs.size());
    CHECK(logs[0] == 0.0);
    for (size_t i = 1; i < xs.size(); ++i) {
      CHECK(logs[i] == doctest::Approx(std::log(xs[i])).epsilon(1e-15));
    }
  });
}

TEST_CASE("sum m ln m over float halves is within 2e-7 of the terms' size, on every ISA") {
  std::mt19937_64 generator(7);
  std::uniform_real_distribution<double> exponent(-9.0, -0.31);  // halves from 1e-9 to 0.49
  std::vector<float> p(4099), q(4099);                           // a tail on every width
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] = static_cast<float>(std::pow(10.0, exponent(generator)));
    q[i] = i % 3 == 0 ? p[i] : static_cast<float>(std::pow(10.0, exponent(generator)));
  }
  OnEveryIsa([&](const std::string&) {
    for (size_t count : {p.size(), size_t{4096}, size_t{17}, size_t{5}, size_t{1}}) {
      long double expected = 0, size = 0;
      for (size_t i = 0; i < count; ++i) {
        const long double m = static_cast<long double>(p[i]) + q[i];
        expected += m * std::log(m);
        size += std::abs(m * std::log(m));
      }
      CAPTURE(count);
      const double got = simd::SumMeanLogMean(p.data(), q.data(), count);
      CHECK(std::abs(got - static_cast<double>(expected)) <= 2e-7 * static_cast<double>(size));
    }
    CHECK(simd::SumMeanLogMean(p.data(), q.data(), 0) == 0);
    const std::vector<float> halves(37, 0.5f);  // m = 1: 1 ln 1 is 0 exactly
    CHECK(simd::SumMeanLogMean(halves.data(), halves.data(), halves.size()) == 0);
  });
}

TEST_CASE("sum x ln x takes 0 ln 0 as 0 and agrees with std::log in long double to 1e-14") {
  std::mt19937_64 generator(8);
  std::uniform_real_distribution<double> share(1e-9, 1.0);
  std::vector<double> x(4099);  // a tail on every width
  for (size_t i = 0; i < x.size(); ++i) x[i] = i % 4 == 1 ? 0.0 : share(generator);
  OnEveryIsa([&](const std::string&) {
    for (size_t count : {x.size(), size_t{4096}, size_t{7}, size_t{2}}) {
      long double expected = 0;
      for (size_t i = 0; i < count; ++i) {
        if (x[i] > 0)
          expected += static_cast<long double>(x[i]) * std::log(static_cast<long double>(x[i]));
      }
      CAPTURE(count);
      CHECK(simd::SumXLogX(x.data(), count) ==
            doctest::Approx(static_cast<double>(expected)).epsilon(1e-14));
    }
    const std::vector<double> zeros(9, 0.0);
    CHECK(simd::SumXLogX(zeros.data(), zeros.size()) == 0);
  });
}

TEST_CASE("the sum of floats in double agrees with a long double sum, every tail length") {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> x(1031);
  for (float& v : x) v = value(rng);
  OnEveryIsa([&](const std::string&) {
    for (size_t count = 0; count <= 40; ++count) {
      const long double expected = std::accumulate(x.begin(), x.begin() + count, 0.0L);
      CAPTURE(count);
      CHECK(simd::SumFloats(x.data(), count) ==
            doctest::Approx(static_cast<double>(expected)).epsilon(1e-15));
    }
    const long double all = std::accumulate(x.begin(), x.end(), 0.0L);
    CHECK(simd::SumFloats(x.data(), x.size()) ==
          doctest::Approx(static_cast<double>(all)).epsilon(1e-14));
  });
}

TEST_CASE("smoothed halves are (keep w + spread) / 2 rounded once, and find bad weights anywhere") {
  std::mt19937 rng(10);
  std::vector<float> weights = RandomRow(37, rng);
  weights[5] = 0;
  weights[6] = FLT_MAX;
  const double keep = 0.999, spread = 0.001 / 37;
  OnEveryIsa([&](const std::string&) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{3}, size_t{8}, size_t{17}, size_t{37}}) {
      std::vector<float> out(count, -1.0f);
      CAPTURE(count);
      CHECK(simd::HalveSmoothed(weights.data(), count, keep, spread, out.data()));
      for (size_t i = 0; i < count;
           ++i) {  // one rounding from the exact value: within half a float ulp
        const long double exact = (keep * static_cast<long double>(weights[i]) + spread) / 2;
        CHECK(std::fabs(static_cast<long double>(out[i]) - exact) <=
              0.5L * (std::nextafter(out[i], INFINITY) - out[i]));
      }
      for (size_t at = 0; at < count; ++at) {
        for (float bad : {NAN, INFINITY, -INFINITY, -1e-30f}) {
          std::vector<float> spoiled(weights.begin(), weights.begin() + count);
          spoiled[at] = bad;
          CAPTURE(at);
          CAPTURE(bad);
          CHECK_FALSE(simd::HalveSmoothed(spoiled.data(), count, keep, spread, out.data()));
        }
      }
    }
  });
}

}  // namespace
}  // namespace attnviz
