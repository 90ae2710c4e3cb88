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

}  // namespace attnviz
