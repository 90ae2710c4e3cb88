// The text and strokes around a figure's plots, collected before the page size is known.
#pragma once

#include <cairo.h>

#include <utility>
#include <vector>

#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "text.h"

namespace attnviz {

// Line width of ticks and frames, in points (matplotlib uses 0.8; figures are often shrunk,
// but hairlines vanish in print).
inline constexpr double kStrokeWidth = 0.6;

struct Segment {
  Point from;
  Point to;
};

// Parts are laid out with the plot at the origin, then moved onto the page with Translate.
class FigureParts {
 public:
  void AddText(PlacedText text) { texts_.push_back(std::move(text)); }
  void AddTick(Point from, Point to) { ticks_.push_back({from, to}); }
  void AddFrame(const Rect& frame) { frames_.push_back(frame); }

  // Everything that gets ink, strokes included.
  Rect Bounds() const;
  // The page-space box of every text, in the order added.
  std::vector<Rect> TextBounds() const;
  void Translate(double dx, double dy);
  // In `ink` (default black): frames, ticks, then text.
  void Draw(cairo_t* cr, Rgba ink = {0, 0, 0, 255}) const;

 private:
  std::vector<PlacedText> texts_;
  std::vector<Segment> ticks_;
  std::vector<Rect> frames_;
};

}  // namespace attnviz
