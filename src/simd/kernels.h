// Vectorised loops on Google Highway: one source for SSE4, AVX2, AVX-512, NEON and SVE, the best
// build chosen when first called (simd/dispatch.h narrows the choice).
#pragma once

#include <cstddef>
#include <cstdint>

namespace attnviz::simd {

// dst[i] = the float16 bits src[i] (native byte order) as a float, exactly; NaNs come out quiet.
void HalvesToFloats(const uint16_t* src, size_t count, float* dst);

// Bit i % 64 of mask[i / 64] set when a[i] == b[i], for i < count; the bits after them up to the
// end of the last word touched clear. `mask` has room for count / 64 + 1 words.
void MarkEqualPixels(const uint32_t* a, const uint32_t* b, size_t count, uint64_t* mask);

// The smallest, the largest and the smallest positive of the finite values[i] not masked
// (masked may be null): +inf, -inf and +inf when there is none.
struct Extremes {
  float lo;
  float hi;
  float lowest_positive;
};
Extremes FiniteExtremes(const float* values, const uint8_t* masked, size_t count);

// A linear colour scale as a lookup: the value v falls in entry floor((v - vmin) * per_unit),
// clamped to [0, entry_count), of `entries` (pixels).
struct LinearLookup {
  const uint32_t* entries;
  int entry_count;
  double vmin;
  double per_unit;
};

// Colours values[0, count) into out, a vector of cells at a time, in float lanes (double lanes when
// vmin or per_unit is far from any float). A vector holding a value that is not finite or lies near
// an entry boundary (within the float lanes' rounding, 1e-4 of an entry for attention's vmin = 0,
// or 1e-9 in double) is left to `exact(context, begin, end)`, which colours cells [begin, end).
using ColourExactly = void (*)(void* context, size_t begin, size_t end);
void ColourLinear(const LinearLookup& lookup, const float* values, size_t count, uint32_t* out,
                  ColourExactly exact, void* context);

// Adds the row `values` to the running column maxima (max[j] = values[j] when greater; a NaN never
// is) and probes (probe[j] += values[j] * 0, which turns NaN for a NaN or an infinity).
void AddToColumnMaxima(const float* values, size_t count, float* max, float* probe);

// How cells of one head combine into out[i] (double): copied, added, or the larger or smaller kept.
enum class Combine { kCopy, kAdd, kMax, kMin };

// out[i] = combine(out[i], in[i]) for i < count; false when an in[i] is a NaN or an infinity
// (`out` then holds part of the result).
bool CombineCells(const float* in, size_t count, Combine combine, double* out);

// The AND of words[0, count): a row's pixels all opaque when the result's alpha byte is 0xff.
uint32_t AndOfWords(const uint32_t* words, size_t count);

// Sums over the pixels k < count of a row for Adler-32 (src/png/row_adler32.cc), with s_k the sum
// of pixel k's bytes (the low three, or all four when `with_alpha`) and w_k its bytes weighted by
// their place in the pixel (g + 2 b, + 3 alpha): sum of s_k, sum of k s_k, sum of w_k. Exact in
// 32 bits for count up to 2048.
struct PixelByteSums {
  uint32_t sum;
  uint32_t by_pixel;
  uint32_t by_channel;
};
PixelByteSums SumPixelBytes(const uint32_t* pixels, size_t count, bool with_alpha);

}  // namespace attnviz::simd
