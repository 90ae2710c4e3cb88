// Figure titles that are never clipped: wrapped at their separators, long names shortened in the
// middle, so what identifies the figure (layer, head, query) stays.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "attnviz/render/geometry.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

// `title` shaped within `max_width` on at most `max_lines` lines. A title that fits one line is
// shaped as is. Otherwise it breaks only at its separators (" · ", " — ", " − ", ", "), ending
// a line after one, and while it still needs more lines, or one of its parts is wider than a
// line, the widest part loses characters from its middle ("…"): "/data/runs/…/bert.json ·
// layer 3 · head 2 · query 5" keeps its layer, head and query.
// The text ShapeFigureTitle shapes: `title` itself when it fits one line; else with no-break
// spaces (U+00A0) inside its parts and long parts shortened in the middle.
std::string FitFigureTitle(std::string_view title, const TextStyle& style, double max_width,
                           int max_lines, const TextShaper& shaper);

TextBlock ShapeFigureTitle(std::string_view title, const TextStyle& style, double max_width,
                           int max_lines, const TextShaper& shaper);

// A page that holds `content` centred under its title, inside the style's margins: the title
// (none when empty) is shaped on at most `max_lines` lines as wide as the content, or 24 em
// when the content is narrower, and the page widens to the title when it must.
struct TitledPage {
  Size page;
  Point shift;                     // to add to every position of the content
  std::optional<TextBlock> title;  // its top centre at (page.width / 2, style.margin)
};
TitledPage PageUnderTitle(Rect content, const std::string& title, int max_lines,
                          const FigureStyle& style, const TextShaper& shaper);

}  // namespace attnviz
