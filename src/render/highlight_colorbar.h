// A horizontal colorbar, for figures that are wider than tall: low values left, ticks below.
#pragma once

#include <string>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "canvas.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

// The bar's size: wide enough for a handful of ticks, one label line tall.
Size HorizontalColorbarSize(const FigureStyle& style);

// Adds the frame, the ticks and their values below `bar`, and `title` (if any) left of it.
void PlaceHorizontalColorbar(const ColorScale& scale, const std::string& title, const Rect& bar,
                             const FigureStyle& style, const TextShaper& shaper,
                             FigureParts& parts);

// Fills `bar` with the colormap's 256 entries, one band each, the first at the left.
void PaintHorizontalColorbar(Canvas& canvas, const Colormap& colormap, const Rect& bar);

}  // namespace attnviz
