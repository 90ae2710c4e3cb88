// PNG encoding: colour type, un-premultiplying, DPI, no timestamp, deterministic bytes.
#include "attnviz/png/png_encoder.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "attnviz/error.h"
#include "render/png_reader.h"

namespace attnviz {
namespace {

using testing::DecodePng;
using testing::PngChunks;

bool HasChunk(const std::string& png, const std::string& type) {
  for (const auto& chunk : PngChunks(png)) {
    if (chunk.type == type) return true;
  }
  return false;
}

TEST_CASE("EncodePng writes opaque pixels as 8-bit RGB with their exact colours") {
  uint32_t pixels[] = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xff123456};
  std::string png = EncodePng({pixels, 2, 2, 2}, {});
  REQUIRE(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  auto chunks = PngChunks(png);
  REQUIRE(chunks.front().type == "IHDR");
  CHECK(chunks.front().data[8] == 8);  // bit depth
  CHECK(chunks.front().data[9] == 2);  // colour type 2: RGB
  testing::DecodedPng decoded = DecodePng(png);
  CHECK(decoded.width == 2);
  CHECK(decoded.at(0, 0) == Rgba{255, 0, 0, 255});
  CHECK(decoded.at(1, 0) == Rgba{0, 255, 0, 255});
  CHECK(decoded.at(0, 1) == Rgba{0, 0, 255, 255});
  CHECK(decoded.at(1, 1) == Rgba{0x12, 0x34, 0x56, 255});
}

TEST_CASE("EncodePng keeps alpha when a pixel is translucent, un-premultiplied") {
  // Premultiplied half-transparent red (128 * 255 / 255 = 128) and a transparent pixel.
  uint32_t pixels[] = {0x80800000, 0x00000000};
  std::string png = EncodePng({pixels, 2, 1, 2}, {});
  CHECK(PngChunks(png).front().data[9] == 6);  // colour type 6: RGBA
  testing::DecodedPng decoded = DecodePng(png);
  CHECK(decoded.at(0, 0) == Rgba{255, 0, 0, 128});
  CHECK(decoded.at(1, 0).a == 0);
}

TEST_CASE("EncodePng honours the row stride") {
  uint32_t pixels[] = {0xff0000ff, 0xdeadbeef, 0xff00ff00, 0xdeadbeef};
  testing::DecodedPng decoded = DecodePng(EncodePng({pixels, 1, 2, 2}, {}));
  CHECK(decoded.at(0, 0) == Rgba{0, 0, 255, 255});
  CHECK(decoded.at(0, 1) == Rgba{0, 255, 0, 255});
}

TEST_CASE("EncodePng records the DPI in pHYs as pixels per metre") {
  uint32_t pixel = 0xffffffff;
  std::string png = EncodePng({&pixel, 1, 1, 1}, {300, 6});
  for (const auto& chunk : PngChunks(png)) {
    if (chunk.type != "pHYs") continue;
    CHECK(testing::ChunkUint32(chunk, 0) == 11811);  // round(300 / 0.0254)
    CHECK(testing::ChunkUint32(chunk, 4) == 11811);
    CHECK(chunk.data[8] == 1);  // unit: metre
    return;
  }
  FAIL("no pHYs chunk");
}

TEST_CASE("EncodePng writes no tIME chunk, so equal pixels give equal bytes") {
  uint32_t pixels[64];
  for (int i = 0; i < 64; ++i) pixels[i] = 0xff000000u | static_cast<uint32_t>(i * 0x010203);
  std::string first = EncodePng({pixels, 8, 8, 8}, {});
  CHECK_FALSE(HasChunk(first, "tIME"));
  CHECK(HasChunk(first, "sRGB"));
  CHECK(first == EncodePng({pixels, 8, 8, 8}, {}));
}

TEST_CASE("EncodePng's compression level changes the size, not the pixels") {
  uint32_t pixels[256];
  for (int i = 0; i < 256; ++i) pixels[i] = 0xff000000u | static_cast<uint32_t>(i % 7) * 0x111111;
  std::string stored = EncodePng({pixels, 16, 16, 16}, {100, 0});
  std::string packed = EncodePng({pixels, 16, 16, 16}, {100, 9});
  CHECK(packed.size() < stored.size());
  CHECK(DecodePng(stored).rgba == DecodePng(packed).rgba);
}

// A figure-like picture: white margin, cells of 3 x 2 pixels, a translucent band if asked.
std::vector<uint32_t> Figure(int width, int height, bool translucent) {
  std::vector<uint32_t> pixels(static_cast<size_t>(width) * static_cast<size_t>(height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      bool margin = x < 8 || y < 8 || x >= width - 8 || y >= height - 8;
      uint32_t cell = static_cast<uint32_t>((x / 3) * 7 + (y / 2) * 13) % 5;
      uint32_t pixel = margin ? 0xffffffff : 0xff000000u | cell * 0x203040u;
      if (translucent && y > height / 2) pixel = (cell * 0x20u + 0x40u) << 24 | cell * 0x070809u;
      pixels[static_cast<size_t>(y) * static_cast<size_t>(width) + x] = pixel;
    }
  }
  return pixels;
}

TEST_CASE("EncodePng gives the same pixels at every level, opaque or translucent") {
  for (bool translucent : {false, true}) {
    CAPTURE(translucent);
    std::vector<uint32_t> pixels = Figure(97, 61, translucent);
    ArgbPixelsView view{pixels.data(), 97, 61, 97};
    testing::DecodedPng reference = DecodePng(EncodePng(view, {100, 6}));
    CHECK(PngChunks(EncodePng(view, {})).front().data[9] == (translucent ? 6 : 2));
    for (int level = 0; level <= 9; ++level) {
      CAPTURE(level);
      CHECK(DecodePng(EncodePng(view, {100, level})).rgba == reference.rgba);
    }
  }
}

TEST_CASE("EncodePng's default level deflates a figure to within a third of level 6's size") {
  std::vector<uint32_t> pixels = Figure(400, 300, false);
  ArgbPixelsView view{pixels.data(), 400, 300, 400};
  CHECK(EncodePng(view, {}).size() < EncodePng(view, {100, 6}).size() * 4 / 3);
}

TEST_CASE("EncodePng writes rows longer than deflate's 32 KiB window") {
  std::vector<uint32_t> pixels = Figure(11000, 20, false);
  testing::DecodedPng decoded = DecodePng(EncodePng({pixels.data(), 11000, 20, 11000}, {}));
  CHECK(decoded.width == 11000);
  CHECK(decoded.at(10995, 10) == Rgba{255, 255, 255, 255});  // the right margin
  // Cell (5000 / 3) * 7 + (10 / 2) * 13 = 11727, colour 11727 % 5 = 2: 2 x 0x203040.
  CHECK(decoded.at(5000, 10) == Rgba{0x40, 0x60, 0x80, 255});
}

TEST_CASE("EncodePng rejects compression levels outside 0-9 as a usage error") {
  uint32_t pixel = 0xffffffff;
  try {
    EncodePng({&pixel, 1, 1, 1}, {100, 10});
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUsage);
  }
}

}  // namespace
}  // namespace attnviz
