// The grid figure: resolve colour scales (a pass over the panels when limits come from the
// data), plan the layout, then paint each panel, the colorbar and the text.
#include "attnviz/render/grid.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/parallel.h"
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

// Panels painted per round: prepared on the figure's threads, then painted in order.
constexpr int64_t kPanelsPerRound = 32;

using KeptPanels = std::vector<std::optional<Matrix>>;

// Panel `index` (row-major): the kept one, given up, or read again.
Matrix TakePanel(const GridSpec& spec, KeptPanels& kept, int64_t index) {
  std::optional<Matrix>& panel = kept[static_cast<size_t>(index)];
  if (!panel) return CheckedPanel(spec, index / spec.cols, index % spec.cols);
  Matrix taken = std::move(*panel);
  panel.reset();
  return taken;
}

// One scale for a shared grid, one per panel otherwise; a pass over the panels (on `threads`
// threads, kept in `*kept` for painting when they fit; null: not kept) only when some limit comes
// from the data.
std::vector<ColorScale> ResolveScales(const GridSpec& spec, int threads, KeptPanels* kept) {
  const ScaleRequest& request = spec.scale_request;
  bool shared = spec.scale == GridScale::kShared;
  const int64_t count = spec.rows * spec.cols;
  if (kept != nullptr) kept->assign(static_cast<size_t>(count), std::nullopt);
  if (!LimitsFromData(request)) {
    ColorScale scale = ResolveColorScale(request, {});
    return std::vector<ColorScale>(shared ? 1 : count, scale);
  }
  // Panels kept for painting when they fit spec.kept_panel_bytes together (a 12 x 12 grid of
  // 512 x 512 heads takes 189 MB with its masks); larger grids read each panel again.
  const bool keep =
      kept != nullptr &&
      static_cast<size_t>(count * spec.panel_rows * spec.panel_cols) * (sizeof(float) + 1) <=
          spec.kept_panel_bytes;
  std::vector<ValueRange> ranges(static_cast<size_t>(count));
  RunInParallel(static_cast<size_t>(count), threads, [&](size_t index) {
    Matrix panel = CheckedPanel(spec, static_cast<int64_t>(index) / spec.cols,
                                static_cast<int64_t>(index) % spec.cols);
    ranges[index].Add(panel);
    if (keep) (*kept)[index] = std::move(panel);
  });
  std::vector<ColorScale> scales;
  ValueRange all;
  for (const ValueRange& range : ranges) {
    if (!shared) scales.push_back(ResolveColorScale(request, range));
    all.min = std::min(all.min, range.min);
    all.max = std::max(all.max, range.max);
    all.min_positive = std::min(all.min_positive, range.min_positive);
    all.max_abs = std::max(all.max_abs, range.max_abs);
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

// Each round of panels is read and rasterised on `threads` threads (Cairo is not touched there),
// then painted in order on this one.
void PaintPanels(Canvas& canvas, const GridSpec& spec, const GridPlan& plan,
                 const std::vector<ColorScale>& scales, int threads, KeptPanels& kept) {
  const Palette& palette = plan.style.palette;
  auto coloring = [&](int64_t index) {
    const ColorScale& scale = scales.size() == 1 ? scales[0] : scales[static_cast<size_t>(index)];
    return CellColoring{scale, spec.pooling, palette.masked_fill, palette.masked_hatch,
                        plan.style.hatch_spacing * 0.6};
  };
  const int64_t count = spec.rows * spec.cols;
  for (int64_t first = 0; first < count; first += kPanelsPerRound) {
    const int64_t round = std::min(kPanelsPerRound, count - first);
    std::vector<Matrix> panels(static_cast<size_t>(round));
    std::vector<std::optional<CellImage>> rasters(static_cast<size_t>(round));
    RunInParallel(static_cast<size_t>(round), threads, [&](size_t at) {
      const int64_t index = first + static_cast<int64_t>(at);
      panels[at] = TakePanel(spec, kept, index);
      rasters[at] =
          CellRaster(canvas, panels[at], coloring(index), plan.panels[static_cast<size_t>(index)]);
    });
    for (int64_t at = 0; at < round; ++at) {
      const int64_t index = first + at;
      PaintCells(canvas, panels[static_cast<size_t>(at)], coloring(index),
                 plan.panels[static_cast<size_t>(index)], rasters[static_cast<size_t>(at)]);
    }
  }
}

// `page` null: a canvas of its own in `format`; else `area` of that page.
std::string DrawGrid(const GridSpec& spec, ImageFormat format, const RenderOptions& options,
                     Canvas* page, const Rect& area) {
  ValidateGrid(spec);
  KeptPanels kept;
  std::vector<ColorScale> scales = ResolveScales(spec, options.threads, &kept);
  GridPlan plan = PlanGrid(spec, options, ColorbarFor(spec, scales), SharedTextShaper());
  CanvasSettings settings{options.dpi,         options.png_compression, spec.title,
                          options.transparent, plan.style.palette.page, options.threads,
                          options.svg_text};
  std::optional<Canvas> canvas;
  if (page) {
    canvas.emplace(*page, area, plan.page, settings);
  } else {
    canvas.emplace(format, plan.page, settings);
  }
  PaintPanels(*canvas, spec, plan, scales, options.threads, kept);
  PaintColorbar(*canvas, *scales.front().colormap, plan.colorbar);
  plan.parts.Draw(canvas->cr(), plan.style.palette.ink);
  return canvas->Finish();
}

}  // namespace

GridLayout LayoutGrid(const GridSpec& spec, const RenderOptions& options) {
  ValidateGrid(spec);
  // Only the layout: no panel is kept for painting.
  std::vector<ColorScale> scales = ResolveScales(spec, options.threads, nullptr);
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
