// Figure proportions in ems, so a larger font scales the whole figure.
#include "figure_style.h"

namespace attnviz {

FigureStyle MakeFigureStyle(const std::string& font, double size, const TextShaper& shaper) {
  FigureStyle style;
  style.label = {font, size, false};
  style.tick_label = {font, size * 0.9, false};
  style.axis_title = {font, size, false};
  style.title = {font, size * 1.2, false};
  style.em = size;
  style.line_height = shaper.Shape("Ag", style.label).logical().height;
  style.tick_length = 0.35 * size;
  style.tick_pad = 0.3 * size;
  style.gap = 0.8 * size;
  style.margin = 0.5 * size;
  style.max_label_width = 10 * size;
  return style;
}

}  // namespace attnviz
