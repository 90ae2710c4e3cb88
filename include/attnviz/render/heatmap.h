// The heatmap figure: one attention matrix with token labels, colorbar, title and cell values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/matrix_bands.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// Maps with at most this many rows and columns show their values in the cells by default.
inline constexpr int64_t kMaxAutoAnnotatedCells = 32;

struct HeatmapSpec {
  Matrix matrix;  // masked cells (matrix.masked) are hatched
  // When set, the cells are read from here a band of rows at a time and `matrix` holds only
  // their shape (rows and cols, no values): a head larger than memory is pooled as it streams,
  // into the same figure. Small maps and annotated ones are read whole.
  std::shared_ptr<const MatrixBands> bands;
  std::vector<std::string> row_labels;  // query tokens; empty: row indices are shown
  std::vector<std::string> col_labels;  // key tokens; empty: column indices are shown
  // The index of the first row and column, for index labels of a crop (queries 100:200 are
  // labelled from 100).
  int64_t first_row_index = 0;
  int64_t first_col_index = 0;
  std::string title;
  std::string row_axis_title = "query";
  std::string col_axis_title = "key";
  std::string colormap = "viridis";  // a name accepted by FindColormap
  Norm norm;
  std::optional<double> vmin;  // defaults: see ResolveColorScale
  std::optional<double> vmax;
  Pooling pooling = Pooling::kMax;  // when there are more cells than pixels
  // Values written in the cells; nullopt: when both sides are at most kMaxAutoAnnotatedCells.
  std::optional<bool> annotate;
  // With an automatic size, cells are at least this many points square, as far as the matrix
  // stays within 10 in: small summary maps (layers x heads) ask for kSummaryCell so their values
  // read in print. 0: no minimum.
  double min_cell = 0;
};

// The cell of a small summary map (a value per layer and head): 0.5 in, values legible in print.
inline constexpr double kSummaryCell = 36;

// Where the heatmap's parts land on its page, in points (y down).
struct HeatmapLayout {
  Size page;
  Rect matrix;
  Rect colorbar;                        // empty when bare
  std::vector<Rect> text_bounds;        // every piece of text: labels, tick values, titles
  std::vector<Rect> annotation_bounds;  // the values in the cells, row by row
  int64_t row_label_step = 1;           // every k-th row is labelled (rows start at 0)
  int64_t col_label_step = 1;
  double annotation_size = 0;  // points; 0 when the cells carry no values
  double row_label_size = 0;   // points: token labels shrink to fit their cells, down to 6 pt
  double col_label_size = 0;
};

// The layout RenderHeatmap draws. With an automatic size, cells are as tall as a label line
// (x1.25) so every token label fits, up to a 10 in matrix (6.5 in for index labels), and wide
// enough for their values when annotated; beyond that, and at fixed sizes too small for them,
// token labels shrink down to 6 pt, then every k-th is shown and the axis title says so
// ("key (every 2nd token labelled)"); values shrink (below 4 pt they are left out). Throws like
// RenderHeatmap.
HeatmapLayout LayoutHeatmap(const HeatmapSpec& spec, const RenderOptions& options = {});

// Draws the heatmap and returns the encoded file. Throws Error(kUsage) for an unknown colormap,
// bad limits, label counts that do not match the matrix, out-of-range options, or a fixed size
// too small for the labels.
std::string RenderHeatmap(const HeatmapSpec& spec, ImageFormat format,
                          const RenderOptions& options = {});

// One PDF with a page per heatmap, each page sized to its figure. Throws like RenderHeatmap.
std::string RenderHeatmapPages(const std::vector<HeatmapSpec>& specs,
                               const RenderOptions& options = {});
// The same for `count` heatmaps made one at a time by spec_of(0), spec_of(1), ..., so a long
// document never holds every matrix at once.
std::string RenderHeatmapPages(size_t count, const std::function<HeatmapSpec(size_t)>& spec_of,
                               const RenderOptions& options = {});

}  // namespace attnviz
