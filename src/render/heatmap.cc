// The heatmap figure: plan the layout, then paint cells, colorbar, strokes and text.
#include "attnviz/render/heatmap.h"

#include "canvas.h"
#include "cell_painter.h"
#include "colorbar.h"
#include "heatmap_layout.h"
#include "text.h"

namespace attnviz {

HeatmapLayout LayoutHeatmap(const HeatmapSpec& spec, const RenderOptions& options) {
  TextShaper shaper;
  HeatmapPlan plan = PlanHeatmap(spec, options, shaper);
  return {plan.page,           plan.matrix,        plan.colorbar, plan.parts.TextBounds(),
          plan.row_label_step, plan.col_label_step};
}

std::string RenderHeatmap(const HeatmapSpec& spec, ImageFormat format,
                          const RenderOptions& options) {
  TextShaper shaper;
  HeatmapPlan plan = PlanHeatmap(spec, options, shaper);
  Canvas canvas(format, plan.page, {options.dpi, options.png_compression, spec.title});
  PaintCells(canvas, spec.matrix, plan.coloring, plan.matrix);
  PaintColorbar(canvas, *plan.coloring.colormap, plan.colorbar);
  plan.parts.Draw(canvas.cr());
  return canvas.Finish();
}

}  // namespace attnviz
