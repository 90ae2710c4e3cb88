// Cells as one nearest-filtered raster (pooled to the output's resolution) or as rectangles.
#include "cell_painter.h"

#include <algorithm>
#include <cmath>

#include "attnviz/render/cell_raster.h"

namespace attnviz {
namespace {

// Each rectangle reaches one cell further right and down, under neighbours drawn later: a pixel
// on a cell edge is then fully covered by the earlier cell before the later one blends in, so
// antialiasing never lets the white page show through as seams (a fixed small overlap fails at
// some zoom levels).
constexpr int64_t kCellsCovered = 2;

// Beyond 8x, a vector-format raster of a small map grows the file for no visible gain.
constexpr int kMaxMagnification = 8;

bool DrawAsVectors(const Canvas& canvas, const Matrix& matrix) {
  return canvas.format() == ImageFormat::kSvg && matrix.rows <= kMaxSvgVectorCells &&
         matrix.cols <= kMaxSvgVectorCells;
}

// The most pixels the raster needs: the device pixels `area` covers (at least one), or for the
// vector formats a fixed cap.
Size RasterLimit(const Canvas& canvas, const Rect& area) {
  if (canvas.format() != ImageFormat::kPng) {
    return {double{kMaxVectorRasterPixels}, double{kMaxVectorRasterPixels}};
  }
  double scale = canvas.pixels_per_point();
  return {std::max(1.0, std::floor(area.width * scale)),
          std::max(1.0, std::floor(area.height * scale))};
}

// The magnification that brings a vector-format raster toward kMinVectorRasterPixels.
int ViewerMagnification(const Canvas& canvas, const CellImage& image) {
  if (canvas.format() == ImageFormat::kPng) return 1;
  int side = std::max(image.width, image.height);
  return std::clamp((kMinVectorRasterPixels + side - 1) / side, 1, kMaxMagnification);
}

}  // namespace

void PaintCellRectangles(cairo_t* cr, const Matrix& matrix, const CellColoring& coloring,
                         const Rect& area) {
  double cell_width = area.width / matrix.cols, cell_height = area.height / matrix.rows;
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = 0; col < matrix.cols; ++col) {
      Rgba color = coloring.colormap->Lookup(matrix.at(row, col), coloring.vmin, coloring.vmax);
      int64_t cols_covered = std::min(kCellsCovered, matrix.cols - col);
      int64_t rows_covered = std::min(kCellsCovered, matrix.rows - row);
      cairo_set_source_rgba(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0, color.a / 255.0);
      cairo_rectangle(cr, area.x + col * cell_width, area.y + row * cell_height,
                      cols_covered * cell_width, rows_covered * cell_height);
      cairo_fill(cr);
    }
  }
}

void PaintCells(Canvas& canvas, const Matrix& matrix, const CellColoring& coloring,
                const Rect& area) {
  if (DrawAsVectors(canvas, matrix)) {
    PaintCellRectangles(canvas.cr(), matrix, coloring, area);
    return;
  }
  Size limit = RasterLimit(canvas, area);
  CellImage image = RasterizeCells(matrix, *coloring.colormap, coloring.vmin, coloring.vmax,
                                   static_cast<int>(limit.width), static_cast<int>(limit.height));
  int magnification = ViewerMagnification(canvas, image);
  if (magnification > 1) image = Magnify(image, magnification);
  PaintPixelated(canvas.cr(), image.view(), area);
}

}  // namespace attnviz
