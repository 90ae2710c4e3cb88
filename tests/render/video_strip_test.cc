// The video strip: frames in a row on one colour scale, bars as tall as each frame's mass, the
// hottest patch where the map puts it, and GIF / MP4 bytes identical on re-run.
#include "attnviz/render/video_strip.h"

#include <doctest/doctest.h>

#include <cmath>

#include "attnviz/error.h"
#include "attnviz/render/animation.h"
#include "attnviz/render/colormap.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

Picture Grey(int side) {
  return {side, side, std::vector<uint8_t>(static_cast<size_t>(side) * side * 4, 128)};
}

// Three frames of 2 x 2 patches; frame t's weight sits on patch t (0, 1, 2 row-major), 0.5, 0.25,
// 0.125.
VideoStripSpec ThreeFrames() {
  VideoStripSpec spec;
  spec.grid_rows = spec.grid_cols = 2;
  const float peaks[3] = {0.5f, 0.25f, 0.125f};
  for (int t = 0; t < 3; ++t) {
    spec.frames.push_back(Grey(16));
    std::vector<float> map(4, 0.0f);
    map[t] = peaks[t];
    spec.maps.push_back(map);
    spec.captions.push_back("t=" + std::to_string(t));
    spec.profile.push_back(peaks[t]);
  }
  spec.alpha = 1;  // pure colormap: pixels read back as weights
  return spec;
}

TEST_CASE("video strip: one row of equal frames, bars in proportion to the profile") {
  VideoStripSpec spec = ThreeFrames();
  VideoStripLayout layout = LayoutVideoStrip(spec);
  REQUIRE(layout.frames.size() == 3);
  CHECK(layout.frames[1].y == layout.frames[0].y);
  CHECK(layout.frames[1].x > layout.frames[0].right());
  CHECK(layout.frames[1].width == doctest::Approx(layout.frames[0].width));
  REQUIRE(layout.bars.size() == 3);
  CHECK(layout.bars[1].height == doctest::Approx(layout.bars[0].height / 2));
  CHECK(layout.bars[2].height == doctest::Approx(layout.bars[0].height / 4));
  CHECK(layout.bars[1].center().x == doctest::Approx(layout.frames[1].center().x));
  CHECK(layout.profile.y > layout.frames[0].bottom());
  CHECK(layout.scale.vmax == doctest::Approx(0.5));  // one scale over every frame
  for (const Rect& text : layout.text_bounds) {
    CHECK(Rect{0, 0, layout.page.width, layout.page.height}.Contains(text));
  }
}

TEST_CASE("video strip: frames wrap after eight, and every text stays on the page") {
  VideoStripSpec spec;
  spec.grid_rows = spec.grid_cols = 1;
  for (int t = 0; t < 10; ++t) {
    spec.frames.push_back(Grey(4));
    spec.maps.push_back({static_cast<float>(t)});
    spec.captions.push_back("t=" + std::to_string(t) + " · #" + std::to_string(3 * t));
    spec.profile.push_back(t);
  }
  VideoStripLayout layout = LayoutVideoStrip(spec);
  CHECK(layout.frames[8].y > layout.frames[7].bottom());
  CHECK(layout.frames[8].x == doctest::Approx(layout.frames[0].x));
  CHECK(layout.bars.size() == 10);
}

TEST_CASE("video strip PNG: the hottest patch of frame t is at its peak, on one scale") {
  VideoStripSpec spec = ThreeFrames();
  VideoStripLayout layout = LayoutVideoStrip(spec);
  DecodedPng png = DecodePng(RenderVideoStrip(spec, ImageFormat::kPng));
  const double ppp = 100.0 / 72;
  const Colormap& viridis = *FindColormap("viridis");
  for (int t = 0; t < 3; ++t) {
    const Rect& frame = layout.frames[t];
    auto pixel = [&](int patch) {  // 2 pt inside the patch's corner of the frame: its own value
      double x = patch % 2 ? frame.right() - 2 : frame.x + 2;
      double y = patch / 2 ? frame.bottom() - 2 : frame.y + 2;
      return png.at(static_cast<int>(x * ppp), static_cast<int>(y * ppp));
    };
    Rgba peak = pixel(t);
    Rgba expected = viridis.Lookup(spec.maps[t][t], 0, 0.5);
    CHECK(std::abs(peak.r - expected.r) <= 2);
    CHECK(std::abs(peak.g - expected.g) <= 2);
    Rgba cold = pixel((t + 3) % 4);  // a patch of weight 0: the colormap's low end
    CHECK(std::abs(cold.g - viridis.Lookup(0, 0, 0.5).g) <= 2);
  }
}

TEST_CASE("video strip: bad specs are usage errors") {
  VideoStripSpec spec = ThreeFrames();
  spec.profile.pop_back();
  CHECK_THROWS_AS(LayoutVideoStrip(spec), Error);
  spec = ThreeFrames();
  spec.maps[1].push_back(0);
  CHECK_THROWS_AS(LayoutVideoStrip(spec), Error);
  spec = ThreeFrames();
  spec.frames[2] = Grey(8);
  CHECK_THROWS_AS(LayoutVideoStrip(spec), Error);
}

TEST_CASE("animations: identical bytes on re-run, GIF and MP4 signatures") {
  VideoStripSpec spec = ThreeFrames();
  std::vector<RgbFrame> frames = BlendVideoFrames(spec, 4);
  REQUIRE(frames.size() == 3);
  CHECK(frames[0].width == 64);
  std::string gif = EncodeAnimation(frames, AnimationFormat::kGif, 2);
  CHECK(gif.substr(0, 6) == "GIF89a");
  CHECK(gif == EncodeAnimation(frames, AnimationFormat::kGif, 2));
  std::string mp4 = EncodeAnimation(frames, AnimationFormat::kMp4, 2);
  CHECK(mp4.substr(4, 4) == "ftyp");
  CHECK(mp4 == EncodeAnimation(frames, AnimationFormat::kMp4, 2));
  CHECK(AnimationFormatFor("a/b.GIF") == AnimationFormat::kGif);
  CHECK(AnimationFormatFor("b.mp4") == AnimationFormat::kMp4);
  CHECK_FALSE(AnimationFormatFor("b.png"));
}

TEST_CASE("median-cut palette: exact for few colours, at most 256 for many") {
  RgbFrame few{2, 1, {10, 20, 30, 200, 100, 0}};
  auto palette = MedianCutPalette({few});
  REQUIRE(palette.size() == 2);
  RgbFrame many{256, 64, {}};
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 256; ++x) many.rgb.insert(many.rgb.end(), {uint8_t(x), uint8_t(4 * y), 7});
  }
  CHECK(MedianCutPalette({many}).size() == 256);
}

TEST_CASE("progress bar: filled to (t + 1) / T of the width") {
  RgbFrame frame{40, 40, std::vector<uint8_t>(40 * 40 * 3, 255)};
  RgbFrame second = WithProgressBar(frame, 1, 4);  // half filled
  REQUIRE(second.height == 43);                    // 3 rows of bar below the 40 of the frame
  auto at = [&](int x, int y) { return second.rgb[(y * 40 + x) * 3]; };
  CHECK(at(19, 41) == 64);
  CHECK(at(20, 41) == 208);
  CHECK(at(20, 39) == 255);
}

}  // namespace
}  // namespace attnviz
