// The heatmap's layout: cell size, labelled axes, colorbar and title on a page that holds them.
#pragma once

#include <cstdint>

#include "attnviz/render/geometry.h"
#include "attnviz/render/heatmap.h"
#include "cell_painter.h"
#include "figure_parts.h"
#include "text.h"

namespace attnviz {

struct HeatmapPlan {
  Size page;
  Rect matrix;
  Rect colorbar;
  FigureParts parts;  // frames, ticks and every text, in page coordinates
  CellColoring coloring;
  int64_t row_label_step = 1;
  int64_t col_label_step = 1;
};

// Validates `spec` and `options` (throwing Error(kUsage)) and places everything.
HeatmapPlan PlanHeatmap(const HeatmapSpec& spec, const RenderOptions& options,
                        const TextShaper& shaper);

}  // namespace attnviz
