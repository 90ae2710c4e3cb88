// Pooling cells into fewer pixels, and colouring them through a colour scale.
#include "attnviz/render/cell_raster.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace attnviz {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Matrix Sequence(int64_t rows, int64_t cols) {
  Matrix matrix{rows, cols, {}};
  for (int64_t i = 0; i < rows * cols; ++i) matrix.values.push_back(static_cast<float>(i));
  return matrix;
}

TEST_CASE("PoolMax returns a matrix that already fits unchanged") {
  Matrix matrix = Sequence(3, 4);
  Matrix pooled = PoolMax(matrix, 3, 4);
  CHECK(pooled.rows == 3);
  CHECK(pooled.cols == 4);
  CHECK(pooled.values == matrix.values);
}

TEST_CASE("PoolMax takes the maximum of each block, uneven blocks covering every cell") {
  // 5 columns into 2 blocks: [0, 2) and [2, 5); rows 0..1 hold 0..4 and 5..9.
  Matrix pooled = PoolMax(Sequence(2, 5), 2, 2);
  CHECK(pooled.rows == 2);
  CHECK(pooled.cols == 2);
  CHECK(pooled.values == std::vector<float>{1, 4, 6, 9});
  // 5 rows x 1 column into 2 row blocks: [0, 2) -> max(0, 1), [2, 5) -> max(2, 3, 4).
  CHECK(PoolMax(Sequence(5, 1), 2, 1).values == std::vector<float>{1, 4});
}

TEST_CASE("PoolMax keeps a single spike visible") {
  Matrix matrix{1000, 1000, std::vector<float>(1000 * 1000, 0.0f)};
  matrix.values[617 * 1000 + 383] = 1.0f;
  Matrix pooled = PoolMax(matrix, 10, 10);
  // Block k covers [100k, 100k + 100): the spike lands in block (6, 3).
  for (int64_t row = 0; row < 10; ++row) {
    for (int64_t col = 0; col < 10; ++col) {
      CHECK(pooled.at(row, col) == (row == 6 && col == 3 ? 1.0f : 0.0f));
    }
  }
}

TEST_CASE("PoolMax lets a bad cell win its block") {
  Matrix matrix{2, 2, {0.5f, kNaN, 0.1f, 0.2f}};
  Matrix pooled = PoolMax(matrix, 1, 1);
  CHECK(std::isnan(pooled.values[0]));
  Matrix with_inf{1, 2, {0.5f, INFINITY}};
  CHECK_FALSE(std::isfinite(PoolMax(with_inf, 1, 1).values[0]));
}

TEST_CASE("mean pooling averages each block") {
  // 2 x 4 into 1 x 2: blocks hold {0, 1, 4, 5} and {2, 3, 6, 7}.
  Matrix pooled = Pool(Sequence(2, 4), 1, 2, Pooling::kMean);
  CHECK(pooled.values == std::vector<float>{2.5f, 4.5f});
}

TEST_CASE("pooling leaves masked cells out and masks a block only when all its cells are") {
  // Row 0: 1 2 [9] [9]; row 1: 3 [9] [9] [9] (bracketed cells masked).
  Matrix matrix{2, 4, {1, 2, 9, 9, 3, 9, 9, 9}, {0, 0, 1, 1, 0, 1, 1, 1}};
  Matrix max = Pool(matrix, 1, 2, Pooling::kMax);
  CHECK(max.values[0] == 3);  // max of 1, 2, 3
  CHECK(max.masked == std::vector<uint8_t>{0, 1});
  Matrix mean = Pool(matrix, 1, 2, Pooling::kMean);
  CHECK(mean.values[0] == 2);  // (1 + 2 + 3) / 3
}

TEST_CASE("RasterizeCells paints masked cells in the masked colour") {
  Matrix matrix{1, 2, {0.5f, 0.0f}, {0, 1}};
  ColorScale scale{FindColormap("viridis"), 0, 1, {}};
  CellImage image = RasterizeCells(matrix, scale, {1, 2, 3, 255}, 10, 10);
  CHECK(image.argb[0] == PremultipliedArgb(FindColormap("viridis")->colors[128]));
  CHECK(image.argb[1] == 0xff010203u);
}

TEST_CASE("RasterizeCells colours each cell with the colormap, one pixel per cell") {
  const Colormap& greys = *FindColormap("Greys");
  Matrix matrix{1, 3, {0.0f, 0.5f, kNaN}};
  CellImage image = RasterizeCells(matrix, greys, 0, 1, 100, 100);
  REQUIRE(image.width == 3);
  REQUIRE(image.height == 1);
  CHECK(image.argb[0] == PremultipliedArgb(greys.colors[0]));
  CHECK(image.argb[1] == PremultipliedArgb(greys.colors[128]));
  CHECK(image.argb[2] == 0xffff00ffu);  // opaque magenta
}

// Cells at, just below and just above every entry boundary of [vmin, vmax], random values
// around the range, NaN and infinities, and a tail of 1 after whole groups of eight.
std::vector<float> ValuesAroundBoundaries(double vmin, double vmax) {
  std::vector<float> values;
  for (int k = 0; k <= Colormap::kSize; ++k) {
    const float boundary = static_cast<float>(vmin + k * (vmax - vmin) / Colormap::kSize);
    values.push_back(std::nextafter(boundary, -1.0f));
    values.push_back(boundary);
    values.push_back(std::nextafter(boundary, 2.0f));
  }
  uint32_t state = 7;
  for (int i = 0; i < 4000; ++i) {
    state = state * 1664525u + 1013904223u;
    const float unit = static_cast<float>(state >> 8) / 16777216.0f;
    values.push_back(static_cast<float>(vmin + (1.6 * unit - 0.3) * (vmax - vmin)));
  }
  for (size_t at : {5u, 300u, 1001u, 2222u}) values[at] = kNaN;
  values[17] = INFINITY;
  values[1500] = -INFINITY;
  values.push_back(static_cast<float>((vmin + vmax) / 2));
  return values;
}

TEST_CASE("RasterizeCells gives every cell matplotlib's entry, next to entry boundaries too") {
  // Eight cells at a time take a multiplication and fall back to matplotlib's division near a
  // boundary; every cell must get exactly the entry Colormap::Lookup (the division) gives.
  // 0.00814345758408308 in [0, 0.06514766067266464] is one where the two differ (entry 31 or 32).
  const Colormap& viridis = *FindColormap("viridis");
  for (auto [vmin, vmax] : {std::pair{0.1, 0.7}, std::pair{0.0, 0.06514766067266464}}) {
    std::vector<float> values = ValuesAroundBoundaries(vmin, vmax);
    values[3] = 0.00814345758408308f;
    Matrix matrix{1, static_cast<int64_t>(values.size()), values};
    matrix.masked.assign(values.size(), 0);
    for (size_t i = 0; i < values.size(); i += 7) matrix.masked[i] = 1;
    const Rgba hatch{1, 2, 3, 255};
    CellImage image = RasterizeCells(matrix, ColorScale{&viridis, vmin, vmax, {}}, hatch,
                                     static_cast<int>(values.size()), 1);
    REQUIRE(image.argb.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      INFO("scale " << vmin << " to " << vmax << ", cell " << i << ", value " << values[i]);
      const Rgba want = matrix.masked[i] ? hatch : viridis.Lookup(values[i], vmin, vmax);
      CHECK(image.argb[i] == PremultipliedArgb(want));
    }
  }
}

TEST_CASE("RasterizeCells pools a matrix larger than the pixel budget") {
  CellImage image = RasterizeCells(Sequence(8, 8), *FindColormap("viridis"), 0, 63, 4, 2);
  CHECK(image.width == 4);
  CHECK(image.height == 2);
}

TEST_CASE("PremultipliedArgb packs alpha, red, green, blue from high to low byte") {
  CHECK(PremultipliedArgb({0x12, 0x34, 0x56, 0xff}) == 0xff123456u);
  CHECK(PremultipliedArgb({255, 255, 255, 0}) == 0x00000000u);
  CHECK(PremultipliedArgb({255, 0, 0, 128}) == 0x80800000u);
}

TEST_CASE("Magnify repeats each pixel as a square block") {
  CellImage image{2, 1, {1, 2}};
  CellImage magnified = Magnify(image, 2);
  CHECK(magnified.width == 4);
  CHECK(magnified.height == 2);
  CHECK(magnified.argb == std::vector<uint32_t>{1, 1, 2, 2, 1, 1, 2, 2});
}

}  // namespace
}  // namespace attnviz
