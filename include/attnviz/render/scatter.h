// XY plots: coloured points and polylines over value (or category) axes, with a legend. The
// MDS map of heads is one; line plots and dendrograms are drawn through it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// One of `count` ordered groups (layers) as a colour: viridis from 0 to 0.85 on a light page, so
// the last group stays legible on white, and from 0.25 to 1 on a dark one; a single group takes
// the first.
Rgba SequenceColor(int64_t index, int64_t count, Theme theme = Theme::kLight);

// One of `count` unordered groups (key/value heads) as a colour: matplotlib's tab10 palette
// (Tableau 10) for up to 10 groups, SequenceColor beyond.
Rgba CategoryColor(int64_t index, int64_t count, Theme theme = Theme::kLight);

struct ScatterPoint {
  double x = 0;
  double y = 0;
  Rgba color;
  std::string label;  // written beside the point; empty: none
  double radius = 0;  // of the dot, points; 0: 0.3 em
};

struct PlotLine {
  std::vector<Point> points;  // in data coordinates
  Rgba color;
  double width = 1.2;  // points
  bool dashed = false;
  bool markers = false;  // a dot at every point
};

// A labelled position on a category axis (checkpoints, dendrogram leaves).
struct CategoryTick {
  double position = 0;
  std::string label;
};

struct PlotAxis {
  std::string title;
  std::optional<double> min;  // default: the data's range, padded by 5 % each side
  std::optional<double> max;
  // Non-empty: a category axis labelled at these positions (range: half a step beyond the
  // first and last) instead of value ticks.
  std::vector<CategoryTick> categories;
};

struct LegendEntry {
  std::string label;
  Rgba color;
  bool line = false;  // a line swatch; else a dot
};

// "layer 0", "layer 1", ... in their SequenceColor dots; at most 24 entries (every k-th layer).
std::vector<LegendEntry> LayerLegend(int64_t layers, Theme theme);

struct ScatterSpec {
  std::vector<ScatterPoint> points;  // drawn over the lines
  std::vector<PlotLine> lines;
  PlotAxis x;
  PlotAxis y;
  std::vector<LegendEntry> legend;  // right of the plot, top to bottom
  std::string title;
  // One data unit is as long on both axes (maps); the shorter range is widened to fill the plot.
  bool equal_aspect = false;
  Size plot;  // the plotting area in points; 0: 4.5 x 3.5 in (3.5 x 3.5 in with equal aspect)
};

// Where the plot's parts land on the page, in points (y down).
struct ScatterLayout {
  Size page;
  Rect plot;
  Rect legend;                    // empty without entries
  std::vector<Rect> text_bounds;  // every text: ticks, titles, legend, point labels
  double x_min = 0, x_max = 1;    // the data range shown
  double y_min = 0, y_max = 1;

  // Where a data point lands on the page.
  Point ToPage(double x, double y) const;
};

// Throws Error(kUsage) for a non-finite coordinate, an empty plot (no points, lines or limits),
// a limit range with min >= max, or out-of-range render options.
ScatterLayout LayoutScatter(const ScatterSpec& spec, const RenderOptions& options = {});
std::string RenderScatter(const ScatterSpec& spec, ImageFormat format,
                          const RenderOptions& options = {});

}  // namespace attnviz
