// The heatmap figure: plan the layout, then paint cells, colorbar, strokes, text and values.
#include "attnviz/render/heatmap.h"

#include <optional>

#include "attnviz/error.h"
#include "canvas.h"
#include "cell_painter.h"
#include "colorbar.h"
#include "figure_in_area.h"
#include "heatmap_layout.h"
#include "text.h"

namespace attnviz {
namespace {

CanvasSettings SettingsFor(const HeatmapPlan& plan, const RenderOptions& options,
                           const std::string& title) {
  // Bare cells cover the whole page; with no background, masked and NaN cells keep exact colours.
  CanvasSettings settings{
      options.dpi,       options.png_compression, title, options.transparent || plan.bare,
      plan.palette.page, options.threads};
  settings.svg_text = options.svg_text;
  return settings;
}

// Whether a spec whose cells come in bands must have them read whole: a map small enough for
// vector cells in SVG, or with values in its cells, needs them all at once and holds little.
bool NeedsWholeMatrix(const HeatmapSpec& spec) {
  if (!spec.bands) return false;
  const bool small =
      spec.matrix.rows <= kMaxSvgVectorCells && spec.matrix.cols <= kMaxSvgVectorCells;
  return small || spec.annotate.value_or(false);
}

// `spec`, or its copy in `whole` holding its bands' cells when it needs them at once.
const HeatmapSpec& Readable(const HeatmapSpec& spec, HeatmapSpec& whole) {
  if (!NeedsWholeMatrix(spec)) return spec;
  whole = spec;
  whole.matrix = ReadWhole(*spec.bands);
  whole.bands = nullptr;
  return whole;
}

void DrawHeatmap(Canvas& canvas, const HeatmapSpec& spec, const HeatmapPlan& plan) {
  if (spec.bands) {
    PaintCells(canvas, *spec.bands, plan.coloring, plan.matrix);
  } else {
    PaintCells(canvas, spec.matrix, plan.coloring, plan.matrix);
  }
  if (plan.bare) return;
  PaintColorbar(canvas, *plan.coloring.scale.colormap, plan.colorbar);
  plan.parts.Draw(canvas.cr(), plan.palette.ink);
  DrawAnnotations(canvas.cr(), plan.annotations);
}

}  // namespace

HeatmapLayout LayoutHeatmap(const HeatmapSpec& given, const RenderOptions& options) {
  HeatmapSpec whole;
  const HeatmapSpec& spec = Readable(given, whole);
  HeatmapPlan plan = PlanHeatmap(spec, options, SharedTextShaper());
  HeatmapLayout layout{plan.page, plan.matrix,         plan.colorbar,       plan.parts.TextBounds(),
                       {},        plan.row_label_step, plan.col_label_step, plan.annotation_size};
  layout.row_label_size = plan.row_label_size;
  layout.col_label_size = plan.col_label_size;
  for (const CellAnnotation& annotation : plan.annotations) {
    layout.annotation_bounds.push_back(annotation.text.Bounds());
  }
  return layout;
}

std::string RenderHeatmap(const HeatmapSpec& given, ImageFormat format,
                          const RenderOptions& options) {
  HeatmapSpec whole;
  const HeatmapSpec& spec = Readable(given, whole);
  HeatmapPlan plan = PlanHeatmap(spec, options, SharedTextShaper());
  Canvas canvas(format, plan.page, SettingsFor(plan, options, spec.title));
  DrawHeatmap(canvas, spec, plan);
  return canvas.Finish();
}

void DrawHeatmapInArea(Canvas& page, const Rect& area, const HeatmapSpec& given,
                       const RenderOptions& options) {
  HeatmapSpec whole;
  const HeatmapSpec& spec = Readable(given, whole);
  HeatmapPlan plan = PlanHeatmap(spec, options, SharedTextShaper());
  Canvas canvas(page, area, plan.page, SettingsFor(plan, options, spec.title));
  DrawHeatmap(canvas, spec, plan);
  canvas.Finish();
}

std::string RenderHeatmapPages(const std::vector<HeatmapSpec>& specs,
                               const RenderOptions& options) {
  return RenderHeatmapPages(
      specs.size(), [&](size_t i) { return specs[i]; }, options);
}

std::string RenderHeatmapPages(size_t count, const std::function<HeatmapSpec(size_t)>& spec_of,
                               const RenderOptions& options) {
  if (count == 0) ThrowUsageError("a PDF of heatmaps needs at least one heatmap");
  const TextShaper& shaper = SharedTextShaper();
  std::optional<Canvas> canvas;
  for (size_t i = 0; i < count; ++i) {
    HeatmapSpec given = spec_of(i), whole;
    const HeatmapSpec& spec = Readable(given, whole);
    HeatmapPlan plan = PlanHeatmap(spec, options, shaper);
    if (canvas) {
      canvas->NextPage(plan.page);
    } else {
      canvas.emplace(ImageFormat::kPdf, plan.page, SettingsFor(plan, options, spec.title));
    }
    DrawHeatmap(*canvas, spec, plan);
  }
  return canvas->Finish();
}

}  // namespace attnviz
