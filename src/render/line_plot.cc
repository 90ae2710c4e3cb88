// Line plots through the XY plot: steps become a category axis, series become polylines.
#include "attnviz/render/line_plot.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "attnviz/error.h"
#include "figure_in_area.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "figure_title.h"

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

constexpr int kMaxPanelColumns = 3;
constexpr Size kPanelPlot{180, 110};  // 2.5 x 1.5 in: three panels a row fit a landscape page

// Each panel's plot, all with the y range of every finite value (padded 5 % as one plot's is).
std::vector<ScatterSpec> PanelScatters(const LinePanels& spec) {
  if (spec.panels.empty()) ThrowUsageError("a figure of line panels needs at least one panel");
  std::vector<ScatterSpec> panels;
  double low = INFINITY, high = -INFINITY;
  for (const LinePlotSpec& panel : spec.panels) {
    panels.push_back(LinePlotScatter(panel));
    panels.back().plot = kPanelPlot;
    for (const PlotLine& line : panels.back().lines) {
      for (const Point& p : line.points) low = std::min(low, p.y), high = std::max(high, p.y);
    }
  }
  if (!(low < high)) return panels;  // one value or none: each panel picks its own range
  double pad = 0.05 * (high - low);
  for (ScatterSpec& panel : panels) {
    panel.y.min = low - pad;
    panel.y.max = high + pad;
  }
  return panels;
}

// The options each panel is laid out with: the page size belongs to the whole figure.
RenderOptions PanelOptions(RenderOptions options) {
  options.width_pt = 0;
  options.height_pt = 0;
  return options;
}

struct PanelsPlan {
  LinePanelsLayout layout;
  FigureParts parts;  // the title
  FigureStyle style;
};

PanelsPlan PlanPanels(const LinePanels& spec, const std::vector<ScatterSpec>& panels,
                      const RenderOptions& options, const TextShaper& shaper) {
  PanelsPlan plan;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  Size cell;
  for (const ScatterSpec& panel : panels) {
    Size page = LayoutScatter(panel, PanelOptions(options)).page;
    cell = {std::max(cell.width, page.width), std::max(cell.height, page.height)};
  }
  const int count = static_cast<int>(panels.size());
  const int columns = std::min(count, kMaxPanelColumns);
  const int rows = (count + columns - 1) / columns;
  Size grid{columns * cell.width, rows * cell.height};
  if (options.width_pt > 0 || options.height_pt > 0) {
    double scale = std::min(options.width_pt > 0 ? options.width_pt / grid.width : INFINITY,
                            options.height_pt > 0 ? options.height_pt / grid.height : INFINITY);
    cell = {cell.width * scale, cell.height * scale};
    grid = {columns * cell.width, rows * cell.height};
  }
  const FigureStyle& style = plan.style;
  double top = style.margin;
  if (!spec.title.empty()) {
    TextBlock title =
        ShapeFigureTitle(spec.title, style.title, grid.width - 2 * style.margin, 2, shaper);
    double height = title.logical().height;
    plan.parts.AddText(
        {std::move(title), {{grid.width / 2, top}, HAlign::kCenter, VAlign::kTop, 0}});
    top += height + 0.5 * style.gap;
  }
  plan.layout.page = {grid.width, top + grid.height};
  if (options.width_pt > 0) plan.layout.page.width = options.width_pt;
  if (options.height_pt > 0) plan.layout.page.height = options.height_pt;
  for (int i = 0; i < count; ++i) {
    plan.layout.panels.push_back(
        {(i % columns) * cell.width, top + (i / columns) * cell.height, cell.width, cell.height});
  }
  plan.layout.text_bounds = plan.parts.TextBounds();
  return plan;
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

LinePanelsLayout LayoutLinePanels(const LinePanels& spec, const RenderOptions& options) {
  return PlanPanels(spec, PanelScatters(spec), options, SharedTextShaper()).layout;
}

std::string RenderLinePanels(const LinePanels& spec, ImageFormat format,
                             const RenderOptions& options) {
  const std::vector<ScatterSpec> panels = PanelScatters(spec);
  const PanelsPlan plan = PlanPanels(spec, panels, options, SharedTextShaper());
  Canvas canvas(format, plan.layout.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads});
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  for (size_t i = 0; i < panels.size(); ++i) {
    DrawScatterInArea(canvas, plan.layout.panels[i], panels[i], PanelOptions(options));
  }
  return canvas.Finish();
}

}  // namespace attnviz
