// Which query-key lines an arrows figure draws, and how strong each one looks.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/render/arrows.h"

namespace attnviz {

struct LineSelection {
  std::vector<ArrowsLine> lines;  // weakest first, ties by head, query, key
  int64_t selected = 0;           // passing top_k and min_weight, before max_lines
  int64_t nonfinite = 0;
};

// The largest finite weight over all heads, or 0 when there is none.
double LargestWeight(const std::vector<ArrowsHead>& heads);

// The lines `spec` asks for (see ArrowsSpec), with `vmax` already resolved.
LineSelection SelectLines(const ArrowsSpec& spec, double vmax);

// A line's opacity, weight / vmax clamped to [0, 1].
double LineOpacity(float weight, double vmax);

// A line's width: a quarter of `max_width` at weight 0, growing linearly to `max_width` at vmax.
double LineWidth(float weight, double vmax, double max_width);

}  // namespace attnviz
