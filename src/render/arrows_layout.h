// The arrows figure's layout: token positions, labels, the legend and the page around them.
#pragma once

#include <vector>

#include "attnviz/render/arrows.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

// One line of the weight key: a stroke drawn as a line of `weight` would be.
struct WeightSample {
  Segment segment;
  float weight = 0;
};

struct ArrowsPlan {
  ArrowsLayout layout;
  FigureParts parts;  // labels, titles, ticks, legend text
  FigureStyle style;
  std::vector<Rgba> swatch_colors;  // beside layout.legend_swatches
  std::vector<WeightSample> weight_key;
  Rgba weight_key_color;
};

// Validates `spec` and `options` (throwing Error(kUsage)), selects the lines and places
// everything.
ArrowsPlan PlanArrows(const ArrowsSpec& spec, const RenderOptions& options,
                      const TextShaper& shaper);

}  // namespace attnviz
