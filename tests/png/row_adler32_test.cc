// Adler-32 of PNG rows summed from pixel words, checked against zlib's adler32 of packed bytes.
#include "png/row_adler32.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <vector>

namespace attnviz {
namespace {

// zlib's Adler-32 of the rows packed as a PNG holds them: a zero filter byte, then R, G, B (, A).
uint32_t ZlibAdler(const std::vector<uint32_t>& words, int width, int rows, int bytes_per_pixel) {
  std::vector<uint8_t> packed;
  for (int y = 0; y < rows; ++y) {
    packed.push_back(0);
    for (int x = 0; x < width; ++x) {
      uint32_t word = words[static_cast<size_t>(y) * width + x];
      packed.push_back(static_cast<uint8_t>(word >> 16));
      packed.push_back(static_cast<uint8_t>(word >> 8));
      packed.push_back(static_cast<uint8_t>(word));
      if (bytes_per_pixel == 4) packed.push_back(static_cast<uint8_t>(word >> 24));
    }
  }
  return static_cast<uint32_t>(
      adler32(adler32(0, nullptr, 0), packed.data(), static_cast<uInt>(packed.size())));
}

uint32_t SummedAdler(const std::vector<uint32_t>& words, int width, int rows, int bytes_per_pixel) {
  RowAdler32 adler;
  for (int y = 0; y < rows; ++y) {
    RowSums sums = RowSumsOf(&words[static_cast<size_t>(y) * width], width, bytes_per_pixel);
    adler.AddRow(sums, static_cast<size_t>(width) * bytes_per_pixel);
  }
  return adler.value();
}

TEST_CASE("RowAdler32 matches zlib's Adler-32 across 2048-pixel spans, RGB and RGBA") {
  uint32_t state = 5;
  for (int width : {1, 2, 7, 2047, 2048, 2049, 5000}) {
    for (int bytes_per_pixel : {3, 4}) {
      CAPTURE(width);
      CAPTURE(bytes_per_pixel);
      std::vector<uint32_t> words(static_cast<size_t>(width) * 3);
      for (uint32_t& word : words) {
        state = state * 1664525u + 1013904223u;
        word = state;
      }
      CHECK(SummedAdler(words, width, 3, bytes_per_pixel) ==
            ZlibAdler(words, width, 3, bytes_per_pixel));
    }
  }
}

TEST_CASE("RowAdler32 stays exact on many rows of the largest byte values") {
  // Sums that would overflow 32 bits without the modulus: 400 rows of 5000 white RGBA pixels.
  std::vector<uint32_t> words(5000 * 400, 0xffffffff);
  CHECK(SummedAdler(words, 5000, 400, 4) == ZlibAdler(words, 5000, 400, 4));
}

TEST_CASE("RowAdler32 of no rows is 1, as for no bytes") { CHECK(RowAdler32().value() == 1); }

}  // namespace
}  // namespace attnviz
