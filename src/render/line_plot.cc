// Line plots through the XY plot: steps become a category axis, series become polylines.
#include "attnviz/render/line_plot.h"

#include <cmath>
#include <string>

#include "attnviz/error.h"

namespace attnviz {

namespace {

// The runs of finite values of `series`, each a line; a lone value is a line of one point,
// which only its dot shows.
void AddSeriesLines(const LineSeries& series, ScatterSpec& scatter) {
  PlotLine line{{}, series.color, 1.2, false, true};
  for (size_t step = 0; step < series.values.size(); ++step) {
    if (std::isfinite(series.values[step])) {
      line.points.push_back({static_cast<double>(step), series.values[step]});
      continue;
    }
    if (!line.points.empty()) scatter.lines.push_back(line);
    line.points.clear();
  }
  if (!line.points.empty()) scatter.lines.push_back(line);
}

}  // namespace

ScatterSpec LinePlotScatter(const LinePlotSpec& spec) {
  ScatterSpec scatter;
  scatter.title = spec.title;
  scatter.legend = spec.legend;
  scatter.x.title = spec.x_title;
  scatter.y.title = spec.y_title;
  for (size_t step = 0; step < spec.steps.size(); ++step) {
    scatter.x.categories.push_back({static_cast<double>(step), spec.steps[step]});
  }
  for (const LineSeries& series : spec.series) {
    if (series.values.size() != spec.steps.size()) {
      ThrowUsageError("a line plot series has " + std::to_string(series.values.size()) +
                      " values for " + std::to_string(spec.steps.size()) + " steps");
    }
    AddSeriesLines(series, scatter);
  }
  if (scatter.lines.empty())
    scatter.y = {spec.y_title, 0.0, 1.0, {}};  // nothing finite: an empty frame
  return scatter;
}

std::string RenderLinePlot(const LinePlotSpec& spec, ImageFormat format,
                           const RenderOptions& options) {
  return RenderScatter(LinePlotScatter(spec), format, options);
}

}  // namespace attnviz
