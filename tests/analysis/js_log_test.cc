// The logarithms of the JS divergence against std::log, in every build this CPU runs: relative
// error over the positive normal doubles, and exactness where std::log is exact.
#include "analysis/js_log.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace attnviz {
namespace {

// The largest |LogEach(x) - std::log(x)| / |std::log(x)| over `xs` (1, whose log is 0, left out).
double WorstRelativeError(KernelIsa isa, std::vector<double> xs) {
  std::vector<double> logs = xs;
  LogEach(isa, logs);
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

TEST_CASE("the JS logarithm is within 1e-14 of std::log from 1e-300 to 1e300") {
  std::vector<double> xs;
  for (int i = 0; i < (1 << 20); ++i) xs.push_back(std::pow(10.0, -300 + 600.0 * i / (1 << 20)));
  for (KernelIsa isa : KernelIsas()) {
    INFO(KernelIsaName(isa));
    CHECK(WorstRelativeError(isa, xs) <= 1e-14);
  }
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
  while (xs.size() % kJsLanes != 0) xs.push_back(1.5);
  for (KernelIsa isa : KernelIsas()) {
    INFO(KernelIsaName(isa));
    CHECK(WorstRelativeError(isa, xs) <= 1e-14);
  }
}

TEST_CASE("the JS logarithm is within 1e-14 of std::log at the edges of the table's 16 buckets") {
  std::vector<double> xs;
  for (uint64_t bucket = 0; bucket <= 16; ++bucket) {
    const double edge = std::bit_cast<double>(0x3fefa09e667f3bcdULL + (bucket << 48));
    for (double x : {edge, std::nextafter(edge, 0.0), std::nextafter(edge, 2.0)}) {
      for (double scale : {1.0, 0x1p-20, 0x1p-3}) xs.push_back(x * scale);
    }
  }
  while (xs.size() % kJsLanes != 0) xs.push_back(0.75);
  for (KernelIsa isa : KernelIsas()) {
    INFO(KernelIsaName(isa));
    CHECK(WorstRelativeError(isa, xs) <= 1e-14);
  }
}

TEST_CASE("sum m ln m over halves agrees with std::log summed in long double to 1e-14") {
  std::mt19937_64 generator(7);
  std::uniform_real_distribution<double> weight(1e-7, 0.5);
  std::vector<double> p(4096), q(4096);
  long double want = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] = weight(generator);
    q[i] = i % 3 == 0 ? p[i] : weight(generator);  // equal halves too
    const long double m = static_cast<long double>(p[i]) + q[i];
    want += m * std::log(m);
  }
  for (KernelIsa isa : KernelIsas()) {
    INFO(KernelIsaName(isa));
    const double got = SumMeanLogMean(isa, p.data(), q.data(), std::ssize(p));
    CHECK(got == doctest::Approx(static_cast<double>(want)).epsilon(1e-14));
  }
}

TEST_CASE("the JS logarithm of 1 is 0 and of a power of two is k ln 2 to the last bit or two") {
  std::vector<double> xs{1.0, 2.0, 0.5, 1024.0, std::ldexp(1.0, -1000), 4.0, 0.25, 8.0};
  for (KernelIsa isa : KernelIsas()) {
    INFO(KernelIsaName(isa));
    std::vector<double> logs = xs;
    LogEach(isa, logs);
    CHECK(logs[0] == 0.0);
    for (size_t i = 1; i < xs.size(); ++i) {
      CHECK(logs[i] == doctest::Approx(std::log(xs[i])).epsilon(1e-15));
    }
  }
}

}  // namespace
}  // namespace attnviz
