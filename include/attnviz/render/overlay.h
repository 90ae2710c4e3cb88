// The overlay figure: a vision transformer's patch weights over the image it saw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// 8-bit sRGB pixels with straight alpha, rows top to bottom (what ReadPngImage gives).
struct Picture {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4 bytes
};

// How a picture whose aspect differs from the patch grid's (cols : rows, patches being square)
// became the model's input. kCrop: the centre region of the grid's aspect, what ViT and CLIP
// processors do (resize the short side, centre-crop); the figure shows only that region.
// kPad: the picture letterboxed, centred, into the grid's aspect; the padding shows in the page
// colour under the patches that cover it. kStretch: the picture resized to the grid's aspect.
enum class ImageFit { kCrop, kPad, kStretch };

struct OverlaySpec {
  Picture picture;
  int64_t grid_rows = 0;       // patches down the image
  int64_t grid_cols = 0;       // patches across
  std::vector<float> patches;  // grid_rows * grid_cols weights, row-major from the top left
  std::string title;
  ScaleRequest scale;  // colormap, norm and limits, as for heatmaps
  double alpha = 0.5;  // the colormap's share of each blended pixel, in [0, 1]
  bool panel = false;  // also draw the patch grid as a heatmap beside the overlay
  ImageFit fit = ImageFit::kCrop;
};

// The picture the model saw, fitted to the aspect of a rows x cols grid as `fit` says: cropped
// to its centre, padded about it with transparent pixels, or unchanged for kStretch (and for a
// picture already of the grid's aspect, to the nearest pixel). Centring rounds down. Throws
// Error(kUsage) when padding would make a side longer than 16384 pixels.
Picture FitPicture(const Picture& picture, int64_t rows, int64_t cols, ImageFit fit);

// Where the overlay's parts land on its page, in points (y down).
struct OverlayLayout {
  Size page;
  Rect overlay;  // the blended picture
  Rect panel;    // the patch heatmap; empty without one
  Rect colorbar;
  std::vector<Rect> text_bounds;
  int raster_width = 0;  // pixels of the blended raster (the picture's, unless it was reduced)
  int raster_height = 0;
  ColorScale scale;
};

// The patch grid upsampled to width x height as bilinear interpolation with half-pixel centres
// does it (torch's interpolate(mode="bilinear", align_corners=False), OpenCV's INTER_LINEAR):
// output pixel x samples the grid at (x + 0.5) * cols / width - 0.5, clamped to the edge cells.
std::vector<float> UpsampleBilinear(const std::vector<float>& grid, int64_t rows, int64_t cols,
                                    int width, int height);

// The layout RenderOverlay draws, of the picture fitted to the grid (FitPicture). It keeps its
// aspect; it is shown at its own pixel size at the PNG dpi, magnified by a whole factor while that
// stays within 4 in, or reduced (by averaging blocks of pixels) to fit 4 in. Throws like
// RenderOverlay.
OverlayLayout LayoutOverlay(const OverlaySpec& spec, const RenderOptions& options = {});

// Blends the colormapped, upsampled patches into the picture (alpha over the picture, which is
// first flattened onto the page colour) and returns the encoded figure with a colorbar.
// Throws Error(kUsage) for a grid that does not match the patches, an empty picture, alpha
// outside [0, 1], or a bad scale.
std::string RenderOverlay(const OverlaySpec& spec, ImageFormat format,
                          const RenderOptions& options = {});

}  // namespace attnviz
