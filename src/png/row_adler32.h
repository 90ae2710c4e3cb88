// Adler-32 of PNG rows (a zero filter byte, then the pixels' bytes), summed from the pixel words.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attnviz {

// A row's pixel bytes d_0 .. d_{n-1}: their sum and sum (n - j) d_j, modulo 65521. They are all
// that Adler-32 needs of the row, so a row that repeats another has the same sums.
struct RowSums {
  uint32_t sum = 0;
  uint32_t weighted = 0;
};

// The sums of `width` pixel words as PngPixelRows (figure_deflate.h) turns them into bytes:
// R, G, B for 3 bytes per pixel, R, G, B, A for 4.
RowSums RowSumsOf(const uint32_t* row, int width, int bytes_per_pixel);

// Adler-32 (RFC 1950) of PNG rows given their sums.
class RowAdler32 {
 public:
  // The row's filter byte (zero), then its `pixel_bytes` bytes.
  void AddRow(const RowSums& sums, size_t pixel_bytes);

  uint32_t value() const { return (b_ << 16) | a_; }

 private:
  uint32_t a_ = 1;
  uint32_t b_ = 0;
};

}  // namespace attnviz
