// The grid figure: resolve colour scales (a pass over the panels when limits come from the
// data), plan the layout, then paint each panel, the colorbar and the text.
#include "attnviz/render/grid.h"

#include <optional>

#include "attnviz/error.h"
#include "attnviz/render/ticks.h"
#include "canvas.h"
#include "cell_painter.h"
#include "colorbar.h"
#include "figure_in_area.h"
#include "grid_layout.h"
#include "text.h"

namespace attnviz {
namespace {

Matrix CheckedPanel(const GridSpec& spec, int64_t row, int64_t col) {
  Matrix panel = spec.panel(row, col);
  size_t cells = static_cast<size_t>(spec.panel_rows * spec.panel_cols);
  if (panel.rows != spec.panel_rows || panel.cols != spec.panel_cols ||
      panel.values.size() != cells || (!panel.masked.empty() && panel.masked.size() != cells)) {
    ThrowUsageError("grid panel (" + std::to_string(row) + ", " + std::to_string(col) + ") is " +
                    std::to_string(panel.rows) + " x " + std::to_string(panel.cols) +
                    ", expected " + std::to_string(spec.panel_rows) + " x " +
                    std::to_string(spec.panel_cols));
  }
  return panel;
}

// One scale for a shared grid, one per panel otherwise; a pass over the panels only when some
// limit comes from the data.
std::vector<ColorScale> ResolveScales(const GridSpec& spec) {
  const ScaleRequest& request = spec.scale_request;
  bool shared = spec.scale == GridScale::kShared;
  if (!LimitsFromData(request)) {
    ColorScale scale = ResolveColorScale(request, {});
    return std::vector<ColorScale>(shared ? 1 : spec.rows * spec.cols, scale);
  }
  std::vector<ColorScale> scales;
  ValueRange all;
  for (int64_t row = 0; row < spec.rows; ++row) {
    for (int64_t col = 0; col < spec.cols; ++col) {
      ValueRange range;
      range.Add(CheckedPanel(spec, row, col));
      if (!shared) scales.push_back(ResolveColorScale(request, range));
      all.min = std::min(all.min, range.min);
      all.max = std::max(all.max, range.max);
      all.min_positive = std::min(all.min_positive, range.min_positive);
      all.max_abs = std::max(all.max_abs, range.max_abs);
    }
  }
  if (shared) scales.push_back(ResolveColorScale(request, all));
  return scales;
}

// A shared scale gets value ticks; per-panel scales label the ends instead: the common lower
// limit when every panel has the same one (0 for attention), else "min", and "max".
GridColorbar ColorbarFor(const GridSpec& spec, const std::vector<ColorScale>& scales) {
  const ColorScale& first = scales.front();
  if (spec.scale == GridScale::kShared) {
    return {{first.colormap, first.vmin, first.vmax, first.norm, {}, {}}, {}};
  }
  bool same_low = std::all_of(scales.begin(), scales.end(),
                              [&](const ColorScale& s) { return s.vmin == first.vmin; });
  bool same_high = std::all_of(scales.begin(), scales.end(),
                               [&](const ColorScale& s) { return s.vmax == first.vmax; });
  std::string low = same_low ? FormatTicks({first.vmin})[0] : "min";
  std::string high = same_high ? FormatTicks({first.vmax})[0] : "max";
  return {{first.colormap, 0, 1, {}, low, high}, "each " + spec.col_axis_title + " scaled alone"};
}

void PaintPanels(Canvas& canvas, const GridSpec& spec, const GridPlan& plan,
                 const std::vector<ColorScale>& scales) {
  const Palette& palette = plan.style.palette;
  for (int64_t row = 0; row < spec.rows; ++row) {
    for (int64_t col = 0; col < spec.cols; ++col) {
      size_t index = static_cast<size_t>(row * spec.cols + col);
      const ColorScale& scale = scales.size() == 1 ? scales[0] : scales[index];
      CellColoring coloring{scale, spec.pooling, palette.masked_fill, palette.masked_hatch,
                            plan.style.hatch_spacing * 0.6};
      PaintCells(canvas, CheckedPanel(spec, row, col), coloring, plan.panels[index]);
    }
  }
}

// `page` null: a canvas of its own in `format`; else `area` of that page.
std::string DrawGrid(const GridSpec& spec, ImageFormat format, const RenderOptions& options,
                     Canvas* page, const Rect& area) {
  ValidateGrid(spec);
  std::vector<ColorScale> scales = ResolveScales(spec);
  GridPlan plan = PlanGrid(spec, options, ColorbarFor(spec, scales), SharedTextShaper());
  CanvasSettings settings{options.dpi, options.png_compression, spec.title, options.transparent,
                          plan.style.palette.page};
  std::optional<Canvas> canvas;
  if (page) {
    canvas.emplace(*page, area, plan.page, settings);
  } else {
    canvas.emplace(format, plan.page, settings);
  }
  PaintPanels(*canvas, spec, plan, scales);
  PaintColorbar(*canvas, *scales.front().colormap, plan.colorbar);
  plan.parts.Draw(canvas->cr(), plan.style.palette.ink);
  return canvas->Finish();
}

}  // namespace

GridLayout LayoutGrid(const GridSpec& spec, const RenderOptions& options) {
  ValidateGrid(spec);
  std::vector<ColorScale> scales = ResolveScales(spec);
  GridPlan plan = PlanGrid(spec, options, ColorbarFor(spec, scales), SharedTextShaper());
  return {plan.page, plan.panels, plan.colorbar, plan.parts.TextBounds(), plan.caption_size};
}

std::string RenderGrid(const GridSpec& spec, ImageFormat format, const RenderOptions& options) {
  return DrawGrid(spec, format, options, nullptr, {});
}

void DrawGridInArea(Canvas& page, const Rect& area, const GridSpec& spec,
                    const RenderOptions& options) {
  DrawGrid(spec, page.format(), options, &page, area);
}

}  // namespace attnviz
