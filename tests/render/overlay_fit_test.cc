// --image-fit: the region of a picture of another aspect than the patch grid that the model saw
// (FitPicture), and where the overlay puts it, checked pixel by pixel.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/overlay.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

constexpr Rgba kRed{220, 40, 40, 255}, kGreen{40, 180, 60, 255}, kBlue{40, 60, 220, 255};
constexpr Rgba kWhitePage{255, 255, 255, 255};

// Pixel (x, y) holds red x, green y, blue 7, so every pixel names where it came from.
Picture Numbered(int width, int height) {
  Picture picture{width, height, {}};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      picture.rgba.insert(picture.rgba.end(),
                          {static_cast<uint8_t>(x), static_cast<uint8_t>(y), 7, 255});
    }
  }
  return picture;
}

Rgba At(const Picture& picture, int x, int y) {
  const uint8_t* p = &picture.rgba[(static_cast<size_t>(y) * picture.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

// 30 x 20: red where x < 5, green for 5 <= x < 25, blue where x >= 25.
Picture Bands() {
  Picture picture{30, 20, {}};
  for (int y = 0; y < 20; ++y) {
    for (int x = 0; x < 30; ++x) {
      Rgba c = x < 5 ? kRed : x < 25 ? kGreen : kBlue;
      picture.rgba.insert(picture.rgba.end(), {c.r, c.g, c.b, c.a});
    }
  }
  return picture;
}

// The bands under a 1 x 1 grid of weight 0, shown without any colour (alpha 0).
OverlaySpec BandsSpec(ImageFit fit) {
  OverlaySpec spec;
  spec.picture = Bands();
  spec.grid_rows = spec.grid_cols = 1;
  spec.patches = {0};
  spec.alpha = 0;
  spec.fit = fit;
  return spec;
}

// The PNG pixel at fraction (fx, fy) of the overlay's width and height.
Rgba OverlayPixel(const DecodedPng& png, const OverlayLayout& layout, double fx, double fy) {
  double px = layout.overlay.x + fx * layout.overlay.width;
  double py = layout.overlay.y + fy * layout.overlay.height;
  return png.at(static_cast<int>(px * 100 / 72), static_cast<int>(py * 100 / 72));
}

TEST_CASE("crop keeps the centre of a wide picture, as wide as it is high") {
  Picture fitted = FitPicture(Numbered(12, 8), 2, 2, ImageFit::kCrop);
  REQUIRE(fitted.width == 8);
  REQUIRE(fitted.height == 8);
  CHECK(At(fitted, 0, 0) == Rgba{2, 0, 7, 255});  // (12 - 8) / 2 = 2 columns off the left
  CHECK(At(fitted, 7, 7) == Rgba{9, 7, 7, 255});
}

TEST_CASE("crop of a tall picture rounds its centring down") {
  Picture fitted = FitPicture(Numbered(8, 13), 14, 14, ImageFit::kCrop);
  REQUIRE(fitted.width == 8);
  REQUIRE(fitted.height == 8);
  CHECK(At(fitted, 0, 0) == Rgba{0, 2, 7, 255});  // (13 - 8) / 2 = 2.5, rounded down
  CHECK(At(fitted, 3, 7) == Rgba{3, 9, 7, 255});
}

TEST_CASE("pad centres a wide picture in a square of clear pixels") {
  Picture fitted = FitPicture(Numbered(12, 8), 1, 1, ImageFit::kPad);
  REQUIRE(fitted.width == 12);
  REQUIRE(fitted.height == 12);
  for (int y : {0, 1, 10, 11}) CHECK(At(fitted, 5, y) == Rgba{0, 0, 0, 0});
  CHECK(At(fitted, 0, 2) == Rgba{0, 0, 7, 255});
  CHECK(At(fitted, 11, 9) == Rgba{11, 7, 7, 255});
}

TEST_CASE("a grid of another aspect is fitted to that aspect") {
  // 2 rows x 4 columns of square patches: twice as wide as high.
  Picture cropped = FitPicture(Numbered(10, 10), 2, 4, ImageFit::kCrop);
  CHECK(cropped.width == 10);
  CHECK(cropped.height == 5);
  CHECK(At(cropped, 0, 0) == Rgba{0, 2, 7, 255});
  Picture padded = FitPicture(Numbered(10, 10), 2, 4, ImageFit::kPad);
  CHECK(padded.width == 20);
  CHECK(padded.height == 10);
  CHECK(At(padded, 4, 0) == Rgba{0, 0, 0, 0});
  CHECK(At(padded, 5, 0) == Rgba{0, 0, 7, 255});
}

TEST_CASE("stretch, and a picture already of the grid's aspect, are left as they are") {
  Picture wide = Numbered(12, 8);
  CHECK(FitPicture(wide, 1, 1, ImageFit::kStretch).rgba == wide.rgba);
  CHECK(FitPicture(wide, 2, 3, ImageFit::kCrop).width == 12);
  CHECK(FitPicture(wide, 2, 3, ImageFit::kPad).height == 8);
}

TEST_CASE("padding beyond 16384 pixels a side is a usage error") {
  // 16000 x 1 under a 1 x 1 grid pads to 16000 x 16000: allowed; under 2 rows x 1 column the
  // height would be 32000.
  CHECK(FitPicture(Numbered(200, 1), 1, 1, ImageFit::kPad).height == 200);
  Picture thin{16000, 1, std::vector<uint8_t>(16000 * 4, 255)};
  try {
    FitPicture(thin, 2, 1, ImageFit::kPad);
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUsage);
    CHECK(std::string(error.what()).find("16000 x 32000 pixels") != std::string::npos);
  }
}

TEST_CASE("the default fit is crop, as ViT and CLIP processors centre-crop") {
  CHECK(OverlaySpec{}.fit == ImageFit::kCrop);
}

TEST_CASE("a cropped overlay is square and shows only the centre band") {
  OverlaySpec spec = BandsSpec(ImageFit::kCrop);
  OverlayLayout layout = LayoutOverlay(spec);
  CHECK(layout.overlay.width == doctest::Approx(layout.overlay.height));
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  for (double f : {0.02, 0.5, 0.98}) {
    CHECK(OverlayPixel(png, layout, f, 0.5) == kGreen);
    CHECK(OverlayPixel(png, layout, 0.5, f) == kGreen);
  }
}

TEST_CASE("a padded overlay is square with the page above and below the picture") {
  OverlaySpec spec = BandsSpec(ImageFit::kPad);
  OverlayLayout layout = LayoutOverlay(spec);
  CHECK(layout.overlay.width == doctest::Approx(layout.overlay.height));
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  // 30 x 30: rows 0-4 and 25-29 are padding, the bands between.
  CHECK(OverlayPixel(png, layout, 0.5, 0.05) == kWhitePage);
  CHECK(OverlayPixel(png, layout, 0.5, 0.95) == kWhitePage);
  CHECK(OverlayPixel(png, layout, 0.05, 0.5) == kRed);
  CHECK(OverlayPixel(png, layout, 0.5, 0.5) == kGreen);
  CHECK(OverlayPixel(png, layout, 0.95, 0.5) == kBlue);
}

TEST_CASE("a stretched overlay shows the whole picture at its own aspect") {
  OverlaySpec spec = BandsSpec(ImageFit::kStretch);
  OverlayLayout layout = LayoutOverlay(spec);
  CHECK(layout.overlay.width / layout.overlay.height == doctest::Approx(1.5));
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  CHECK(OverlayPixel(png, layout, 0.05, 0.05) == kRed);
  CHECK(OverlayPixel(png, layout, 0.5, 0.5) == kGreen);
  CHECK(OverlayPixel(png, layout, 0.95, 0.95) == kBlue);
}

TEST_CASE("with pad the patch grid covers the padded square, padding included") {
  OverlaySpec spec = BandsSpec(ImageFit::kPad);
  spec.grid_rows = spec.grid_cols = 2;
  spec.patches = {1, 1, 0, 0};  // the top row of patches attended, the bottom not
  spec.alpha = 1;               // the colormap alone
  spec.scale.vmin = 0;
  spec.scale.vmax = 1;
  OverlayLayout layout = LayoutOverlay(spec);
  DecodedPng png = DecodePng(RenderOverlay(spec, ImageFormat::kPng));
  // Rows 0-4 of 30 lie in the top patch's upper half (bilinear weights clamp to it there).
  CHECK(OverlayPixel(png, layout, 0.5, 0.05) == layout.scale.Lookup(1));
  CHECK(OverlayPixel(png, layout, 0.5, 0.95) == layout.scale.Lookup(0));
}

}  // namespace
}  // namespace attnviz
