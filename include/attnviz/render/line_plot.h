// Line plots of values over ordered steps, such as a statistic per head across checkpoints.
#pragma once

#include <string>
#include <vector>

#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"
#include "attnviz/render/scatter.h"

namespace attnviz {

struct LineSeries {
  std::vector<double> values;  // one per step; NaN leaves a gap
  Rgba color;
};

struct LinePlotSpec {
  std::vector<std::string> steps;  // the x axis, in order: checkpoint names
  std::vector<LineSeries> series;
  std::vector<LegendEntry> legend;
  std::string title;
  std::string x_title = "checkpoint";
  std::string y_title;
};

// The plot as a ScatterSpec: steps at x = 0, 1, ..., each series a line with a dot per value,
// broken at NaN. Throws Error(kUsage) when a series has not one value per step.
ScatterSpec LinePlotScatter(const LinePlotSpec& spec);

// Throws like LinePlotScatter and RenderScatter.
std::string RenderLinePlot(const LinePlotSpec& spec, ImageFormat format,
                           const RenderOptions& options = {});

// Line plots side by side under one title (one panel per layer of a series, each with a legend
// of its heads), sharing one y range so panels compare.
struct LinePanels {
  std::vector<LinePlotSpec> panels;  // each titled, e.g. "layer 3"
  std::string title;
};

// Where the panels land: up to three a row, left to right, then down, in points (y down).
struct LinePanelsLayout {
  Size page;
  std::vector<Rect> panels;
  std::vector<Rect> text_bounds;  // the title's
};

// Throws Error(kUsage) for no panels, and like LinePlotScatter and RenderScatter. A fixed size
// in `options` applies to the whole page.
LinePanelsLayout LayoutLinePanels(const LinePanels& spec, const RenderOptions& options = {});
std::string RenderLinePanels(const LinePanels& spec, ImageFormat format,
                             const RenderOptions& options = {});

}  // namespace attnviz
