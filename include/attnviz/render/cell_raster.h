// Matrix cells to pixels through a colour scale, pooled when there are more cells than pixels.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/png/png_encoder.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/matrix_bands.h"

namespace attnviz {

// Opaque premultiplied ARGB32 pixels (Cairo's layout), width x height, tightly packed.
struct CellImage {
  int width = 0;
  int height = 0;
  std::vector<uint32_t> argb;

  ArgbPixelsView view() const { return {argb.data(), width, height, width}; }
};

// How a block of cells becomes one pixel: its largest value (the default, so a single spike
// stays visible) or its mean.
enum class Pooling { kMax, kMean };

// `matrix` shrunk to at most max_rows x max_cols blocks; every row and column lands in some
// block (block k of n over count cells is [k * count / n, (k + 1) * count / n)), none is dropped.
// Masked cells take no part; a block is masked only when all its cells are. A non-finite value
// in a block's unmasked cells makes the block non-finite: bad cells stay visible too.
Matrix Pool(const Matrix& matrix, int64_t max_rows, int64_t max_cols, Pooling pooling);
Matrix PoolMax(const Matrix& matrix, int64_t max_rows, int64_t max_cols);
// The same read a band of rows at a time: the same blocks and values, whatever the bands.
Matrix Pool(const MatrixBands& bands, int64_t max_rows, int64_t max_cols, Pooling pooling);

// One pixel per cell (or pooled block), coloured by scale.Lookup(value); masked cells take
// `masked_color`.
CellImage RasterizeCells(const Matrix& matrix, const ColorScale& scale, Rgba masked_color,
                         int max_width, int max_height, Pooling pooling = Pooling::kMax);
// The same read a band of rows at a time: the same pixels, in memory that holds the image but
// never the matrix.
CellImage RasterizeCells(const MatrixBands& bands, const ColorScale& scale, Rgba masked_color,
                         int max_width, int max_height, Pooling pooling);
// The same on a linear scale from vmin to vmax.
CellImage RasterizeCells(const Matrix& matrix, const Colormap& colormap, double vmin, double vmax,
                         int max_width, int max_height);

// Each pixel repeated as a factor x factor block.
CellImage Magnify(const CellImage& image, int factor);

// The ARGB32 pixel for an sRGB colour.
uint32_t PremultipliedArgb(Rgba color);

}  // namespace attnviz
