// How the interactive page carries attention: codes of 8 or 16 bits with a stated scale, max-pooled
// thumbnails, zlib streams and base64 text, each step decodable in the browser.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz::html {

// Values quantised linearly: value = offset + code * scale for codes 0 .. BadCode(bits) - 1; the
// top code BadCode(bits) (255 or 65535) marks NaN and ±Inf. The range runs from
// lo = min(0, smallest finite value) to hi = max(0, largest finite value), so attention weights
// keep an exact 0: offset = lo, scale = (hi - lo) / (BadCode(bits) - 1), and every finite value
// decodes to within scale / 2 of itself. scale is 0 when every finite value is 0.
struct Quantized {
  int bits = 8;  // 8 or 16
  double offset = 0;
  double scale = 0;
  std::vector<uint8_t> bytes;  // one code per value; 16-bit codes little-endian
  int64_t nonfinite = 0;       // values that got the bad code
};

// The code that marks a non-finite value: 2^bits - 1.
uint32_t BadCode(int bits);

// Quantises `values` to `bits` (8 or 16; anything else is a usage Error).
Quantized Quantize(std::span<const float> values, int bits);

// The value code `code` stands for: offset + code * scale, or NaN for the bad code.
double Dequantize(const Quantized& quantized, uint32_t code);

// `rows` x `cols` values max-pooled into at most `max_side` x `max_side` bins: bin (r, c) covers
// rows [floor(r * rows / R), floor((r + 1) * rows / R)) with R = min(rows, max_side), the same for
// columns. NaN and ±Inf win a bin (a bad cell stays visible). Returns R x C values row-major.
std::vector<float> MaxPool(std::span<const float> values, int64_t rows, int64_t cols,
                           int64_t max_side, int64_t& pooled_rows, int64_t& pooled_cols);

// A zlib stream (RFC 1950) of `bytes` at libdeflate level `level` (1..12), as the browser's
// DecompressionStream("deflate") reads it. The same bytes and level always give the same stream.
std::string ZlibCompress(std::string_view bytes, int level);

// Standard base64 (RFC 4648 section 4) with padding and no line breaks.
std::string Base64(std::string_view bytes);

}  // namespace attnviz::html
