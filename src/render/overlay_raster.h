// The overlay's pixels: the picture flattened and reduced, then blended with colormapped patches.
#pragma once

#include <cstdint>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/overlay.h"

namespace attnviz {

// Opaque 8-bit RGB, rows top to bottom.
struct RgbRaster {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};

// The picture composited over `page` (straight alpha, rounded to the nearest level).
RgbRaster FlattenPicture(const Picture& picture, Rgba page);

// Each `factor` x `factor` block (smaller at the right and bottom edges) averaged into one pixel.
RgbRaster ReduceRaster(const RgbRaster& raster, int factor);

// Every pixel (1 - alpha) * raster + alpha * scale.Lookup(weight), rounded to the nearest level,
// with `weights` one per pixel (UpsampleBilinear of the patches). Premultiplied ARGB, opaque.
CellImage BlendWeights(const RgbRaster& raster, const std::vector<float>& weights,
                       const ColorScale& scale, double alpha);

}  // namespace attnviz
