// Colorbar tick values and labels, and index label steps.
#include "attnviz/render/ticks.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace attnviz {
namespace {

void CheckTicks(const std::vector<double>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) CHECK(actual[i] == doctest::Approx(expected[i]));
}

TEST_CASE("NiceTicks picks the finest 1-2-2.5-5 step that fits the tick budget") {
  // 0..1 with 6 ticks: step 0.1 gives 11, step 0.2 gives 6.
  CheckTicks(NiceTicks(0, 1, 6), {0, 0.2, 0.4, 0.6, 0.8, 1.0});
  // 0..0.48 with 9: 0.05 gives 10 ticks, 0.1 gives 5.
  CheckTicks(NiceTicks(0, 0.48, 9), {0, 0.1, 0.2, 0.3, 0.4});
  // 0..1 with 11: step 0.1.
  CHECK(NiceTicks(0, 1, 11).size() == 11);
}

TEST_CASE("NiceTicks keeps ticks inside the range and includes round negative values") {
  CheckTicks(NiceTicks(-0.5, 0.5, 6), {-0.4, -0.2, 0, 0.2, 0.4});
  // 0.13..0.87 with 4: step 0.1 gives 7 ticks, 0.2 gives 0.2..0.8; with 3, 0.25 is next.
  CheckTicks(NiceTicks(0.13, 0.87, 4), {0.2, 0.4, 0.6, 0.8});
  CheckTicks(NiceTicks(0.13, 0.87, 3), {0.25, 0.5, 0.75});
}

TEST_CASE("NiceTicks returns one tick for an empty range") {
  CHECK(NiceTicks(2, 2, 5) == std::vector<double>{2});
}

TEST_CASE("FormatTicks uses the decimals of the step for every label") {
  CHECK(FormatTicks({0, 0.05, 0.1}) == std::vector<std::string>{"0.00", "0.05", "0.10"});
  CHECK(FormatTicks({0, 0.25, 0.5}) == std::vector<std::string>{"0.00", "0.25", "0.50"});
  CHECK(FormatTicks({0, 10, 20}) == std::vector<std::string>{"0", "10", "20"});
}

TEST_CASE("FormatTicks writes negative values with U+2212 and zero without a sign") {
  CHECK(FormatTicks({-0.2, 0, 0.2}) == std::vector<std::string>{"\u22120.2", "0.0", "0.2"});
  // A value that rounds to zero at the step's decimals is "0", not "−0".
  CHECK(FormatTicks({-1e-12, 1, 2}) == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("IndexTickStep rounds up to 1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, ...") {
  CHECK(IndexTickStep(0.3) == 1);
  CHECK(IndexTickStep(1) == 1);
  CHECK(IndexTickStep(1.5) == 2);
  CHECK(IndexTickStep(3) == 4);
  CHECK(IndexTickStep(4.5) == 5);
  CHECK(IndexTickStep(6) == 8);
  CHECK(IndexTickStep(11) == 16);
  CHECK(IndexTickStep(17) == 20);
  CHECK(IndexTickStep(21) == 25);
  CHECK(IndexTickStep(26) == 32);
  CHECK(IndexTickStep(51.2) == 64);  // 512 positions, at most 10 labels
  CHECK(IndexTickStep(65) == 100);
  CHECK(IndexTickStep(101) == 128);
  CHECK(IndexTickStep(129) == 200);
  CHECK(IndexTickStep(201) == 250);
}

TEST_CASE("LogTicks puts ticks on powers of ten, thinned to the budget") {
  CheckTicks(LogTicks(1e-3, 1, 9), {1e-3, 1e-2, 1e-1, 1});
  CheckTicks(LogTicks(1e-6, 1, 4), {1e-6, 1e-4, 1e-2, 1});
  CheckTicks(LogTicks(0.5e-6, 0.5, 9), {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1});
}

TEST_CASE("LogTicks adds 2 and 5 times the powers of ten when a range holds one decade at most") {
  CheckTicks(LogTicks(0.015, 0.6, 9), {0.02, 0.05, 0.1, 0.2, 0.5});
}

TEST_CASE("FormatLogTick writes decimals near 1 and superscript powers of ten beyond") {
  CHECK(FormatLogTick(0.001) == "0.001");
  CHECK(FormatLogTick(0.05) == "0.05");
  CHECK(FormatLogTick(1) == "1");
  CHECK(FormatLogTick(500) == "500");
  CHECK(FormatLogTick(1e-5) == "10⁻⁵");
  CHECK(FormatLogTick(2e4) == "2×10⁴");
}

TEST_CASE("FormatLogTicks writes one axis's ticks as decimals when all are from 0.001 to 1000") {
  CHECK(FormatLogTicks({1e-3, 1e-2, 1e-1, 1}) ==
        std::vector<std::string>{"0.001", "0.01", "0.1", "1"});
  CHECK(FormatLogTicks({0.02, 0.05, 0.1}) == std::vector<std::string>{"0.02", "0.05", "0.1"});
}

TEST_CASE("FormatLogTicks writes every tick as a power of ten when one needs it") {
  CHECK(FormatLogTicks({1e-4, 1e-3, 1e-2, 1e-1, 1}) ==
        std::vector<std::string>{"10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"});
  CHECK(FormatLogTicks({1e-6, 1e-4, 1e-2, 1}) ==
        std::vector<std::string>{"10⁻⁶", "10⁻⁴", "10⁻²", "10⁰"});
  CHECK(FormatLogTicks({5e3, 1e4, 2e4}) == std::vector<std::string>{"5×10³", "10⁴", "2×10⁴"});
}

}  // namespace
}  // namespace attnviz
