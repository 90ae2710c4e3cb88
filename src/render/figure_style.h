// Type sizes and spacing of a figure, all derived from the base font and its size.
#pragma once

#include <string>

#include "text.h"

namespace attnviz {

struct FigureStyle {
  TextStyle label;       // tokens and indices along the axes
  TextStyle tick_label;  // colorbar values
  TextStyle axis_title;  // "query", "key"
  TextStyle title;
  double em = 10;                // the base font size, points
  double line_height = 12;       // logical height of one label line
  double tick_length = 3.5;      // outward tick marks
  double tick_pad = 3;           // between a tick and its label
  double gap = 8;                // between blocks: labels and axis title, matrix and colorbar
  double margin = 5;             // around the page
  double max_label_width = 100;  // longer tokens are ellipsized
};

FigureStyle MakeFigureStyle(const std::string& font, double size, const TextShaper& shaper);

}  // namespace attnviz
