// The video strip: T frames with one query's attention blended over each on one colour scale,
// one colorbar, and the attention mass per frame as bars under the frames.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/overlay.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

struct VideoStripSpec {
  std::vector<Picture> frames;           // T pictures (fitted to the grid as `fit` says)
  int64_t grid_rows = 0;                 // patches down each frame
  int64_t grid_cols = 0;                 // patches across
  std::vector<std::vector<float>> maps;  // per frame, grid_rows * grid_cols weights
  std::vector<std::string> captions;     // per frame, under it (e.g. "t=3 · #12")
  std::vector<double> profile;           // per frame, drawn as bars; empty: no profile
  std::string profile_title = "attention mass per frame";
  std::string title;
  ScaleRequest scale;  // one scale over every frame's weights
  double alpha = 0.5;  // the colormap's share of each blended pixel
  ImageFit fit = ImageFit::kCrop;
};

// Frames per row of the strip; more wrap onto further rows.
inline constexpr int64_t kStripFramesPerRow = 8;

// Where the strip's parts land on its page, in points (y down).
struct VideoStripLayout {
  Size page;
  std::vector<Rect> frames;  // one per frame, left to right, then down
  Rect colorbar;
  Rect profile;            // the bar plot's axes; empty without a profile
  std::vector<Rect> bars;  // one per frame, in profile; empty without a profile
  std::vector<Rect> text_bounds;
  int raster_width = 0;  // pixels of each blended frame in the PNG
  int raster_height = 0;
  ColorScale scale;
};

// Throws Error(kUsage) for no frames, frames of different sizes, maps or captions not one per
// frame, maps that do not fill the grid, a profile not one per frame, alpha outside [0, 1], or a
// bad scale.
VideoStripLayout LayoutVideoStrip(const VideoStripSpec& spec, const RenderOptions& options = {});
std::string RenderVideoStrip(const VideoStripSpec& spec, ImageFormat format,
                             const RenderOptions& options = {});

// One blended frame of the strip at `magnification` PNG pixels per picture pixel (after the
// picture is fitted to the grid): opaque 8-bit RGB rows, as the animation encodes them.
struct RgbFrame {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};
std::vector<RgbFrame> BlendVideoFrames(const VideoStripSpec& spec, int magnification);

}  // namespace attnviz
