// Colouring and pooling matrix cells into pixels.
#include "attnviz/render/cell_raster.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace attnviz {
namespace {

constexpr float kBad = std::numeric_limits<float>::quiet_NaN();

// What one block has seen of its unmasked cells.
struct BlockSummary {
  double sum = 0;
  int64_t finite = 0;
  float max = -std::numeric_limits<float>::infinity();
  bool bad = false;
  bool unmasked = false;

  void Add(float value) {
    unmasked = true;
    if (!std::isfinite(value)) {
      bad = true;
      return;
    }
    sum += value;
    ++finite;
    max = std::max(max, value);
  }

  float Value(Pooling pooling) const {
    if (bad) return kBad;
    if (!unmasked) return 0;
    return pooling == Pooling::kMax ? max : static_cast<float>(sum / static_cast<double>(finite));
  }
};

// Block k of `blocks` over `count` cells is [BlockStart(k), BlockStart(k + 1)).
int64_t BlockStart(int64_t k, int64_t count, int64_t blocks) { return k * count / blocks; }

// For each of `count` cells, the block holding it.
std::vector<int64_t> BlockOfEachCell(int64_t count, int64_t blocks) {
  std::vector<int64_t> block_of(count);
  for (int64_t k = 0; k < blocks; ++k) {
    int64_t end = BlockStart(k + 1, count, blocks);
    for (int64_t cell = BlockStart(k, count, blocks); cell < end; ++cell) block_of[cell] = k;
  }
  return block_of;
}

// Rows [begin, end) summarised into one BlockSummary per column block.
void SummarizeRowBlock(const Matrix& matrix, int64_t begin, int64_t end,
                       const std::vector<int64_t>& block_of, std::vector<BlockSummary>& out) {
  std::fill(out.begin(), out.end(), BlockSummary{});
  for (int64_t row = begin; row < end; ++row) {
    for (int64_t col = 0; col < matrix.cols; ++col) {
      if (matrix.is_masked(row, col)) continue;
      out[block_of[col]].Add(matrix.at(row, col));
    }
  }
}

// The scale's colours as ARGB32 pixels, converted once rather than per cell.
struct PixelTable {
  std::array<uint32_t, Colormap::kSize> entries;
  uint32_t bad;
  uint32_t masked;
  bool linear;
  double entries_per_unit;  // linear scales: 256 / (vmax - vmin)

  PixelTable(const ColorScale& scale, Rgba masked_color)
      : bad(PremultipliedArgb(kBadColor)),
        masked(PremultipliedArgb(masked_color)),
        linear(scale.norm.kind == NormKind::kLinear || scale.norm.kind == NormKind::kCentered),
        entries_per_unit(Colormap::kSize / (scale.vmax - scale.vmin)) {
    for (int i = 0; i < Colormap::kSize; ++i) {
      entries[i] = PremultipliedArgb(scale.colormap->colors[i]);
    }
  }

  // Exactly PremultipliedArgb(scale.Lookup(value)).
  uint32_t Pixel(const ColorScale& scale, float value) const {
    if (!std::isfinite(value)) return bad;
    if (!(scale.vmax > scale.vmin)) return entries[0];
    return entries[linear ? LinearIndex(scale, value) : ColormapIndex(scale.Normalize(value))];
  }

  // A multiplication instead of matplotlib's division, which differs from it only in the last
  // bits: near an entry boundary, where that could matter, the exact formula decides.
  int LinearIndex(const ColorScale& scale, double value) const {
    double position = (value - scale.vmin) * entries_per_unit;
    if (!(position > 0)) return 0;
    if (position >= Colormap::kSize) return Colormap::kSize - 1;
    double entry = std::floor(position);
    if (position - entry < 1e-9 || entry + 1 - position < 1e-9) {
      return ColormapIndex(scale.Normalize(value));
    }
    return static_cast<int>(entry);
  }
};

}  // namespace

uint32_t PremultipliedArgb(Rgba color) {
  auto premultiply = [&](uint32_t channel) { return (channel * color.a + 127) / 255; };
  return (uint32_t{color.a} << 24) | (premultiply(color.r) << 16) | (premultiply(color.g) << 8) |
         premultiply(color.b);
}

Matrix Pool(const Matrix& matrix, int64_t max_rows, int64_t max_cols, Pooling pooling) {
  int64_t rows = std::min(matrix.rows, std::max<int64_t>(max_rows, 1));
  int64_t cols = std::min(matrix.cols, std::max<int64_t>(max_cols, 1));
  if (rows == matrix.rows && cols == matrix.cols) return matrix;
  Matrix pooled{rows, cols, std::vector<float>(rows * cols), {}};
  if (!matrix.masked.empty()) pooled.masked.assign(rows * cols, 0);
  std::vector<int64_t> block_of = BlockOfEachCell(matrix.cols, cols);
  std::vector<BlockSummary> blocks(cols);
  for (int64_t k = 0; k < rows; ++k) {
    SummarizeRowBlock(matrix, BlockStart(k, matrix.rows, rows),
                      BlockStart(k + 1, matrix.rows, rows), block_of, blocks);
    for (int64_t col = 0; col < cols; ++col) {
      pooled.values[k * cols + col] = blocks[col].Value(pooling);
      if (!pooled.masked.empty()) pooled.masked[k * cols + col] = !blocks[col].unmasked;
    }
  }
  return pooled;
}

Matrix PoolMax(const Matrix& matrix, int64_t max_rows, int64_t max_cols) {
  return Pool(matrix, max_rows, max_cols, Pooling::kMax);
}

CellImage RasterizeCells(const Matrix& matrix, const ColorScale& scale, Rgba masked_color,
                         int max_width, int max_height, Pooling pooling) {
  bool fits = matrix.rows <= max_height && matrix.cols <= max_width;
  Matrix pooled = fits ? Matrix{} : Pool(matrix, max_height, max_width, pooling);
  const Matrix& cells = fits ? matrix : pooled;  // no copy of a large matrix that fits
  CellImage image{static_cast<int>(cells.cols), static_cast<int>(cells.rows), {}};
  image.argb.resize(cells.values.size());
  PixelTable table(scale, masked_color);
  for (size_t i = 0; i < cells.values.size(); ++i) {
    bool is_masked = !cells.masked.empty() && cells.masked[i];
    image.argb[i] = is_masked ? table.masked : table.Pixel(scale, cells.values[i]);
  }
  return image;
}

CellImage RasterizeCells(const Matrix& matrix, const Colormap& colormap, double vmin, double vmax,
                         int max_width, int max_height) {
  return RasterizeCells(matrix, ColorScale{&colormap, vmin, vmax, {}}, kBadColor, max_width,
                        max_height);
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
