// How any figure is drawn, whatever it shows: fonts, page size, resolution, colours of the page.
#pragma once

#include <string>

namespace attnviz {

// Light: black text on white. Dark: light grey text on near-black, for slides.
enum class Theme { kLight, kDark };

// How an SVG figure holds its text. kText: <text> elements naming their font, which editors
// (Inkscape, Illustrator) edit and viewers search, drawn by the viewer's copy of the font.
// kPaths: Cairo's glyph outlines, the same on every machine but no longer text.
enum class SvgText { kText, kPaths };

struct RenderOptions {
  std::string font = "DejaVu Sans";
  double font_size = 10;  // points
  double dpi = 100;       // PNG pixels per inch; also recorded in the PNG
  // Figure size in points; 0 chooses a size from the content. Cells stay square: given one
  // side only, the other follows.
  double width_pt = 0;
  double height_pt = 0;
  // PNG compression 0-9, as PngSettings::compression: 1-2 the figure encoder, 3-9 zlib levels.
  int png_compression = 2;
  Theme theme = Theme::kLight;
  bool transparent = false;  // no page background: PNG gets an alpha channel
  // Heatmaps: the side of one cell in pixels (points x dpi / 72 in PDF and SVG); 0 chooses it.
  int cell_pixels = 0;
  // Heatmaps: only the cells, cell_pixels each (default 1), no margins, labels or colorbar.
  bool bare = false;
  // Threads one figure may use (a large PNG's encoding, a grid's panels); the output does not
  // depend on them. A batch of figures spends its threads on the figures instead.
  int threads = 1;
  SvgText svg_text = SvgText::kText;
};

}  // namespace attnviz
