// Matrices read in bands give the figures the whole matrix gives, byte for byte: masks found band
// by band (MaskShape) against MaskCells, pooling, rasters and whole heatmaps in PNG, SVG and PDF,
// on sizes that no band height or pooling factor divides.
#include "attnviz/render/matrix_bands.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/mask_shape.h"

namespace attnviz {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Values that vary from cell to cell without pattern (a fixed linear congruential sequence).
Matrix Noise(int64_t rows, int64_t cols, uint32_t seed) {
  Matrix matrix{rows, cols, {}};
  uint32_t state = seed;
  for (int64_t i = 0; i < rows * cols; ++i) {
    state = state * 1664525u + 1013904223u;
    matrix.values.push_back(static_cast<float>(state >> 8) / 16777216.0f);
  }
  return matrix;
}

// `matrix` with the cells right of the diagonal set to 0 (a causal head).
Matrix Causal(Matrix matrix) {
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = row + 1; col < matrix.cols; ++col)
      matrix.values[row * matrix.cols + col] = 0;
  }
  return matrix;
}

// `matrix` with rows and columns from the given index on set to 0 (padding at the end).
Matrix Padded(Matrix matrix, int64_t rows_from, int64_t cols_from) {
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = 0; col < matrix.cols; ++col) {
      if (row >= rows_from || col >= cols_from) matrix.values[row * matrix.cols + col] = 0;
    }
  }
  return matrix;
}

// Same values bit for bit (NaN equal to NaN) and same mask flags.
bool Identical(const Matrix& a, const Matrix& b) {
  return a.rows == b.rows && a.cols == b.cols && a.masked == b.masked &&
         a.values.size() == b.values.size() &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

// The flags a MaskShape gives every row of a rows x cols matrix, as MaskCells gives them: empty
// when it masks nothing.
std::vector<uint8_t> AllFlags(const MaskShape& shape, int64_t rows, int64_t cols) {
  if (!shape.any()) return {};
  std::vector<uint8_t> flags(static_cast<size_t>(rows * cols));
  shape.Flags(0, rows, flags.data());
  return flags;
}

MaskShape DetectInBands(const Matrix& matrix, int64_t band_rows, int* reads = nullptr) {
  return MaskShape::Detect(matrix.rows, matrix.cols, band_rows,
                           [&](int64_t first, int64_t count, std::vector<float>& scratch) {
                             if (reads) ++*reads;
                             scratch.assign(matrix.values.begin() + first * matrix.cols,
                                            matrix.values.begin() + (first + count) * matrix.cols);
                             return std::span<const float>(scratch);
                           });
}

std::vector<Matrix> MaskCases() {
  Matrix nan_above = Causal(Noise(9, 9, 5));
  nan_above.values[2 * 9 + 7] = kNaN;  // not a zero: not causal
  return {Noise(7, 11, 1),
          Causal(Noise(13, 13, 2)),
          Padded(Noise(13, 10, 3), 11, 7),
          Padded(Causal(Noise(17, 17, 4)), 14, 14),
          nan_above,
          Padded(Noise(5, 6, 6), 5, 0),  // all zero: data, never padding
          Padded(Noise(1, 9, 7), 1, 6),
          Padded(Noise(8, 1, 8), 6, 1),
          Causal(Noise(1, 1, 9)),
          Noise(2, 2, 10)};
}

TEST_CASE("a mask found band by band is the mask MaskCells finds in the whole matrix") {
  for (const Matrix& matrix : MaskCases()) {
    for (int64_t band_rows : {1, 2, 3, 5, 64}) {
      CAPTURE(matrix.rows);
      CAPTURE(matrix.cols);
      CAPTURE(band_rows);
      CHECK(AllFlags(DetectInBands(matrix, band_rows), matrix.rows, matrix.cols) ==
            MaskCells(matrix, MaskMode::kDetect));
    }
    for (MaskMode mode : {MaskMode::kCausal, MaskMode::kNone}) {
      CHECK(AllFlags(MaskShape::Fixed(matrix.rows, matrix.cols, mode), matrix.rows, matrix.cols) ==
            MaskCells(matrix, mode));
    }
  }
}

TEST_CASE("a mask shape gives the flags of any band of rows") {
  Matrix matrix = Padded(Causal(Noise(17, 17, 4)), 14, 15);
  const MaskShape shape = DetectInBands(matrix, 4);
  const std::vector<uint8_t> whole = MaskCells(matrix, MaskMode::kDetect);
  std::vector<uint8_t> band(3 * 17);
  shape.Flags(12, 3, band.data());
  CHECK(band == std::vector<uint8_t>(whole.begin() + 12 * 17, whole.begin() + 15 * 17));
}

TEST_CASE("detecting no mask reads the last row and the first band only") {
  int reads = 0;
  CHECK_FALSE(DetectInBands(Noise(100, 30, 11), 10, &reads).any());
  CHECK(reads == 2);
  reads = 0;
  CHECK(DetectInBands(Causal(Noise(30, 30, 12)), 7, &reads).any());
  CHECK(reads == 1 + 5);  // a causal head is read through: rows 0-28 in bands of 7, and row 29
}

// The cases pooled below: sizes no band height or pooling factor divides, masked or not, with NaN
// and infinity.
std::vector<Matrix> PoolCases() {
  Matrix masked = Padded(Causal(Noise(53, 53, 21)), 50, 47);
  masked.masked = MaskCells(masked, MaskMode::kDetect);
  Matrix bad = Noise(41, 67, 22);
  bad.values[5 * 67 + 9] = kNaN;
  bad.values[33 * 67 + 60] = INFINITY;
  return {Noise(37, 29, 20), masked, bad};
}

TEST_CASE("pooling a matrix read in bands gives the blocks pooling it whole gives") {
  for (const Matrix& matrix : PoolCases()) {
    for (int64_t band_rows : {1, 4, 7, 100}) {
      const WholeMatrixBands bands(matrix, band_rows);
      for (Pooling pooling : {Pooling::kMax, Pooling::kMean}) {
        for (auto [rows, cols] : {std::pair{5, 6}, {13, 11}, {1, 1}, {200, 3}, {500, 500}}) {
          CAPTURE(band_rows);
          CAPTURE(rows);
          CAPTURE(cols);
          CHECK(Identical(Pool(bands, rows, cols, pooling), Pool(matrix, rows, cols, pooling)));
        }
      }
    }
  }
}

TEST_CASE("rasterizing a matrix read in bands gives the pixels of the whole, pooled or not") {
  const ColorScale scale{&ColormapOrThrow("viridis"), 0, 0.9, {}};
  for (const Matrix& matrix : PoolCases()) {
    const WholeMatrixBands bands(matrix, 6);
    for (auto [width, height] : {std::pair{10, 7}, {300, 300}}) {
      CellImage banded = RasterizeCells(bands, scale, kBadColor, width, height, Pooling::kMax);
      CellImage whole = RasterizeCells(matrix, scale, kBadColor, width, height, Pooling::kMax);
      CHECK(banded.width == whole.width);
      CHECK(banded.height == whole.height);
      CHECK(banded.argb == whole.argb);
    }
  }
}

// The heatmap of `matrix` drawn from the whole matrix, and from bands of 5 rows.
std::pair<std::string, std::string> BothWays(const Matrix& matrix, ImageFormat format,
                                             const RenderOptions& options, Pooling pooling) {
  HeatmapSpec whole;
  whole.matrix = matrix;
  whole.title = "bands";
  whole.pooling = pooling;
  HeatmapSpec banded = whole;
  banded.bands = std::make_shared<WholeMatrixBands>(matrix, 5);
  banded.matrix = Matrix{matrix.rows, matrix.cols, {}};
  return {RenderHeatmap(whole, format, options), RenderHeatmap(banded, format, options)};
}

TEST_CASE("a heatmap drawn from bands is byte-identical to one drawn from the whole matrix") {
  Matrix masked = Padded(Causal(Noise(301, 301, 30)), 290, 280);
  masked.values[7 * 301 + 3] = kNaN;
  masked.masked = MaskCells(masked, MaskMode::kDetect);
  RenderOptions small;
  small.width_pt = 180;  // pooled: fewer pixels than cells
  RenderOptions bare;
  bare.bare = true;  // one pixel per cell
  for (const Matrix& matrix : {Noise(71, 97, 31), masked, Noise(2100, 67, 32)}) {
    for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
      for (const RenderOptions& options : {RenderOptions{}, small, bare}) {
        CAPTURE(matrix.rows);
        CAPTURE(static_cast<int>(format));
        CAPTURE(options.bare);
        auto [whole, banded] = BothWays(matrix, format, options, Pooling::kMean);
        CHECK(whole == banded);
      }
    }
  }
}

TEST_CASE("small and annotated heatmaps from bands are read whole and drawn the same") {
  for (const Matrix& matrix : {Noise(9, 12, 40), Noise(40, 70, 41)}) {
    auto [whole, banded] = BothWays(matrix, ImageFormat::kSvg, {}, Pooling::kMax);
    CHECK(whole == banded);
  }
}

}  // namespace
}  // namespace attnviz
