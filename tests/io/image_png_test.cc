// ReadPngImage on the overlay fixtures written by tests/fixtures/overlay/make_fixture.py.
#include <doctest/doctest.h>

#include <string>

#include "attnviz/error.h"
#include "attnviz/io/image.h"

namespace attnviz {
namespace {

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/overlay/";

struct Pixel {
  int r, g, b, a;
  bool operator==(const Pixel&) const = default;
};

Pixel At(const RgbaImage& image, int x, int y) {
  const uint8_t* p = &image.rgba[(static_cast<size_t>(y) * image.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

// The error a read throws: its kind and message.
Error ReadError(const std::string& path) {
  try {
    ReadPngImage(path);
  } catch (const Error& error) {
    return error;
  }
  FAIL("no error");
  return Error(ErrorKind::kUsage, "");
}

TEST_CASE("an RGB picture reads as opaque RGBA with numpy's pixel values") {
  RgbaImage image = ReadPngImage(kFixtures + "picture.png");
  CHECK(image.width == 224);
  CHECK(image.height == 224);
  CHECK(image.rgba.size() == 224u * 224u * 4u);
  // expected.json: rgb[y, x] as numpy wrote it.
  CHECK(At(image, 10, 10) == Pixel{92, 112, 153, 255});
  CHECK(At(image, 64, 80) == Pixel{220, 40, 40, 255});
  CHECK(At(image, 170, 150) == Pixel{240, 210, 40, 255});
}

TEST_CASE("16-bit grey becomes 8-bit RGBA") {
  RgbaImage image = ReadPngImage(kFixtures + "grey16.png");
  REQUIRE(image.width == 2);
  CHECK(At(image, 0, 0) == Pixel{0, 0, 0, 255});
  CHECK(At(image, 1, 0) == Pixel{255, 255, 255, 255});
}

TEST_CASE("a palette with transparency keeps its alpha, unpremultiplied") {
  RgbaImage image = ReadPngImage(kFixtures + "palette_alpha.png");
  REQUIRE(image.width == 2);
  CHECK(At(image, 0, 0) == Pixel{255, 0, 0, 255});
  CHECK(At(image, 1, 0) == Pixel{0, 0, 255, 128});
}

TEST_CASE("a missing file is an input error naming it") {
  Error error = ReadError(kFixtures + "nope.png");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(std::string(error.what()).find("nope.png: cannot open") != std::string::npos);
}

TEST_CASE("ReadPngImage refuses a JPEG, saying what it found") {
  Error error = ReadError(kFixtures + "jpeg_named.png");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(std::string(error.what()).find("expected a PNG image, found a JPEG") != std::string::npos);
}

TEST_CASE("a truncated PNG is an input error, not a crash") {
  Error error = ReadError(kFixtures + "truncated.png");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(std::string(error.what()).rfind(kFixtures + "truncated.png: damaged PNG", 0) == 0);
}

}  // namespace
}  // namespace attnviz
