// The heatmap's layout: cell size, labelled axes, colorbar, title and cell values on a page that
// holds them.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/render/geometry.h"
#include "attnviz/render/heatmap.h"
#include "cell_annotations.h"
#include "cell_painter.h"
#include "colorbar.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

struct HeatmapPlan {
  Size page;
  Rect matrix;
  Rect colorbar;      // empty when bare
  FigureParts parts;  // frames, ticks and every text, in page coordinates
  CellColoring coloring;
  std::vector<CellAnnotation> annotations;
  Palette palette;
  bool bare = false;
  int64_t row_label_step = 1;
  int64_t col_label_step = 1;
  double row_label_size = 0;  // points
  double col_label_size = 0;
  double annotation_size = 0;
};

// Validates `spec` and `options` (throwing Error(kUsage)) and places everything.
HeatmapPlan PlanHeatmap(const HeatmapSpec& spec, const RenderOptions& options,
                        const TextShaper& shaper);

// Checks the options every figure shares: font size, dpi, size, PNG level, cell size.
void ValidateRenderOptions(const RenderOptions& options);

}  // namespace attnviz
