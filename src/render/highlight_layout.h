// The highlight figure's layout: tokens flowed into lines, lines onto pages under a header.
#pragma once

#include <vector>

#include "attnviz/render/highlight.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

struct TokenBox {
  Rect box;  // the shaded background, in its page's coordinates
  int page = 0;
  Rgba background;
  Rgba ink;
  PlacedText text;
};

struct HighlightPlan {
  Size page;
  std::vector<TokenBox> tokens;
  std::vector<FigureParts> headers;  // per page: title, colorbar frame, ticks and labels
  Rect colorbar;
  ColorScale scale;
  FigureStyle style;
};

// Validates `spec` and `options` (throwing Error(kUsage)) and places everything.
HighlightPlan PlanHighlight(const HighlightSpec& spec, ImageFormat format,
                            const RenderOptions& options, const TextShaper& shaper);

}  // namespace attnviz
