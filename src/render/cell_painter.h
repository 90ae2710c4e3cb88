// Painting matrix cells into a rectangle of a canvas: one raster, or vector cells for small SVGs,
// with masked cells hatched on top.
#pragma once

#include <optional>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/matrix_bands.h"
#include "canvas.h"

namespace attnviz {

// SVG maps up to this many cells a side, with cells at least 2 pt wide, are drawn as
// rectangles: crisp in every browser and in rsvg, and still small files (64 x 64 cells is about
// 0.5 MB). Larger ones, and a grid's small panels, are one raster.
inline constexpr int64_t kMaxSvgVectorCells = 64;

// PDF and SVG rasters are pooled down to this many pixels a side; PNG rasters to the device
// pixels the rectangle covers.
inline constexpr int kMaxVectorRasterPixels = 2048;

// Small PDF and SVG rasters are magnified (each cell an n x n block, n <= 8, and at most 4 pixels
// per point) to about this many pixels a side: viewers that smooth images regardless (librsvg;
// poppler below 4x) then blur only a thin band at cell edges.
inline constexpr int kMinVectorRasterPixels = 1024;

struct CellColoring {
  ColorScale scale;
  Pooling pooling = Pooling::kMax;
  Rgba masked_fill{232, 232, 232, 255};
  Rgba masked_hatch{128, 128, 128, 255};
  double hatch_spacing = 3;  // points between the hatch lines of masked cells
};

// The matrix over `area`, as the format suits (see the constants above); masked cells hatched.
void PaintCells(Canvas& canvas, const Matrix& matrix, const CellColoring& coloring,
                const Rect& area);

// The raster PaintCells would draw for `matrix` over `area`, or nullopt where it draws one
// rectangle per cell instead. Reads the canvas's format and resolution only, so several threads
// may prepare rasters for one canvas at once.
std::optional<CellImage> CellRaster(const Canvas& canvas, const Matrix& matrix,
                                    const CellColoring& coloring, const Rect& area);

// PaintCells with the raster CellRaster gave for the same arguments.
void PaintCells(Canvas& canvas, const Matrix& matrix, const CellColoring& coloring,
                const Rect& area, const std::optional<CellImage>& raster);

// PaintCells for a matrix read in bands, which never draws it as rectangles: a raster pooled
// band by band, the same pixels PaintCells draws for the whole matrix; masked cells hatched.
void PaintCells(Canvas& canvas, const MatrixBands& bands, const CellColoring& coloring,
                const Rect& area);

// The matrix over `area` as one filled rectangle per cell, seamless at any zoom; masked cells
// in the masked fill.
void PaintCellRectangles(cairo_t* cr, const Matrix& matrix, const CellColoring& coloring,
                         const Rect& area);

// Diagonal lines over the masked cells of `matrix` drawn over `area`.
void PaintMaskHatch(cairo_t* cr, const Matrix& matrix, const CellColoring& coloring,
                    const Rect& area);
// The same over the mask flags of a matrix read in bands.
void PaintMaskHatch(cairo_t* cr, const MatrixBands& bands, const CellColoring& coloring,
                    const Rect& area);

}  // namespace attnviz
