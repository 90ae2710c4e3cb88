// Matrix cells to pixels through a colormap, max-pooled when there are more cells than pixels.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/render/colormap.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/png_encoder.h"

namespace attnviz {

// Opaque premultiplied ARGB32 pixels (Cairo's layout), width x height, tightly packed.
struct CellImage {
  int width = 0;
  int height = 0;
  std::vector<uint32_t> argb;

  ArgbPixelsView view() const { return {argb.data(), width, height, width}; }
};

// `matrix` shrunk to at most max_rows x max_cols by taking the maximum of each block of cells,
// so a single spike stays visible; every row and column lands in some block, none is dropped.
// A block holding a non-finite value stays non-finite: bad cells stay visible too.
Matrix PoolMax(const Matrix& matrix, int64_t max_rows, int64_t max_cols);

// One pixel per cell, coloured by colormap.Lookup(value, vmin, vmax); pooled with PoolMax first
// when the matrix is larger than max_width x max_height.
CellImage RasterizeCells(const Matrix& matrix, const Colormap& colormap, double vmin, double vmax,
                         int max_width, int max_height);

// Each pixel repeated as a factor x factor block.
CellImage Magnify(const CellImage& image, int factor);

// The ARGB32 pixel for an sRGB colour.
uint32_t PremultipliedArgb(Rgba color);

}  // namespace attnviz
