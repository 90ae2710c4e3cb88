// Bounds, translation and drawing of a figure's text and strokes.
#include "figure_parts.h"

#include <algorithm>
#include <cmath>

namespace attnviz {

Rect FigureParts::Bounds() const {
  Rect bounds;
  for (const Rect& box : TextBounds()) bounds = bounds.United(box);
  for (const Segment& tick : ticks_) {
    Rect line{std::min(tick.from.x, tick.to.x), std::min(tick.from.y, tick.to.y),
              std::abs(tick.to.x - tick.from.x), std::abs(tick.to.y - tick.from.y)};
    bounds = bounds.United(line.Inflated(kStrokeWidth / 2));
  }
  for (const Rect& frame : frames_) bounds = bounds.United(frame.Inflated(kStrokeWidth / 2));
  return bounds;
}

std::vector<Rect> FigureParts::TextBounds() const {
  std::vector<Rect> boxes;
  for (const PlacedText& text : texts_) boxes.push_back(text.Bounds());
  return boxes;
}

void FigureParts::Translate(double dx, double dy) {
  for (PlacedText& text : texts_) {
    text.placement.anchor.x += dx;
    text.placement.anchor.y += dy;
  }
  for (Segment& tick : ticks_) {
    tick.from = {tick.from.x + dx, tick.from.y + dy};
    tick.to = {tick.to.x + dx, tick.to.y + dy};
  }
  for (Rect& frame : frames_) frame = frame.Translated(dx, dy);
}

void FigureParts::Draw(cairo_t* cr, Rgba ink) const {
  cairo_save(cr);
  cairo_set_source_rgba(cr, ink.r / 255.0, ink.g / 255.0, ink.b / 255.0, ink.a / 255.0);
  cairo_set_line_width(cr, kStrokeWidth);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for (const Rect& frame : frames_)
    cairo_rectangle(cr, frame.x, frame.y, frame.width, frame.height);
  for (const Segment& tick : ticks_) {
    cairo_move_to(cr, tick.from.x, tick.from.y);
    cairo_line_to(cr, tick.to.x, tick.to.y);
  }
  cairo_stroke(cr);
  for (const PlacedText& text : texts_) text.Draw(cr);
  cairo_restore(cr);
}

}  // namespace attnviz
