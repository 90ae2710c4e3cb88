// The heatmap figure: one attention matrix with token labels, colorbar and title.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/matrix.h"

namespace attnviz {

struct HeatmapSpec {
  Matrix matrix;
  std::vector<std::string> row_labels;  // query tokens; empty: row indices are shown
  std::vector<std::string> col_labels;  // key tokens; empty: column indices are shown
  std::string title;
  std::string row_axis_title = "query";
  std::string col_axis_title = "key";
  std::string colormap = "viridis";  // a name accepted by FindColormap
  std::optional<double> vmin;        // default 0
  std::optional<double> vmax;        // default: the largest finite value shown
};

struct RenderOptions {
  std::string font = "DejaVu Sans";
  double font_size = 10;  // points
  double dpi = 100;       // PNG pixels per inch; also recorded in the PNG
  // Figure size in points; 0 chooses a size from the matrix and its labels. Cells stay square:
  // given one side only, the other follows.
  double width_pt = 0;
  double height_pt = 0;
  int png_compression = 6;  // zlib level 0-9 for PNG
};

// Where the heatmap's parts land on its page, in points (y down).
struct HeatmapLayout {
  Size page;
  Rect matrix;
  Rect colorbar;
  std::vector<Rect> text_bounds;  // every piece of text: labels, tick values, titles
  int64_t row_label_step = 1;     // every k-th row is labelled (rows start at 0)
  int64_t col_label_step = 1;
};

// The layout RenderHeatmap draws. With an automatic size, cells are as tall as a label line
// (x1.25) so every token label fits, up to a 10 in matrix (6.5 in for index labels); beyond
// that, and at fixed sizes too small for them, every k-th label is shown. Throws like
// RenderHeatmap.
HeatmapLayout LayoutHeatmap(const HeatmapSpec& spec, const RenderOptions& options = {});

// Draws the heatmap and returns the encoded file. Throws Error(kUsage) for an unknown colormap,
// vmin >= vmax, label counts that do not match the matrix, out-of-range options, or a fixed size
// too small for the labels.
std::string RenderHeatmap(const HeatmapSpec& spec, ImageFormat format,
                          const RenderOptions& options = {});

}  // namespace attnviz
