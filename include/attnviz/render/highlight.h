// The highlight figure: tokens as wrapped text, each on a background shaded by its weight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// Any vector over tokens can be drawn: one head's attention row, a fusion of heads, a rollout
// or flow row, an attribution.
struct HighlightSpec {
  std::vector<std::string> tokens;
  std::vector<float> weights;  // one per token
  // Empty, or one flag per token: 1 marks a token whose value is no weight (a causal model's
  // future tokens). It is drawn unshaded in grey and takes no part in the default limits.
  std::vector<uint8_t> masked;
  // Empty, or one flag per token: 1 marks a word piece that continues the previous token
  // ("##ing" after "play"); it follows without the gap that separates tokens.
  std::vector<uint8_t> attached;
  std::optional<int64_t> marked;  // a token outlined, e.g. the query whose row this is
  std::string title;
  std::string scale_title;  // left of the colorbar, e.g. "attention"; empty: none
  // Low weights near white, so unweighted text reads as plain text.
  ScaleRequest scale{"Reds", {}, {}, {}};
};

// Where the tokens land. A PDF holds as many pages as the text needs, each with the title and
// the colorbar; PNG and SVG are one page, however tall.
struct HighlightLayout {
  Size page;  // every page has this size
  int pages = 1;
  std::vector<Rect> boxes;                     // one per token, in page coordinates
  std::vector<int> box_pages;                  // the page of each box, from 0
  std::vector<Rgba> text_colors;               // the ink of each token's text
  Rect colorbar;                               // on every page
  std::vector<std::vector<Rect>> text_bounds;  // per page: title, colorbar labels, tokens
  ColorScale scale;
};

// Black or white, whichever contrasts more with `background` by the WCAG 2 contrast ratio
// (relative luminance of the linearised sRGB colour): white when luminance < 0.1791.
Rgba ContrastingTextColor(Rgba background);

// Lines are at most 6.5 in wide (or the page width in `options`, less margins); PDF pages at
// most 10 in tall. A token containing a newline ends its line. Throws like RenderHighlight.
HighlightLayout LayoutHighlight(const HighlightSpec& spec, ImageFormat format,
                                const RenderOptions& options = {});

// Throws Error(kUsage) when weights (or mask or attachment flags) and tokens differ in number,
// there are no
// tokens, `marked`
// is out of range, the page is too narrow, or the scale is bad.
std::string RenderHighlight(const HighlightSpec& spec, ImageFormat format,
                            const RenderOptions& options = {});

}  // namespace attnviz
