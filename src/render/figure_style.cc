// Figure proportions in ems, so a larger font scales the whole figure; colours by theme.
#include "figure_style.h"

namespace attnviz {

Palette PaletteFor(Theme theme) {
  if (theme == Theme::kDark) {
    return {{26, 26, 26, 255}, {230, 230, 230, 255}, {64, 64, 64, 255}, {150, 150, 150, 255}};
  }
  return {{255, 255, 255, 255}, {0, 0, 0, 255}, {232, 232, 232, 255}, {128, 128, 128, 255}};
}

FigureStyle MakeFigureStyle(const std::string& font, double size, const TextShaper& shaper,
                            Theme theme) {
  FigureStyle style;
  style.label = {font, size, false};
  style.tick_label = {font, size * 0.9, false};
  style.axis_title = {font, size, false};
  style.title = {font, size * 1.2, false};
  style.annotation = {font, size * 0.8, false};
  style.em = size;
  style.line_height = shaper.Shape("Ag", style.label).logical().height;
  style.tick_length = 0.35 * size;
  style.tick_pad = 0.3 * size;
  style.gap = 0.8 * size;
  style.margin = 0.5 * size;
  style.max_label_width = 10 * size;
  style.hatch_spacing = 0.3 * size;
  style.palette = PaletteFor(theme);
  return style;
}

void SetSourceColor(cairo_t* cr, Rgba color) {
  cairo_set_source_rgba(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0, color.a / 255.0);
}

}  // namespace attnviz
