// Colouring and max-pooling matrix cells into pixels.
#include "attnviz/render/cell_raster.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnviz {
namespace {

constexpr float kBad = std::numeric_limits<float>::quiet_NaN();

// The larger value, or NaN when either is not finite: a pooled block shows bad if any cell is.
float MaxOrBad(float a, float b) {
  if (!std::isfinite(a) || !std::isfinite(b)) return kBad;
  return std::max(a, b);
}

// Block k of `blocks` over `count` cells is [BlockStart(k), BlockStart(k + 1)).
int64_t BlockStart(int64_t k, int64_t count, int64_t blocks) { return k * count / blocks; }

// Each row reduced to `cols` column blocks.
Matrix PoolColumns(const Matrix& matrix, int64_t cols) {
  Matrix pooled{matrix.rows, cols, std::vector<float>(matrix.rows * cols)};
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t block = 0; block < cols; ++block) {
      int64_t begin = BlockStart(block, matrix.cols, cols);
      int64_t end = BlockStart(block + 1, matrix.cols, cols);
      float value = matrix.at(row, begin);
      for (int64_t col = begin + 1; col < end; ++col) value = MaxOrBad(value, matrix.at(row, col));
      pooled.values[row * cols + block] = value;
    }
  }
  return pooled;
}

// Each column reduced to `rows` row blocks.
Matrix PoolRows(const Matrix& matrix, int64_t rows) {
  Matrix pooled{rows, matrix.cols, std::vector<float>(rows * matrix.cols)};
  for (int64_t block = 0; block < rows; ++block) {
    int64_t begin = BlockStart(block, matrix.rows, rows);
    int64_t end = BlockStart(block + 1, matrix.rows, rows);
    float* out = &pooled.values[block * matrix.cols];
    std::copy_n(&matrix.values[begin * matrix.cols], matrix.cols, out);
    for (int64_t row = begin + 1; row < end; ++row) {
      for (int64_t col = 0; col < matrix.cols; ++col)
        out[col] = MaxOrBad(out[col], matrix.at(row, col));
    }
  }
  return pooled;
}

}  // namespace

uint32_t PremultipliedArgb(Rgba color) {
  auto premultiply = [&](uint32_t channel) { return (channel * color.a + 127) / 255; };
  return (uint32_t{color.a} << 24) | (premultiply(color.r) << 16) | (premultiply(color.g) << 8) |
         premultiply(color.b);
}

Matrix PoolMax(const Matrix& matrix, int64_t max_rows, int64_t max_cols) {
  max_rows = std::max<int64_t>(max_rows, 1);
  max_cols = std::max<int64_t>(max_cols, 1);
  if (matrix.rows <= max_rows && matrix.cols <= max_cols) return matrix;
  Matrix pooled = matrix.cols > max_cols ? PoolColumns(matrix, max_cols) : matrix;
  return pooled.rows > max_rows ? PoolRows(pooled, max_rows) : pooled;
}

CellImage RasterizeCells(const Matrix& matrix, const Colormap& colormap, double vmin, double vmax,
                         int max_width, int max_height) {
  bool fits = matrix.rows <= max_height && matrix.cols <= max_width;
  Matrix pooled = fits ? Matrix{} : PoolMax(matrix, max_height, max_width);
  const Matrix& cells = fits ? matrix : pooled;  // no copy of a large matrix that fits
  CellImage image{static_cast<int>(cells.cols), static_cast<int>(cells.rows), {}};
  image.argb.reserve(cells.values.size());
  for (float value : cells.values) {
    image.argb.push_back(PremultipliedArgb(colormap.Lookup(value, vmin, vmax)));
  }
  return image;
}

CellImage Magnify(const CellImage& image, int factor) {
  CellImage magnified{image.width * factor, image.height * factor, {}};
  magnified.argb.reserve(static_cast<size_t>(magnified.width) * magnified.height);
  for (int y = 0; y < magnified.height; ++y) {
    const uint32_t* row = &image.argb[static_cast<size_t>(y / factor) * image.width];
    for (int x = 0; x < magnified.width; ++x) magnified.argb.push_back(row[x / factor]);
  }
  return magnified;
}

}  // namespace attnviz
