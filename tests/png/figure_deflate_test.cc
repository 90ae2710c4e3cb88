// The figure encoder's zlib streams, inflated by zlib and compared with rows packed here.
#include "png/figure_deflate.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <utility>
#include <vector>

namespace attnviz {
namespace {

// Pixel words with their own stride, for building test images.
struct Image {
  int width = 0;
  int height = 0;
  int stride = 0;
  int bytes_per_pixel = 3;
  std::vector<uint32_t> words;

  Image(int w, int h, int bytes = 3, int extra_stride = 0)
      : width(w),
        height(h),
        stride(w + extra_stride),
        bytes_per_pixel(bytes),
        words(static_cast<size_t>(stride) * static_cast<size_t>(h), 0xdeadbeef) {}

  uint32_t& at(int x, int y) { return words[static_cast<size_t>(y) * stride + x]; }
  PngPixelRows rows() const { return {words.data(), width, height, stride, bytes_per_pixel}; }
};

// What the PNG rows hold: a zero filter byte, then R, G, B (and A) of each pixel.
std::string PackedRows(Image& image) {
  std::string bytes;
  for (int y = 0; y < image.height; ++y) {
    bytes.push_back('\0');
    for (int x = 0; x < image.width; ++x) {
      uint32_t word = image.at(x, y);
      bytes.push_back(static_cast<char>(word >> 16));
      bytes.push_back(static_cast<char>(word >> 8));
      bytes.push_back(static_cast<char>(word));
      if (image.bytes_per_pixel == 4) bytes.push_back(static_cast<char>(word >> 24));
    }
  }
  return bytes;
}

// zlib's uncompress, which also checks the header and the Adler-32 trailer.
std::string Inflated(const ZlibStream& stream, size_t expected_size) {
  std::string out(expected_size + 1, '\0');
  uLongf size = out.size();
  int status =
      uncompress(reinterpret_cast<Bytef*>(out.data()), &size, stream.bytes.get(), stream.size);
  REQUIRE(status == Z_OK);
  out.resize(size);
  return out;
}

std::string StreamBytes(const ZlibStream& stream) {
  return {reinterpret_cast<const char*>(stream.bytes.get()), stream.size};
}

// Encodes, inflates and compares with the packed rows; encodes again, also on three threads, for
// the same bytes.
void CheckRoundTrip(Image& image) {
  std::string expected = PackedRows(image);
  ZlibStream stream = DeflateFigure(image.rows());
  CHECK(Inflated(stream, expected.size()) == expected);
  CHECK(StreamBytes(DeflateFigure(image.rows())) == StreamBytes(stream));
  CHECK(StreamBytes(DeflateFigure(image.rows(), 3)) == StreamBytes(stream));
}

uint32_t Random(uint32_t& state) {
  state = state * 1664525u + 1013904223u;
  return state >> 8;
}

// Cells of cell_width x cell_height pixels from a small palette inside a white margin, like a
// heatmap; margin 0 fills the whole image.
Image Heatmap(int width, int height, int cell_width, int cell_height, int margin) {
  Image image(width, height);
  const uint32_t palette[] = {0xff440154, 0xff3b528b, 0xff21918c, 0xff5ec962, 0xfffde725};
  uint32_t state = 7;
  std::vector<uint32_t> cells(static_cast<size_t>(width / cell_width + 1));
  for (int y = 0; y < height; ++y) {
    if (y % cell_height == 0) {
      for (uint32_t& cell : cells) cell = palette[Random(state) % 5];
    }
    for (int x = 0; x < width; ++x) {
      bool inside = x >= margin && x < width - margin && y >= margin && y < height - margin;
      image.at(x, y) = inside ? cells[static_cast<size_t>(x / cell_width)] : 0xffffffff;
    }
  }
  return image;
}

TEST_CASE("DeflateFigure round-trips a flat image in a small stream") {
  Image image(300, 200);
  for (uint32_t& word : image.words) word = 0xff123456;
  CheckRoundTrip(image);
  // 180200 bytes, nearly all in copies of 258 bytes that cost a few bits each.
  CHECK(DeflateFigure(image.rows()).size < 1000);
}

TEST_CASE("DeflateFigure round-trips random noise, which is all literals") {
  Image image(257, 131);
  uint32_t state = 1;
  for (uint32_t& word : image.words) word = 0xff000000u | Random(state);
  CheckRoundTrip(image);
}

TEST_CASE("DeflateFigure round-trips gradients") {
  Image image(256, 100);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      image.at(x, y) = 0xff000000u | static_cast<uint32_t>(x) << 16 |
                       static_cast<uint32_t>(y) << 8 | static_cast<uint32_t>((x ^ y) & 0xff);
    }
  }
  CheckRoundTrip(image);
}

TEST_CASE("DeflateFigure round-trips heatmap cells, repeating rows and runs within rows") {
  for (int cell_width : {1, 2, 3, 7}) {
    for (int cell_height : {1, 2, 5}) {
      CAPTURE(cell_width);
      CAPTURE(cell_height);
      Image image = Heatmap(150, 90, cell_width, cell_height, 10);
      CheckRoundTrip(image);
    }
  }
}

TEST_CASE("DeflateFigure round-trips diagonal hatching, repeated at a distance") {
  Image image(200, 120);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      image.at(x, y) = (x + y) % 8 < 2 ? 0xff808080 : 0xffe8e8e8;
    }
  }
  CheckRoundTrip(image);
}

TEST_CASE("DeflateFigure round-trips one row, one column and one pixel") {
  Image row = Heatmap(1000, 1, 3, 1, 0);
  CheckRoundTrip(row);
  Image column = Heatmap(1, 1000, 1, 4, 0);
  CheckRoundTrip(column);
  Image pixel(1, 1);
  pixel.at(0, 0) = 0xff000000;
  CheckRoundTrip(pixel);
}

TEST_CASE("DeflateFigure takes four bytes per pixel with alpha last") {
  Image image(90, 60, 4);
  uint32_t state = 3;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      bool clear = (x / 10 + y / 10) % 2 == 0;
      image.at(x, y) = clear ? 0x00000000 : (Random(state) % 3) * 0x40112233u;
    }
  }
  CheckRoundTrip(image);
}

TEST_CASE("DeflateFigure reads only `width` pixels of each row, whatever the stride") {
  Image narrow = Heatmap(40, 30, 3, 2, 5);
  Image wide(40, 30, 3, 17);
  for (int y = 0; y < 30; ++y) {
    for (int x = 0; x < 40; ++x) wide.at(x, y) = narrow.at(x, y);
  }
  CheckRoundTrip(wide);
  CHECK(StreamBytes(DeflateFigure(wide.rows())) == StreamBytes(DeflateFigure(narrow.rows())));
}

TEST_CASE("DeflateFigure copies from the row above only within deflate's 32 KiB window") {
  // 10922 RGB pixels make rows of 32767 bytes, just within reach; 10923 and 8192 RGBA pixels
  // (32770 and 32769 bytes) do not, and their repeated rows must be found some other way.
  for (auto [width, bytes] : {std::pair{10922, 3}, std::pair{10923, 3}, std::pair{8192, 4}}) {
    CAPTURE(width);
    Image image(width, 5, bytes);
    uint32_t state = 11;
    for (int x = 0; x < width; ++x) image.at(x, 0) = 0xff000000u | (Random(state) & 0x030303);
    for (int y = 1; y < 5; ++y) {
      for (int x = 0; x < width; ++x) image.at(x, y) = image.at((x + y) % width, 0);
    }
    CheckRoundTrip(image);
  }
}

TEST_CASE("DeflateFigure copies from as far back as deflate allows, and no further") {
  // RGBA rows of 2000 pixels are 8001 bytes: pixel x of row 4 lies 4 x 8001 + 4 x 191 = 32768
  // bytes after pixel x - 191 of row 0, the longest distance deflate has; 192 is one pixel too
  // far. A run of three pixels seen only there (on a flat page) is found by hashing.
  for (int shift : {191, 192}) {
    CAPTURE(shift);
    Image image(2000, 6, 4);
    for (uint32_t& word : image.words) word = 0xffffffff;
    for (int i = 0; i < 3; ++i) {
      image.at(500 + i, 0) = 0xff102030u + static_cast<uint32_t>(i);
      image.at(500 + shift + i, 4) = 0xff102030u + static_cast<uint32_t>(i);
    }
    CheckRoundTrip(image);
  }
}

TEST_CASE("DeflateFigure round-trips small random images of few colours") {
  // Rows copied from earlier rows, shifted, or filled with runs: every kind of copy and literal
  // next to row ends, in 300 images of 1-40 x 1-30 pixels.
  uint32_t state = 17;
  for (int trial = 0; trial < 300; ++trial) {
    CAPTURE(trial);
    int width = 1 + static_cast<int>(Random(state) % 40);
    int height = 1 + static_cast<int>(Random(state) % 30);
    Image image(width, height, Random(state) % 4 == 0 ? 4 : 3);
    uint32_t colours = 1 + Random(state) % 3;
    for (int y = 0; y < height; ++y) {
      uint32_t kind = Random(state) % 3;
      int from = y > 0 ? static_cast<int>(Random(state) % static_cast<uint32_t>(y)) : 0;
      int shift = static_cast<int>(Random(state) % 3);
      for (int x = 0; x < width; ++x) {
        uint32_t fresh = 0xff000000u | (Random(state) % colours) * 0x3f3f3f;
        bool copied = kind == 1 && y > 0 && x + shift < width;
        image.at(x, y) = copied               ? image.at(x + shift, from)
                         : kind == 2 && x > 0 ? image.at(x - 1, y)
                                              : fresh;
        if (kind == 2 && Random(state) % 5 == 0) image.at(x, y) = fresh;
      }
    }
    CheckRoundTrip(image);
  }
}

TEST_CASE("DeflateFigure codes a large image in bands that join, whatever the rows at the seams") {
  // 1024 x 1100 pixels: bands of 512 rows (2^19 pixels), so rows 512 and 1024 start a band. Row
  // 512 repeats row 511 (one copy from the band before), row 1024 differs from row 1023, and the
  // last band is short.
  Image image = Heatmap(1024, 1100, 4, 4, 10);
  for (int x = 0; x < 1024; ++x) {
    image.at(x, 512) = image.at(x, 511);
    image.at(x, 1024) = 0xff000000u | static_cast<uint32_t>(x * 77);
  }
  CheckRoundTrip(image);
  Image translucent(1024, 1100, 4);
  uint32_t state = 3;
  for (uint32_t& word : translucent.words)
    word = Random(state) % 7 == 0 ? Random(state) : 0x80102030u;
  CheckRoundTrip(translucent);
}

TEST_CASE("DeflateFigure round-trips a 2000 x 2000 heatmap") {
  Image image = Heatmap(2000, 2000, 3, 3, 40);
  CheckRoundTrip(image);
}

}  // namespace
}  // namespace attnviz
