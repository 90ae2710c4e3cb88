// The vision-language figure: text tokens beside the image, each token's attention over the
// patches blended over the picture, with lines from the token to its strongest patches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/highlight.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/overlay.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// One small multiple: a text token and its weights over the patches.
struct ImageTextPanel {
  std::string label;           // the token as shown, e.g. "red"
  std::vector<float> patches;  // grid_rows * grid_cols weights, row-major from the top left
  std::vector<int64_t>
      joined;  // the patches a line joins to the label (TopPatches), strongest first
};

struct ImageTextSpec {
  Picture picture;
  ImageFit fit = ImageFit::kCrop;
  int64_t grid_rows = 0;
  int64_t grid_cols = 0;
  std::vector<ImageTextPanel> panels;  // on one colour scale
  std::string title;
  ScaleRequest scale;
  double alpha = 0.5;   // the colormap's share of each blended pixel
  int64_t columns = 0;  // panels per row; 0: all in one row up to 4
};

// A line from a token's label to a patch, drawn width and opacity by its weight.
struct JoinLine {
  Point from;  // the right edge of the label
  Point to;    // the patch centre
  double width = 1;
  double opacity = 1;
};

struct ImageTextLayout {
  Size page;
  std::vector<Rect> labels;                  // per panel: the token's box
  std::vector<Rect> images;                  // per panel: the blended picture
  std::vector<std::vector<JoinLine>> lines;  // per panel, strongest first
  Rect colorbar;
  std::vector<Rect> text_bounds;
  ColorScale scale;
};

// Each picture keeps the fitted picture's aspect and is shown at a whole multiple (or fraction) of
// its pixels near 2 in a side (3 in for one panel). A line's width runs from 0.75 pt to 3 pt and
// its opacity from 0.45 to 1 with its weight over the largest joined weight. Throws like
// RenderImageText.
ImageTextLayout LayoutImageText(const ImageTextSpec& spec, const RenderOptions& options = {});

// Throws Error(kUsage) for no panels, a grid that does not match a panel's weights, a joined
// patch outside the grid, an empty picture, alpha outside [0, 1], or a bad scale.
std::string RenderImageText(const ImageTextSpec& spec, ImageFormat format,
                            const RenderOptions& options = {});

// The reverse direction: the picture with a region of patches outlined, beside the text shaded by
// that region's attention (the highlight figure, laid out as one page).
struct RegionTextSpec {
  Picture picture;
  ImageFit fit = ImageFit::kCrop;
  int64_t grid_rows = 0;
  int64_t grid_cols = 0;
  int64_t col0 = 0, row0 = 0, col1 = 0, row1 = 0;  // the region, half-open, in patches
  HighlightSpec text;
};

// Where the region figure's parts land: the picture and the outlined region on it, and the area
// the highlight figure is drawn into.
struct RegionTextLayout {
  Size page;
  Rect image;
  Rect region;
  Rect text;
};

// Throws Error(kUsage) for an empty picture, a region outside the grid, and as RenderHighlight.
RegionTextLayout LayoutRegionText(const RegionTextSpec& spec, const RenderOptions& options = {});
std::string RenderRegionText(const RegionTextSpec& spec, ImageFormat format,
                             const RenderOptions& options = {});

}  // namespace attnviz
