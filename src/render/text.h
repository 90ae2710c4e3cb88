// Figure text through Pango: deterministic shaping, measuring, and aligned or rotated drawing.
#pragma once

#include <pango/pangocairo.h>

#include <string>
#include <string_view>
#include <unordered_map>

#include "attnviz/render/geometry.h"

namespace attnviz {

enum class HAlign { kLeft, kCenter, kRight };
enum class VAlign { kTop, kMiddle, kBottom };

struct TextStyle {
  std::string font = "DejaVu Sans";
  double size = 10;  // points
  bool bold = false;
};

// One shaped line of text. Extents are in points, relative to the top-left corner of the
// logical rectangle (which Draw puts at the user-space origin).
class TextBlock {
 public:
  explicit TextBlock(PangoLayout* layout);  // takes ownership of `layout`
  TextBlock(TextBlock&& other) noexcept;
  TextBlock& operator=(TextBlock&& other) noexcept;
  ~TextBlock();

  Rect logical() const { return logical_; }
  Rect ink() const { return ink_; }
  // Draws the block in the current source colour with its logical top-left at the origin. On an
  // SVG canvas that writes text as <text>, `anchor` is the edge the element is anchored at
  // (text-anchor), so a viewer whose font measures differently keeps that edge in place.
  void Draw(cairo_t* cr, HAlign anchor = HAlign::kLeft) const;

 private:
  PangoLayout* layout_;
  Rect logical_;
  Rect ink_;
};

// Shapes text with fixed font options (no hinting, unhinted metrics, grey antialiasing, 72 dpi so
// one Pango point is one page point), so a label measures the same in PNG, SVG and PDF. One per
// thread: Pango contexts are not thread-safe. Shaped text is kept and shared by later blocks of
// the same text and style: the figures of a batch repeat their tick labels and axis titles, whose
// shaping took a twelfth of the time of a heatmap.
class TextShaper {
 public:
  TextShaper();
  ~TextShaper();
  TextShaper(const TextShaper&) = delete;
  TextShaper& operator=(const TextShaper&) = delete;

  // Control characters show as escapes (a "\n" token stays one line), invalid UTF-8 as U+FFFD.
  // Text wider than `max_width` (points; 0: no limit) wraps at word boundaries onto at most
  // `max_lines` centred lines, the last ellipsized at its end.
  TextBlock Shape(std::string_view text, const TextStyle& style, double max_width = 0,
                  int max_lines = 1) const;

 private:
  PangoLayout* NewLayout(std::string_view text, const TextStyle& style, double max_width,
                         int max_lines) const;
  void ForgetShaped() const;  // lets go of every kept layout

  PangoContext* context_;
  // Layouts by style, width, lines and text, each holding one reference; emptied when full.
  mutable std::unordered_map<std::string, PangoLayout*> shaped_;
};

// This thread's shaper, made on first use and kept until the thread ends: Pango's font map is
// per thread, and setting up fonts costs more than drawing a small figure.
const TextShaper& SharedTextShaper();

// Which point of a block's logical rectangle sits on `anchor`, and the block's rotation about
// it: counterclockwise on the page in radians, so pi/2 reads from bottom to top.
struct TextPlacement {
  Point anchor;
  HAlign h = HAlign::kLeft;
  VAlign v = VAlign::kTop;
  double angle = 0;
};

struct PlacedText {
  TextBlock block;
  TextPlacement placement;

  // The page-space box holding both the ink and the logical rectangle.
  Rect Bounds() const;
  void Draw(cairo_t* cr) const;

  // Where a point of the block (relative to its logical top-left) lands on the page.
  Point ToPage(Point point) const;
};

}  // namespace attnviz
