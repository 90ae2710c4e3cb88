// Figure text written into SVG as <text> elements (editable, searchable) instead of glyph outlines.
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include <string>
#include <string_view>
#include <vector>

#include "text.h"

namespace attnviz {

// The text drawn on one SVG surface. Drawing a block records its <text> element and paints a
// marker in its place: a fill of the block's logical rectangle in a colour that numbers it and
// an opacity of 1/255, which Cairo writes as a <path> in drawing order and inside the clip groups
// of the moment. PlaceText then swaps each marker for its element, so text stays under whatever
// is drawn after it and is clipped like the glyphs it replaces.
class SvgTextRecorder {
 public:
  // Records `layout` (the block's Pango layout, its logical top-left at the origin of `cr`'s
  // user space) in `cr`'s current colour and transformation, and paints its marker.
  void Draw(cairo_t* cr, PangoLayout* layout, const Rect& logical, HAlign anchor);

  // `svg` (as Cairo wrote it) with every marker replaced by its <text> element.
  std::string PlaceText(std::string_view svg) const;

 private:
  std::vector<std::string> elements_;
};

// Makes `surface` record its text with `recorder`, which must outlive the drawing on it.
void AttachSvgTextRecorder(cairo_surface_t* surface, SvgTextRecorder* recorder);

// The recorder of the surface `cr` draws on, or null when text is drawn as glyphs.
SvgTextRecorder* SvgTextRecorderOf(cairo_t* cr);

// `text` escaped for XML character data and attribute values; noncharacters XML forbids
// (U+FFFE, U+FFFF) become U+FFFD. `text` is valid UTF-8 without control characters, as
// TextShaper makes every label.
std::string EscapeXml(std::string_view text);

}  // namespace attnviz
