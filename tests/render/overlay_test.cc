// The overlay figure: bilinear upsampling as torch does it, exact blended pixels, the layout of
// picture, panel and colorbar, and the three formats' bytes.
#include "attnviz/render/overlay.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/image.h"
#include "attnviz/io/load.h"
#include "attnviz/render/colormap.h"
#include "nlohmann/json.hpp"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

const std::string kOverlayFixtures = ATTNVIZ_FIXTURES_DIR "/overlay/";

Picture Uniform(int width, int height, Rgba color) {
  Picture picture{width, height, {}};
  for (int i = 0; i < width * height; ++i) {
    picture.rgba.insert(picture.rgba.end(), {color.r, color.g, color.b, color.a});
  }
  return picture;
}

OverlaySpec UniformSpec(float weight) {
  OverlaySpec spec;
  spec.picture = Uniform(8, 8, {100, 100, 100, 255});
  spec.grid_rows = 2;
  spec.grid_cols = 2;
  spec.patches = std::vector<float>(4, weight);
  spec.scale.vmin = 0;
  spec.scale.vmax = 1;
  return spec;
}

// The PNG pixel at the centre of picture pixel (x, y) of the overlay.
Rgba PicturePixel(const DecodedPng& png, const OverlayLayout& layout, const Picture& picture,
                  double x, double y, double dpi) {
  double px = layout.overlay.x + (x + 0.5) * layout.overlay.width / picture.width;
  double py = layout.overlay.y + (y + 0.5) * layout.overlay.height / picture.height;
  return png.at(static_cast<int>(px * dpi / 72), static_cast<int>(py * dpi / 72));
}

ErrorKind KindOfError(const OverlaySpec& spec) {
  try {
    RenderOverlay(spec, ImageFormat::kPng);
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("no error");
  return ErrorKind::kInput;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("bilinear upsampling matches torch's interpolate with align_corners=False") {
  // torch.nn.functional.interpolate(g[None, None], size=(4, 4), mode="bilinear",
  // align_corners=False) for g = [[0, 1], [2, 3]].
  std::vector<float> four = UpsampleBilinear({0, 1, 2, 3}, 2, 2, 4, 4);
  std::vector<float> expected = {0.0f, 0.25f, 0.75f, 1.0f, 0.5f, 0.75f, 1.25f, 1.5f,
                                 1.5f, 1.75f, 2.25f, 2.5f, 2.0f, 2.25f, 2.75f, 3.0f};
  REQUIRE(four.size() == expected.size());
  for (size_t i = 0; i < four.size(); ++i) CHECK(four[i] == doctest::Approx(expected[i]));
}

TEST_CASE("bilinear upsampling to a size that is no multiple of the grid matches torch") {
  // The same torch call for g = [[0, 1, 4], [2, 3, 8]] and size (3, 5).
  std::vector<float> out = UpsampleBilinear({0, 1, 4, 2, 3, 8}, 2, 3, 5, 3);
  std::vector<float> expected = {0.0f, 0.4f, 1.0f, 2.8f, 4.0f, 1.0f, 1.4f, 2.0f,
                                 4.4f, 6.0f, 2.0f, 2.4f, 3.0f, 6.0f, 8.0f};
  REQUIRE(out.size() == expected.size());
  for (size_t i = 0; i < out.size(); ++i) CHECK(out[i] == doctest::Approx(expected[i]));
}

TEST_CASE("a grid upsampled to its own size is unchanged") {
  std::vector<float> grid = {0.1f, 0.7f, 0.3f, 0.9f, 0.2f, 0.4f};
  CHECK(UpsampleBilinear(grid, 2, 3, 3, 2) == grid);
}

TEST_CASE("every overlay pixel is (1 - alpha) picture + alpha colour, rounded") {
  OverlaySpec spec = UniformSpec(0.5f);  // viridis entry floor(0.5 * 256) = 128 = (32, 144, 140)
  RenderOptions options;
  options.dpi = 72;
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng, options));
  OverlayLayout layout = LayoutOverlay(spec, options);
  // 0.5 * 100 + 0.5 * (32, 144, 140) = (66, 122, 120), from numpy and matplotlib.
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      CHECK(PicturePixel(png, layout, spec.picture, x, y, 72) == Rgba{66, 122, 120, 255});
    }
  }
}

TEST_CASE("upsampled weights pick their colours pixel by pixel") {
  OverlaySpec spec;
  spec.picture = Uniform(4, 1, {200, 50, 0, 255});
  spec.grid_rows = 1;
  spec.grid_cols = 2;
  spec.patches = {0.0f, 1.0f};  // upsampled to 0, 0.25, 0.75, 1: viridis 0, 64, 192, 255
  spec.alpha = 0.25;
  spec.fit = ImageFit::kStretch;  // all 4 pixels under the 2 patches
  RenderOptions options;
  options.dpi = 72;
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng, options));
  OverlayLayout layout = LayoutOverlay(spec, options);
  // floor(0.75 * (200, 50, 0) + 0.25 * viridis[i] + 0.5), from numpy and matplotlib.
  CHECK(PicturePixel(png, layout, spec.picture, 0, 0, 72) == Rgba{167, 38, 21, 255});
  CHECK(PicturePixel(png, layout, spec.picture, 1, 0, 72) == Rgba{165, 58, 35, 255});
  CHECK(PicturePixel(png, layout, spec.picture, 2, 0, 72) == Rgba{174, 88, 24, 255});
  CHECK(PicturePixel(png, layout, spec.picture, 3, 0, 72) == Rgba{213, 95, 9, 255});
}

TEST_CASE("alpha 0 shows the picture and alpha 1 the colormap alone") {
  OverlaySpec spec = UniformSpec(1.0f);
  spec.alpha = 0;
  DecodedPng picture_only = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  OverlayLayout layout = LayoutOverlay(spec);
  CHECK(PicturePixel(picture_only, layout, spec.picture, 3, 3, 100) == Rgba{100, 100, 100, 255});
  spec.alpha = 1;
  DecodedPng colour_only = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  CHECK(PicturePixel(colour_only, layout, spec.picture, 3, 3, 100) ==
        FindColormap("viridis")->colors[255]);
}

TEST_CASE("transparent picture pixels are flattened onto the white page first") {
  OverlaySpec spec = UniformSpec(0.0f);
  spec.picture = Uniform(8, 8, {0, 0, 0, 0});
  spec.alpha = 0;
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  CHECK(PicturePixel(png, LayoutOverlay(spec), spec.picture, 4, 4, 100) ==
        Rgba{255, 255, 255, 255});
}

TEST_CASE("a small picture is magnified by a whole factor toward 3 inches") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.picture = Uniform(100, 50, {0, 0, 0, 255});
  spec.fit = ImageFit::kStretch;  // the whole 2:1 picture
  RenderOptions options;
  options.dpi = 100;  // 3 in = 300 px: 100 px magnified 3 times
  OverlayLayout layout = LayoutOverlay(spec, options);
  CHECK(layout.overlay.width == doctest::Approx(300 * 72 / 100.0));
  CHECK(layout.overlay.height == doctest::Approx(150 * 72 / 100.0));
  // Whole device pixels, so every picture pixel is a 3 x 3 block.
  CHECK(layout.overlay.x * 100 / 72 == doctest::Approx(std::round(layout.overlay.x * 100 / 72)));
  CHECK(layout.overlay.y * 100 / 72 == doctest::Approx(std::round(layout.overlay.y * 100 / 72)));
}

TEST_CASE("a large picture is reduced by a whole factor toward 3 inches") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.picture = Uniform(2000, 1000, {0, 0, 0, 255});
  spec.fit = ImageFit::kStretch;
  OverlayLayout layout = LayoutOverlay(spec);  // 100 dpi: 2000 / 300 rounds to 7
  CHECK(layout.overlay.width == doctest::Approx(286 * 72 / 100.0));   // ceil(2000 / 7)
  CHECK(layout.overlay.height == doctest::Approx(143 * 72 / 100.0));  // ceil(1000 / 7)
}

TEST_CASE("the panel shows each patch in its exact colormap colour") {
  OverlaySpec spec = UniformSpec(0);
  spec.patches = {0.1f, 0.4f, 0.6f, 0.9f};  // viridis entries 25, 102, 153, 230
  spec.panel = true;
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  OverlayLayout layout = LayoutOverlay(spec);
  REQUIRE_FALSE(layout.panel.empty());
  CHECK(layout.panel.x > layout.overlay.right());
  CHECK(layout.colorbar.x > layout.panel.right());
  CHECK(layout.panel.height == doctest::Approx(layout.overlay.height));
  const Colormap& viridis = *FindColormap("viridis");
  int entries[4] = {25, 102, 153, 230};
  for (int i = 0; i < 4; ++i) {
    double x = layout.panel.x + (i % 2 + 0.5) * layout.panel.width / 2;
    double y = layout.panel.y + (i / 2 + 0.5) * layout.panel.height / 2;
    CHECK(png.at(static_cast<int>(x * 100 / 72), static_cast<int>(y * 100 / 72)) ==
          viridis.colors[entries[i]]);
  }
}

TEST_CASE("without a panel the colorbar sits beside the picture") {
  OverlayLayout layout = LayoutOverlay(UniformSpec(0.5f));
  CHECK(layout.panel.empty());
  CHECK(layout.colorbar.x > layout.overlay.right());
  CHECK(layout.colorbar.height >= layout.overlay.height);
}

TEST_CASE("every text box lies inside the page and no two overlap") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.panel = true;
  spec.title = "vit · layer 11 · mean of all heads · query 0 “[CLS]”";
  OverlayLayout layout = LayoutOverlay(spec);
  Rect page{0, 0, layout.page.width, layout.page.height};
  for (size_t i = 0; i < layout.text_bounds.size(); ++i) {
    CAPTURE(i);
    CHECK(page.Contains(layout.text_bounds[i]));
    for (size_t j = i + 1; j < layout.text_bounds.size(); ++j) {
      CHECK_FALSE(layout.text_bounds[i].Intersects(layout.text_bounds[j]));
    }
  }
  CHECK(page.Contains(layout.overlay));
  CHECK(page.Contains(layout.panel));
  CHECK(page.Contains(layout.colorbar));
}

TEST_CASE("rendering twice gives identical bytes in every format") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.panel = true;
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    CHECK(RenderOverlay(spec, format) == RenderOverlay(spec, format));
  }
}

TEST_CASE("PDF and SVG embed the picture without smoothing") {
  OverlaySpec spec = UniformSpec(0.5f);
  std::string pdf = RenderOverlay(spec, ImageFormat::kPdf);
  CHECK(pdf.rfind("%PDF-1.", 0) == 0);
  CHECK(Contains(pdf, "/Interpolate false"));
  CHECK_FALSE(Contains(pdf, "/Interpolate true"));
  std::string svg = RenderOverlay(spec, ImageFormat::kSvg);
  CHECK(Contains(svg, "image-rendering:pixelated"));
}

TEST_CASE("patches that do not fill the grid are a usage error") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.grid_rows = 3;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("alpha outside [0, 1] is a usage error") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.alpha = 1.5;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("an empty picture is a usage error") {
  OverlaySpec spec = UniformSpec(0.5f);
  spec.picture = {};
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE(
    "the fixture's disc head is brightest over the disc and its square head over the square") {
  Dump dump = LoadDump(kOverlayFixtures + "vit.npz");
  RgbaImage image = ReadPngImage(kOverlayFixtures + "picture.png");
  REQUIRE(dump.attention.keys() == 197);
  struct Case {
    int64_t head;
    Rect shape;  // in picture pixels (make_fixture.py)
  };
  for (Case c : {Case{0, {28, 44, 72, 72}}, Case{1, {144, 128, 56, 56}}}) {
    CAPTURE(c.head);
    std::vector<float> row = dump.attention.ReadHead(0, c.head);
    OverlaySpec spec;
    spec.picture = {image.width, image.height, image.rgba};
    spec.grid_rows = spec.grid_cols = 14;
    spec.patches.assign(row.begin() + 1, row.begin() + 197);  // query 0, CLS key dropped
    spec.alpha = 1;
    RenderOptions options;
    options.dpi = 72;  // 224 px: shown 1:1
    DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng, options));
    OverlayLayout layout = LayoutOverlay(spec, options);
    Rgba top = FindColormap("viridis")->colors[255];
    int inside = 0, outside = 0;
    for (int y = 0; y < 224; ++y) {
      for (int x = 0; x < 224; ++x) {
        if (PicturePixel(png, layout, spec.picture, x, y, 72) != top) continue;
        (c.shape.Contains({x + 0.5, y + 0.5, 0, 0}) ? inside : outside) += 1;
      }
    }
    CHECK(inside > 0);
    CHECK(outside == 0);
  }
}

}  // namespace
}  // namespace attnviz
