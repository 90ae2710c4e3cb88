// What figures do to a head before drawing it: crops, row normalisation, masks and fusion.
#include "attnviz/render/matrix.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "attnviz/error.h"

namespace attnviz {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Row-major flags from a picture: '#' masked, '.' not.
std::vector<uint8_t> Flags(const std::vector<const char*>& rows) {
  std::vector<uint8_t> flags;
  for (const char* row : rows) {
    for (const char* c = row; *c; ++c) flags.push_back(*c == '#');
  }
  return flags;
}

Matrix Causal4() {
  return {4, 4, {0.5f, 0, 0, 0, 0.2f, 0.8f, 0, 0, 0.1f, 0.1f, 0.8f, 0, 0.4f, 0.3f, 0.2f, 0.1f}, {}};
}

TEST_CASE("Crop keeps the chosen rows and columns and their mask flags") {
  Matrix matrix{3, 4, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Flags({"...#", "..##", ".###"})};
  Matrix crop = Crop(matrix, {1, 3}, {2, 4});
  CHECK(crop.rows == 2);
  CHECK(crop.cols == 2);
  CHECK(crop.values == std::vector<float>{6, 7, 10, 11});
  CHECK(crop.masked == Flags({"##", "##"}));
}

TEST_CASE("RowNormalized makes each row sum to 1 over its unmasked finite cells") {
  // Row 0: 0.1 + 0.3 = 0.4 (the masked 0.6 is left out) -> 0.25, 0.75; row 1 sums to 0: kept.
  Matrix matrix{2, 3, {0.1f, 0.3f, 0.6f, 0, 0, 0}, Flags({"..#", "..."})};
  Matrix normalized = RowNormalized(matrix);
  CHECK(normalized.values[0] == doctest::Approx(0.25));
  CHECK(normalized.values[1] == doctest::Approx(0.75));
  CHECK(normalized.values[3] == 0);
  CHECK(normalized.masked == matrix.masked);
}

TEST_CASE("RowNormalized leaves NaN cells bad and divides the rest by the finite sum") {
  Matrix normalized = RowNormalized({1, 3, {0.2f, kNaN, 0.2f}, {}});
  CHECK(normalized.values[0] == doctest::Approx(0.5));
  CHECK(std::isnan(normalized.values[1]));
}

TEST_CASE("detection masks the upper triangle of a causal head") {
  CHECK(MaskCells(Causal4(), MaskMode::kDetect) == Flags({".###", "..##", "...#", "...."}));
}

TEST_CASE("detection masks padded key columns and padded query rows at either end") {
  // Keys 0 and 3 are zero in every row; query 2 is zero throughout.
  Matrix matrix{3, 4, {0, 0.5f, 0.5f, 0, 0, 0.9f, 0.1f, 0, 0, 0, 0, 0}, {}};
  CHECK(MaskCells(matrix, MaskMode::kDetect) == Flags({"#..#", "#..#", "####"}));
}

TEST_CASE("detection leaves interior zero columns and all-zero maps alone") {
  Matrix interior{2, 3, {0.5f, 0, 0.5f, 0.4f, 0, 0.6f}, {}};
  CHECK(MaskCells(interior, MaskMode::kDetect).empty());
  Matrix zeros{2, 2, {0, 0, 0, 0}, {}};
  CHECK(MaskCells(zeros, MaskMode::kDetect).empty());
}

TEST_CASE("a non-zero value above the diagonal means the head is not causal") {
  Matrix matrix = Causal4();
  matrix.values[1] = 0.01f;
  CHECK(MaskCells(matrix, MaskMode::kDetect).empty());
}

TEST_CASE("kCausal masks above the diagonal, aligned bottom-right when keys outnumber queries") {
  Matrix square{3, 3, std::vector<float>(9, 0.3f), {}};
  CHECK(MaskCells(square, MaskMode::kCausal) == Flags({".##", "..#", "..."}));
  // Two new queries over a cache of three keys: query 0 is position 1 of 3.
  Matrix cached{2, 3, std::vector<float>(6, 0.3f), {}};
  CHECK(MaskCells(cached, MaskMode::kCausal) == Flags({"..#", "..."}));
  CHECK(MaskCells(square, MaskMode::kNone).empty());
}

TEST_CASE("HeadFusion takes the mean, maximum or minimum of each cell") {
  Matrix a{1, 3, {0.0f, 0.5f, 1.0f}, {}};
  Matrix b{1, 3, {0.5f, 0.25f, 0.0f}, {}};
  for (auto [fusion, expected] : {std::pair{Fusion::kMean, std::vector<float>{0.25f, 0.375f, 0.5f}},
                                  std::pair{Fusion::kMax, std::vector<float>{0.5f, 0.5f, 1.0f}},
                                  std::pair{Fusion::kMin, std::vector<float>{0.0f, 0.25f, 0.0f}}}) {
    HeadFusion fused(fusion);
    fused.Add(a);
    fused.Add(b);
    CHECK(fused.count() == 2);
    CHECK(fused.Result().values == expected);
  }
}

TEST_CASE("HeadFusion keeps bad cells bad and masks only cells masked in every head") {
  Matrix a{1, 3, {kNaN, 0.5f, 0.0f}, Flags({"..#"})};
  Matrix b{1, 3, {0.5f, 0.5f, 0.0f}, Flags({".##"})};
  HeadFusion fused(Fusion::kMax);
  fused.Add(a);
  fused.Add(b);
  Matrix result = fused.Result();
  CHECK(std::isnan(result.values[0]));
  CHECK(result.masked == Flags({"..#"}));
  HeadFusion unmasked(Fusion::kMean);
  unmasked.Add(a);
  unmasked.Add({1, 3, {0, 0, 0}, {}});
  CHECK(unmasked.Result().masked.empty());
}

TEST_CASE("HeadFusion refuses heads of different shapes") {
  HeadFusion fused(Fusion::kMean);
  fused.Add({1, 2, {0, 1}, {}});
  CHECK_THROWS_AS(fused.Add({2, 1, {0, 1}, {}}), Error);
}

}  // namespace
}  // namespace attnviz
