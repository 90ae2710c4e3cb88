// The colorbar: the colormap as a vertical strip, low values at the bottom, with value ticks.
#pragma once

#include <string>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "canvas.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

struct ColorbarSpec {
  const Colormap* colormap = nullptr;
  double vmin = 0;
  double vmax = 1;
  Norm norm;
  // When set, these label the bar's two ends instead of value ticks (a grid scaled per head).
  std::string low_label;
  std::string high_label;

  ColorScale scale() const { return {colormap, vmin, vmax, norm}; }
};

// The bar's width and its distance from the plot, and the least height that holds its ticks.
double ColorbarWidth(const FigureStyle& style);
double ColorbarGap(const FigureStyle& style);
double ColorbarMinHeight(const FigureStyle& style);

// Adds the frame, ticks and value labels of a colorbar occupying `bar`, and `title` (if any)
// beside the labels, reading upwards. The strip is uniform in the norm's space, as matplotlib
// draws it: ticks sit where their values normalise to.
void PlaceColorbar(const ColorbarSpec& spec, const Rect& bar, const FigureStyle& style,
                   const TextShaper& shaper, FigureParts& parts, const std::string& title = {});

// Fills `bar` with the colormap's 256 entries, exactly, one band each: a raster in PNG,
// rectangles in the vector formats (viewers smooth a 1-pixel-wide image into its white border).
void PaintColorbar(Canvas& canvas, const Colormap& colormap, const Rect& bar);

}  // namespace attnviz
