// The model view: layers x heads small multiples, one small heatmap panel per head, with row and
// column labels, a caption under each panel and one colorbar.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

enum class GridScale {
  kShared,   // one colour scale for every panel: heads compare directly
  kPerPanel  // each panel from its own minimum to its own maximum: every head's pattern shows
};

struct GridSpec {
  int64_t rows = 0;        // panels down (layers)
  int64_t cols = 0;        // panels across (heads)
  int64_t panel_rows = 0;  // each panel's matrix: queries...
  int64_t panel_cols = 0;  // ...by keys
  // The matrix of panel (row, col), panel_rows x panel_cols, masked cells marked. Called while
  // drawing, once per panel, or twice when limits come from the data and the panels together
  // exceed kept_panel_bytes: a 32 x 32 grid of long sequences never holds every head in memory.
  // Calls come from up to RenderOptions::threads threads at once.
  std::function<Matrix(int64_t row, int64_t col)> panel;
  size_t kept_panel_bytes = size_t{256} << 20;  // see `panel`
  std::vector<std::string> row_labels;          // empty: 0-based indices
  std::vector<std::string> col_labels;
  // Empty, or one per column: runs of equal names are groups (the key/value heads of
  // grouped-query attention), set apart by a wider gap and named above the column labels.
  std::vector<std::string> col_groups;
  std::string row_axis_title = "layer";
  std::string col_axis_title = "head";
  // Empty, or one per panel (row-major), shown under it: a pattern label, a score. Long ones
  // wrap onto two lines and are ellipsized.
  std::vector<std::string> captions;
  std::string title;
  ScaleRequest scale_request;  // the colormap, norm and limits
  GridScale scale = GridScale::kShared;
  Pooling pooling = Pooling::kMax;
};

struct GridLayout {
  Size page;
  std::vector<Rect> panels;  // row-major
  Rect colorbar;
  std::vector<Rect> text_bounds;
  double caption_size = 0;  // points; 0 without captions
};

// With an automatic size, panels are square for square heads, 0.4 to 1.25 in wide, as large as
// keeps the grid within about 10 x 13 in: 32 x 32 heads fit one (large) page at 0.4 in each.
// Throws like RenderGrid.
GridLayout LayoutGrid(const GridSpec& spec, const RenderOptions& options = {});

// Draws the grid and returns the encoded file. Throws Error(kUsage) for an empty grid, label or
// caption counts that do not match, a panel of the wrong shape, bad options or limits.
std::string RenderGrid(const GridSpec& spec, ImageFormat format, const RenderOptions& options = {});

}  // namespace attnviz
