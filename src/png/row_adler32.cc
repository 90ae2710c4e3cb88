// After bytes d_0 .. d_{n-1}, Adler-32's a grows by their sum and b by n * a + sum (n - j) d_j;
// rows are summed in spans of 2048 pixels, one vectorised pass each, without packing the bytes.
#include "row_adler32.h"

#include <algorithm>

#include "simd/kernels.h"

namespace attnviz {
namespace {

constexpr uint32_t kModulus = 65521;
// The largest power of 2 whose sum of k s_k below fits 32 bits: 2048^2 / 2 * 1020 < 2^32.
constexpr int kSpanPixels = 2048;

// With pixel k's channel c at byte j = kBytes * k + c, sum (n - j) d_j is
// n * S - kBytes * sum(k s_k) - sum(c d_kc), s_k being the sum of pixel k's channels: three sums
// that stay in vector lanes (src/simd).
RowSums SpanSums(const uint32_t* pixels, int count, int bytes_per_pixel) {
  const simd::PixelByteSums sums =
      simd::SumPixelBytes(pixels, static_cast<size_t>(count), bytes_per_pixel == 4);
  const uint64_t bytes = static_cast<uint64_t>(count) * bytes_per_pixel;
  const uint64_t weighted =
      bytes * sums.sum - static_cast<uint64_t>(bytes_per_pixel) * sums.by_pixel - sums.by_channel;
  return {sums.sum % kModulus, static_cast<uint32_t>(weighted % kModulus)};
}

}  // namespace

// Spans joined: the bytes of the first span weigh as many more as the second has bytes.
RowSums RowSumsOf(const uint32_t* row, int width, int bytes_per_pixel) {
  RowSums row_sums;
  for (int start = 0; start < width; start += kSpanPixels) {
    int count = std::min(kSpanPixels, width - start);
    RowSums span = SpanSums(row + start, count, bytes_per_pixel);
    uint64_t later_bytes = static_cast<uint64_t>(count) * bytes_per_pixel % kModulus;
    row_sums.weighted = static_cast<uint32_t>(
        (row_sums.weighted + later_bytes * row_sums.sum + span.weighted) % kModulus);
    row_sums.sum = (row_sums.sum + span.sum) % kModulus;
  }
  return row_sums;
}

void RowAdler32::AddRow(const RowSums& sums, size_t pixel_bytes) {
  b_ = (b_ + a_) % kModulus;
  uint64_t n = pixel_bytes % kModulus;
  b_ = static_cast<uint32_t>((b_ + n * a_ + sums.weighted) % kModulus);
  a_ = (a_ + sums.sum) % kModulus;
}

}  // namespace attnviz
