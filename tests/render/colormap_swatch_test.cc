// The colormap swatch: every map's exact colours, in all three formats.
#include "attnviz/render/colormap_swatch.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "attnviz/error.h"
#include "attnviz/render/colormap.h"
#include "png_reader.h"

namespace attnviz {
namespace {

bool HasPixel(const testing::DecodedPng& png, Rgba color) {
  for (int y = 0; y < png.height; ++y) {
    for (int x = 0; x < png.width; ++x) {
      if (png.at(x, y) == color) return true;
    }
  }
  return false;
}

TEST_CASE("the swatch shows both ends and the middle of every map") {
  testing::DecodedPng png =
      testing::DecodePng(RenderColormapSwatch(ColormapNames(), ImageFormat::kPng));
  for (std::string_view name : ColormapNames()) {
    CAPTURE(name);
    const Colormap& colormap = *FindColormap(name);
    for (int entry : {0, 128, 255}) CHECK(HasPixel(png, colormap.colors[entry]));
  }
}

TEST_CASE("the swatch renders in every format, the same bytes each time") {
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    std::string first = RenderColormapSwatch(ColormapNames(), format);
    CHECK(first.size() > 100);
    CHECK(RenderColormapSwatch(ColormapNames(), format) == first);
  }
}

TEST_CASE("an unknown colormap in the swatch is a usage error") {
  try {
    RenderColormapSwatch({"jet"}, ImageFormat::kPng);
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUsage);
  }
}

}  // namespace
}  // namespace attnviz
