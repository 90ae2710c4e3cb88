// Cells as one nearest-filtered raster (pooled to the output's resolution) or as rectangles,
// and the hatching of masked cells.
#include "cell_painter.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "figure_style.h"

namespace attnviz {
namespace {

// Each rectangle reaches one cell further right and down, under neighbours drawn later: a pixel
// on a cell edge is then fully covered by the earlier cell before the later one blends in, so
// antialiasing never lets the white page show through as seams (a fixed small overlap fails at
// some zoom levels). A neighbour's overlap still tints an antialiased edge faintly, so the SVG
// also asks for crisp edges (CleanUpSvg); the overlap stays for viewers that ignore that.
constexpr int64_t kCellsCovered = 2;

// Beyond 8x, a vector-format raster of a small map grows the file for no visible gain.
constexpr int kMaxMagnification = 8;

// Hatch lines are this thin relative to their spacing: visible, yet the cell reads as a tint.
constexpr double kHatchWidthRatio = 0.18;

// Below this many points a side, cells are specks (a grid's panels): one raster is lighter.
constexpr double kMinVectorCell = 2;

// Rasters in PDF and SVG get at most this many pixels per point (288 dpi): beyond it,
// magnification only grows the file.
constexpr double kMaxVectorRasterDensity = 4;

bool DrawAsVectors(const Canvas& canvas, const Matrix& matrix, const Rect& area) {
  return canvas.format() == ImageFormat::kSvg && matrix.rows <= kMaxSvgVectorCells &&
         matrix.cols <= kMaxSvgVectorCells && area.width / matrix.cols >= kMinVectorCell &&
         area.height / matrix.rows >= kMinVectorCell;
}

// The most pixels the raster needs: the device pixels `area` covers (at least one), or for the
// vector formats a fixed cap.
Size RasterLimit(const Canvas& canvas, const Rect& area) {
  if (canvas.format() != ImageFormat::kPng) {
    return {double{kMaxVectorRasterPixels}, double{kMaxVectorRasterPixels}};
  }
  double scale = canvas.pixels_per_point();
  return {std::max(1.0, std::floor(area.width * scale + 1e-6)),
          std::max(1.0, std::floor(area.height * scale + 1e-6))};
}

// The magnification that brings a vector-format raster toward kMinVectorRasterPixels, short
// of kMaxVectorRasterDensity: a grid's small panels stay near their cell count.
int ViewerMagnification(const Canvas& canvas, const CellImage& image, const Rect& area) {
  if (canvas.format() == ImageFormat::kPng) return 1;
  int side = std::max(image.width, image.height);
  int toward_target = (kMinVectorRasterPixels + side - 1) / side;
  int density_cap = static_cast<int>(
      kMaxVectorRasterDensity * std::min(area.width / image.width, area.height / image.height));
  return std::clamp(std::min(toward_target, density_cap), 1, kMaxMagnification);
}

CellImage MagnifiedForViewers(const Canvas& canvas, CellImage image, const Rect& area) {
  int magnification = ViewerMagnification(canvas, image, area);
  if (magnification > 1) return Magnify(image, magnification);
  return image;
}

// A run of masked cells [begin, end) in rows [top, bottom).
struct MaskedBlock {
  int64_t top, bottom, begin, end;
};

std::vector<std::pair<int64_t, int64_t>> MaskedRuns(const uint8_t* flags, int64_t cols) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t col = 0; col < cols;) {
    if (!flags[col]) {
      ++col;
      continue;
    }
    int64_t begin = col;
    while (col < cols && flags[col]) ++col;
    runs.push_back({begin, col});
  }
  return runs;
}

// The masked cells as few rectangles, built a row at a time: runs along each row, merged down
// while rows repeat them (a padded column is one block, a causal triangle one block per row).
class MaskedBlockBuilder {
 public:
  void AddRow(const uint8_t* flags, int64_t cols) {
    std::vector<MaskedBlock> next;
    for (const auto& [begin, end] : MaskedRuns(flags, cols)) {
      auto same = std::find_if(open_.begin(), open_.end(), [&](const MaskedBlock& block) {
        return block.begin == begin && block.end == end;
      });
      if (same != open_.end()) {
        next.push_back({same->top, row_ + 1, begin, end});
        open_.erase(same);
      } else {
        next.push_back({row_, row_ + 1, begin, end});
      }
    }
    blocks_.insert(blocks_.end(), open_.begin(), open_.end());
    open_ = std::move(next);
    ++row_;
  }

  std::vector<MaskedBlock> Finish() {
    blocks_.insert(blocks_.end(), open_.begin(), open_.end());
    open_.clear();
    return std::move(blocks_);
  }

 private:
  std::vector<MaskedBlock> blocks_, open_;
  int64_t row_ = 0;
};

std::vector<MaskedBlock> MaskedBlocks(const Matrix& matrix) {
  MaskedBlockBuilder builder;
  for (int64_t row = 0; row < matrix.rows; ++row) {
    builder.AddRow(matrix.masked.data() + row * matrix.cols, matrix.cols);
  }
  return builder.Finish();
}

// The same from the mask flags alone, a band of rows at a time.
std::vector<MaskedBlock> MaskedBlocks(const MatrixBands& bands) {
  MaskedBlockBuilder builder;
  std::vector<uint8_t> flags;
  const int64_t step = std::max<int64_t>(1, bands.band_rows()), cols = bands.cols();
  for (int64_t first = 0; first < bands.rows(); first += step) {
    const int64_t count = std::min(step, bands.rows() - first);
    bands.ReadMask(first, count, flags);
    for (int64_t row = 0; row < count; ++row) builder.AddRow(flags.data() + row * cols, cols);
  }
  return builder.Finish();
}

// Diagonal lines over `blocks` of the rows x cols cells drawn over `area`.
void HatchBlocks(cairo_t* cr, const std::vector<MaskedBlock>& blocks, int64_t rows, int64_t cols,
                 const CellColoring& coloring, const Rect& area) {
  if (blocks.empty()) return;
  double cell_width = area.width / cols, cell_height = area.height / rows;
  cairo_save(cr);
  for (const MaskedBlock& block : blocks) {
    cairo_rectangle(cr, area.x + block.begin * cell_width, area.y + block.top * cell_height,
                    (block.end - block.begin) * cell_width,
                    (block.bottom - block.top) * cell_height);
  }
  cairo_clip(cr);
  // Lines at 45 degrees (up to the right), anchored to the area so neighbouring blocks line up.
  double spacing = coloring.hatch_spacing;
  for (double offset = spacing / 2; offset < area.width + area.height; offset += spacing) {
    cairo_move_to(cr, area.x + offset, area.y);
    cairo_line_to(cr, area.x + offset - area.height, area.bottom());
  }
  SetSourceColor(cr, coloring.masked_hatch);
  cairo_set_line_width(cr, spacing * kHatchWidthRatio);
  cairo_stroke(cr);
  cairo_restore(cr);
}

}  // namespace

void PaintCellRectangles(cairo_t* cr, const Matrix& matrix, const CellColoring& coloring,
                         const Rect& area) {
  double cell_width = area.width / matrix.cols, cell_height = area.height / matrix.rows;
  cairo_save(cr);
  // Marks the cells for CleanUpSvg, which makes them crisp; a rectangle fills alike either way.
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = 0; col < matrix.cols; ++col) {
      Rgba color = matrix.is_masked(row, col) ? coloring.masked_fill
                                              : coloring.scale.Lookup(matrix.at(row, col));
      int64_t cols_covered = std::min(kCellsCovered, matrix.cols - col);
      int64_t rows_covered = std::min(kCellsCovered, matrix.rows - row);
      SetSourceColor(cr, color);
      cairo_rectangle(cr, area.x + col * cell_width, area.y + row * cell_height,
                      cols_covered * cell_width, rows_covered * cell_height);
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
}

void PaintMaskHatch(cairo_t* cr, const Matrix& matrix, const CellColoring& coloring,
                    const Rect& area) {
  if (matrix.masked.empty()) return;
  HatchBlocks(cr, MaskedBlocks(matrix), matrix.rows, matrix.cols, coloring, area);
}

void PaintMaskHatch(cairo_t* cr, const MatrixBands& bands, const CellColoring& coloring,
                    const Rect& area) {
  if (!bands.masked()) return;
  HatchBlocks(cr, MaskedBlocks(bands), bands.rows(), bands.cols(), coloring, area);
}

std::optional<CellImage> CellRaster(const Canvas& canvas, const Matrix& matrix,
                                    const CellColoring& coloring, const Rect& area) {
  if (DrawAsVectors(canvas, matrix, area)) return std::nullopt;
  Size limit = RasterLimit(canvas, area);
  CellImage image =
      RasterizeCells(matrix, coloring.scale, coloring.masked_fill, static_cast<int>(limit.width),
                     static_cast<int>(limit.height), coloring.pooling);
  return MagnifiedForViewers(canvas, std::move(image), area);
}

void PaintCells(Canvas& canvas, const Matrix& matrix, const CellColoring& coloring,
                const Rect& area, const std::optional<CellImage>& raster) {
  if (raster) {
    PaintPixelated(canvas.cr(), raster->view(), area);
  } else {
    PaintCellRectangles(canvas.cr(), matrix, coloring, area);
  }
  PaintMaskHatch(canvas.cr(), matrix, coloring, area);
}

void PaintCells(Canvas& canvas, const Matrix& matrix, const CellColoring& coloring,
                const Rect& area) {
  PaintCells(canvas, matrix, coloring, area, CellRaster(canvas, matrix, coloring, area));
}

void PaintCells(Canvas& canvas, const MatrixBands& bands, const CellColoring& coloring,
                const Rect& area) {
  Size limit = RasterLimit(canvas, area);
  CellImage image =
      RasterizeCells(bands, coloring.scale, coloring.masked_fill, static_cast<int>(limit.width),
                     static_cast<int>(limit.height), coloring.pooling);
  image = MagnifiedForViewers(canvas, std::move(image), area);
  PaintPixelated(canvas.cr(), image.view(), area);
  PaintMaskHatch(canvas.cr(), bands, coloring, area);
}

}  // namespace attnviz
