// Painting matrix cells into a rectangle of a canvas: one raster, or vector cells for small SVGs.
#pragma once

#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/matrix.h"
#include "canvas.h"

namespace attnviz {

// SVG maps up to this many cells a side are drawn as rectangles: crisp in every browser and in
// rsvg, and still small files (64 x 64 cells is about 0.5 MB). Larger ones are one raster.
inline constexpr int64_t kMaxSvgVectorCells = 64;

// PDF and SVG rasters are max-pooled down to this many pixels a side; PNG rasters to the
// device pixels the rectangle covers.
inline constexpr int kMaxVectorRasterPixels = 2048;

// Small PDF and SVG rasters are magnified (each cell an n x n block, n <= 8) to about this many
// pixels a side: viewers that smooth images regardless (librsvg; poppler below 4x) then blur only
// a thin band at cell edges.
inline constexpr int kMinVectorRasterPixels = 1024;

struct CellColoring {
  const Colormap* colormap = nullptr;
  double vmin = 0;
  double vmax = 1;
};

// The matrix over `area`, as the format suits: see the constants above.
void PaintCells(Canvas& canvas, const Matrix& matrix, const CellColoring& coloring,
                const Rect& area);

// The matrix over `area` as one filled rectangle per cell, seamless at any zoom.
void PaintCellRectangles(cairo_t* cr, const Matrix& matrix, const CellColoring& coloring,
                         const Rect& area);

}  // namespace attnviz
