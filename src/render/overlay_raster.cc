// Bilinear upsampling of patch weights and per-pixel blending, computed here rather than by Cairo
// so every output pixel is the documented formula exactly.
#include "overlay_raster.h"

#include <algorithm>
#include <cmath>

namespace attnviz {
namespace {

uint8_t RoundLevel(double value) {
  return static_cast<uint8_t>(std::clamp(std::floor(value + 0.5), 0.0, 255.0));
}

// Where output pixel `i` of `out` samples an axis of `in` cells, and the two cells it mixes.
struct Sample {
  int64_t low;
  int64_t high;
  double fraction;  // the weight of `high`
};

Sample SampleAxis(int64_t i, int64_t in, int64_t out) {
  double source = (static_cast<double>(i) + 0.5) * static_cast<double>(in) / out - 0.5;
  source = std::clamp(source, 0.0, static_cast<double>(in - 1));
  int64_t low = static_cast<int64_t>(std::floor(source));
  return {low, std::min(low + 1, in - 1), source - static_cast<double>(low)};
}

double Lerp(double a, double b, double t) { return a + (b - a) * t; }

}  // namespace

std::vector<float> UpsampleBilinear(const std::vector<float>& grid, int64_t rows, int64_t cols,
                                    int width, int height) {
  std::vector<Sample> across(width);
  for (int x = 0; x < width; ++x) across[x] = SampleAxis(x, cols, width);
  std::vector<float> out;
  out.reserve(static_cast<size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    Sample down = SampleAxis(y, rows, height);
    const float* top = &grid[down.low * cols];
    const float* bottom = &grid[down.high * cols];
    for (const Sample& s : across) {
      double upper = Lerp(top[s.low], top[s.high], s.fraction);
      double lower = Lerp(bottom[s.low], bottom[s.high], s.fraction);
      out.push_back(static_cast<float>(Lerp(upper, lower, down.fraction)));
    }
  }
  return out;
}

RgbRaster FlattenPicture(const Picture& picture, Rgba page) {
  RgbRaster raster{picture.width, picture.height, {}};
  raster.rgb.reserve(static_cast<size_t>(picture.width) * picture.height * 3);
  const uint8_t backdrop[3] = {page.r, page.g, page.b};
  for (size_t i = 0; i + 3 < picture.rgba.size(); i += 4) {
    double alpha = picture.rgba[i + 3] / 255.0;
    for (int c = 0; c < 3; ++c) {
      raster.rgb.push_back(RoundLevel(Lerp(backdrop[c], picture.rgba[i + c], alpha)));
    }
  }
  return raster;
}

RgbRaster ReduceRaster(const RgbRaster& raster, int factor) {
  if (factor <= 1) return raster;
  RgbRaster reduced{
      (raster.width + factor - 1) / factor, (raster.height + factor - 1) / factor, {}};
  reduced.rgb.reserve(static_cast<size_t>(reduced.width) * reduced.height * 3);
  for (int by = 0; by < reduced.height; ++by) {
    int y_end = std::min(raster.height, (by + 1) * factor);
    for (int bx = 0; bx < reduced.width; ++bx) {
      int x_end = std::min(raster.width, (bx + 1) * factor);
      double sum[3] = {0, 0, 0};
      for (int y = by * factor; y < y_end; ++y) {
        for (int x = bx * factor; x < x_end; ++x) {
          const uint8_t* p = &raster.rgb[(static_cast<size_t>(y) * raster.width + x) * 3];
          for (int c = 0; c < 3; ++c) sum[c] += p[c];
        }
      }
      double count = static_cast<double>(y_end - by * factor) * (x_end - bx * factor);
      for (int c = 0; c < 3; ++c) reduced.rgb.push_back(RoundLevel(sum[c] / count));
    }
  }
  return reduced;
}

CellImage BlendWeights(const RgbRaster& raster, const std::vector<float>& weights,
                       const ColorScale& scale, double alpha) {
  CellImage image{raster.width, raster.height, {}};
  image.argb.reserve(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    Rgba color = scale.Lookup(weights[i]);
    const uint8_t* p = &raster.rgb[i * 3];
    image.argb.push_back(PremultipliedArgb({RoundLevel(Lerp(p[0], color.r, alpha)),
                                            RoundLevel(Lerp(p[1], color.g, alpha)),
                                            RoundLevel(Lerp(p[2], color.b, alpha)), 255}));
  }
  return image;
}

}  // namespace attnviz
