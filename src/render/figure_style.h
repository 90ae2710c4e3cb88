// Type sizes, spacing and colours of a figure, all derived from the base font, its size and the
// theme.
#pragma once

#include <string>

#include "attnviz/render/colormap.h"
#include "attnviz/render/render_options.h"
#include "text.h"

namespace attnviz {

// The colours that are not data.
struct Palette {
  Rgba page;          // the background (unless the figure is transparent)
  Rgba ink;           // text, ticks and frames
  Rgba masked_fill;   // masked cells: a neutral fill...
  Rgba masked_hatch;  // ...crossed by diagonal lines, which no colormap has
};

Palette PaletteFor(Theme theme);

struct FigureStyle {
  TextStyle label;       // tokens and indices along the axes
  TextStyle tick_label;  // colorbar values
  TextStyle axis_title;  // "query", "key"
  TextStyle title;
  TextStyle annotation;          // values written in cells
  double em = 10;                // the base font size, points
  double line_height = 12;       // logical height of one label line
  double tick_length = 3.5;      // outward tick marks
  double tick_pad = 3;           // between a tick and its label
  double gap = 8;                // between blocks: labels and axis title, matrix and colorbar
  double margin = 5;             // around the page
  double max_label_width = 100;  // longer tokens are ellipsized
  double hatch_spacing = 3;      // between the diagonal lines of masked cells
  Palette palette = PaletteFor(Theme::kLight);
};

FigureStyle MakeFigureStyle(const std::string& font, double size, const TextShaper& shaper,
                            Theme theme = Theme::kLight);

// Cairo's source colour from an sRGB colour.
void SetSourceColor(cairo_t* cr, Rgba color);

}  // namespace attnviz
