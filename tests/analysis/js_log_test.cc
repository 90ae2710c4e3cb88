// The logarithm of the JS divergence against std::log: relative error over the positive normal
// doubles, and exactness where std::log is exact.
#include "analysis/js_log.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

namespace attnviz {
namespace {

// The largest |LogEach(x) - std::log(x)| / |std::log(x)| over `xs` (1, whose log is 0, left out).
double WorstRelativeError(std::vector<double> xs) {
  std::vector<double> logs = xs;
  LogEach(logs);
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
  CHECK(WorstRelativeError(xs) <= 1e-14);
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
  CHECK(WorstRelativeError(xs) <= 1e-14);
}

TEST_CASE("the JS logarithm of 1 is 0 and of a power of two is k ln 2 to the last bit or two") {
  std::vector<double> xs{1.0, 2.0, 0.5, 1024.0, std::ldexp(1.0, -1000), 4.0, 0.25, 8.0};
  std::vector<double> logs = xs;
  LogEach(logs);
  CHECK(logs[0] == 0.0);
  for (size_t i = 1; i < xs.size(); ++i) {
    CHECK(logs[i] == doctest::Approx(std::log(xs[i])).epsilon(1e-15));
  }
}

}  // namespace
}  // namespace attnviz
