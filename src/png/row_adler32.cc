// After bytes d_0 .. d_{n-1}, Adler-32's a grows by their sum and b by n * a + sum (n - j) d_j;
// rows are summed in spans of 2048 pixels, one vectorised pass each, without packing the bytes.
#include "row_adler32.h"

#include <algorithm>

namespace attnviz {
namespace {

constexpr uint32_t kModulus = 65521;
// The largest power of 2 whose sum of k s_k below fits 32 bits: 2048^2 / 2 * 1020 < 2^32.
constexpr int kSpanPixels = 2048;

// With pixel k's channel c at byte j = kBytes * k + c, sum (n - j) d_j is
// n * S - kBytes * sum(k s_k) - sum(c d_kc), s_k being the sum of pixel k's channels: three sums
// that the compiler keeps in vector lanes.
template <int kBytes>
[[gnu::always_inline]] inline RowSums SpanSums(const uint32_t* pixels, int count) {
  uint32_t sum = 0, by_pixel = 0, by_channel = 0;
  for (int k = 0; k < count; ++k) {
    uint32_t word = pixels[k];
    uint32_t r = (word >> 16) & 0xff, g = (word >> 8) & 0xff, b = word & 0xff;
    uint32_t pixel_sum = r + g + b, channel_weighted = g + 2 * b;
    if constexpr (kBytes == 4) {
      pixel_sum += word >> 24;
      channel_weighted += 3 * (word >> 24);
    }
    sum += pixel_sum;
    by_pixel += static_cast<uint32_t>(k) * pixel_sum;
    by_channel += channel_weighted;
  }
  uint64_t bytes = static_cast<uint64_t>(count) * kBytes;
  uint64_t weighted = bytes * sum - kBytes * uint64_t{by_pixel} - by_channel;
  return {sum % kModulus, static_cast<uint32_t>(weighted % kModulus)};
}

[[gnu::target_clones("avx2", "default")]] RowSums SpanSumsRgb(const uint32_t* pixels, int count) {
  return SpanSums<3>(pixels, count);
}

[[gnu::target_clones("avx2", "default")]] RowSums SpanSumsRgba(const uint32_t* pixels, int count) {
  return SpanSums<4>(pixels, count);
}

}  // namespace

// Spans joined: the bytes of the first span weigh as many more as the second has bytes.
RowSums RowSumsOf(const uint32_t* row, int width, int bytes_per_pixel) {
  RowSums row_sums;
  for (int start = 0; start < width; start += kSpanPixels) {
    int count = std::min(kSpanPixels, width - start);
    RowSums span =
        bytes_per_pixel == 4 ? SpanSumsRgba(row + start, count) : SpanSumsRgb(row + start, count);
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
