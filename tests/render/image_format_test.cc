// Choosing PNG, SVG or PDF from the output path's extension.
#include "attnviz/render/image_format.h"

#include <doctest/doctest.h>

namespace attnviz {
namespace {

TEST_CASE("ImageFormatForPath reads .png, .svg and .pdf") {
  CHECK(ImageFormatForPath("fig.png") == ImageFormat::kPng);
  CHECK(ImageFormatForPath("out/fig.svg") == ImageFormat::kSvg);
  CHECK(ImageFormatForPath("/tmp/a.b/fig.pdf") == ImageFormat::kPdf);
}

TEST_CASE("ImageFormatForPath ignores the extension's case") {
  CHECK(ImageFormatForPath("FIG.PNG") == ImageFormat::kPng);
  CHECK(ImageFormatForPath("fig.Svg") == ImageFormat::kSvg);
}

TEST_CASE("ImageFormatForPath rejects other or missing extensions") {
  CHECK_FALSE(ImageFormatForPath("fig.jpg").has_value());
  CHECK_FALSE(ImageFormatForPath("fig").has_value());
  CHECK_FALSE(ImageFormatForPath("figs.png/fig").has_value());
  CHECK_FALSE(ImageFormatForPath("fig.png.txt").has_value());
  CHECK_FALSE(ImageFormatForPath("").has_value());
}

}  // namespace
}  // namespace attnviz
