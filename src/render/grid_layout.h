// The grid's layout: panel size, row and column labels, captions, colorbar and title.
#pragma once

#include <vector>

#include "attnviz/render/grid.h"
#include "colorbar.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

struct GridPlan {
  Size page;
  std::vector<Rect> panels;  // row-major
  Rect colorbar;
  FigureParts parts;  // frames, labels, captions, colorbar ticks and title, in page coordinates
  FigureStyle style;
  double caption_size = 0;
};

// The colorbar of a grid: its ticks, and a title when panels are scaled one by one.
struct GridColorbar {
  ColorbarSpec spec;
  std::string title;
};

// Validates the spec (throwing Error(kUsage)) and places everything around panels of the size
// the options ask for.
GridPlan PlanGrid(const GridSpec& spec, const RenderOptions& options, const GridColorbar& colorbar,
                  const TextShaper& shaper);

void ValidateGrid(const GridSpec& spec);

}  // namespace attnviz
