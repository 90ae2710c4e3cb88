// ReadJpegImage and ReadImage on the fixtures of tests/fixtures/overlay/make_jpeg_fixtures.py.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "attnviz/error.h"
#include "attnviz/io/image.h"

namespace attnviz {
namespace {

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/overlay/";

// JPEG is lossy: a colour a few pixels from any edge decodes within this of what was written
// (quality 95, no chroma subsampling).
constexpr int kTolerance = 6;

struct Pixel {
  int r, g, b, a;
};

Pixel At(const RgbaImage& image, int x, int y) {
  const uint8_t* p = &image.rgba[(static_cast<size_t>(y) * image.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

bool Near(Pixel pixel, int r, int g, int b) {
  return std::abs(pixel.r - r) <= kTolerance && std::abs(pixel.g - g) <= kTolerance &&
         std::abs(pixel.b - b) <= kTolerance && pixel.a == 255;
}

// The picture of wide.jpg: red, green and blue bands as the fixture script wrote them.
void CheckWide(const RgbaImage& image) {
  REQUIRE(image.width == 60);
  REQUIRE(image.height == 40);
  REQUIRE(image.rgba.size() == 60u * 40u * 4u);
  for (int y : {2, 20, 37}) {
    CHECK(Near(At(image, 3, y), 220, 40, 40));
    CHECK(Near(At(image, 30, y), 40, 180, 60));
    CHECK(Near(At(image, 56, y), 40, 60, 220));
  }
}

// The error a read throws: its kind and message.
Error ReadError(const std::string& path) {
  try {
    ReadImage(path);
  } catch (const Error& error) {
    return error;
  }
  FAIL("no error");
  return Error(ErrorKind::kUsage, "");
}

bool Says(const Error& error, const std::string& words) {
  return std::string(error.what()).find(words) != std::string::npos;
}

TEST_CASE("a baseline JPEG reads as opaque RGBA near the colours written") {
  CheckWide(ReadJpegImage(kFixtures + "wide.jpg"));
}

TEST_CASE("a progressive JPEG reads as the same picture") {
  CheckWide(ReadJpegImage(kFixtures + "wide_progressive.jpg"));
}

TEST_CASE("a greyscale JPEG becomes grey RGBA") {
  RgbaImage image = ReadJpegImage(kFixtures + "grey.jpg");
  REQUIRE(image.width == 16);
  REQUIRE(image.height == 8);
  CHECK(Near(At(image, 2, 4), 50, 50, 50));
  CHECK(Near(At(image, 13, 4), 200, 200, 200));
}

TEST_CASE("ReadImage tells JPEG from PNG by the bytes, not the name") {
  CheckWide(ReadImage(kFixtures + "wide.jpg"));
  CHECK(ReadImage(kFixtures + "picture.png").width == 224);
  // A JPEG start under a .png name is read as a JPEG, and this one is cut short.
  Error error = ReadError(kFixtures + "jpeg_named.png");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "jpeg_named.png: unreadable JPEG"));
}

TEST_CASE("a file neither PNG nor JPEG is an input error naming both") {
  Error error = ReadError(kFixtures + "vit.npz");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "vit.npz: expected a PNG or JPEG image, found something else"));
}

TEST_CASE("a CMYK JPEG is refused in one line") {
  Error error = ReadError(kFixtures + "cmyk.jpg");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "cmyk.jpg: expected an RGB or greyscale JPEG, found"));
  CHECK(Says(error, "CMYK"));
}

TEST_CASE("a truncated JPEG is an input error, not a grey-filled picture") {
  Error error = ReadError(kFixtures + "truncated.jpg");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "truncated.jpg: damaged JPEG"));
  CHECK(std::string(error.what()).find('\n') == std::string::npos);
}

TEST_CASE("a JPEG cut inside its header is an input error") {
  Error error = ReadError(kFixtures + "header_only.jpg");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "header_only.jpg: unreadable JPEG"));
}

TEST_CASE("a JPEG whose header claims 65000 x 65000 pixels is refused before decoding") {
  Error error = ReadError(kFixtures + "huge.jpg");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(
      Says(error, "huge.jpg: expected an image of 1 to 16384 pixels a side, found 65000 x 65000"));
}

TEST_CASE("a JPEG with a stray marker in its scan is an input error") {
  Error error = ReadError(kFixtures + "corrupt.jpg");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "corrupt.jpg: damaged JPEG: Corrupt JPEG data"));
}

TEST_CASE("a missing JPEG is an input error naming it") {
  Error error = ReadError(kFixtures + "nope.jpg");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "nope.jpg: cannot open"));
}

}  // namespace
}  // namespace attnviz
