// Quantisation, pooling, zlib and base64 for the interactive page's payload.
#include "attnviz/html/payload.h"

#include <libdeflate.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "attnviz/error.h"

namespace attnviz::html {

namespace {

struct Range {
  double lo = 0;
  double hi = 0;
};

Range FiniteRange(std::span<const float> values) {
  Range range;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    range.lo = std::min(range.lo, static_cast<double>(v));
    range.hi = std::max(range.hi, static_cast<double>(v));
  }
  return range;
}

void AppendCode(std::vector<uint8_t>& bytes, uint32_t code, int bits) {
  bytes.push_back(static_cast<uint8_t>(code & 0xff));
  if (bits == 16) bytes.push_back(static_cast<uint8_t>(code >> 8));
}

}  // namespace

uint32_t BadCode(int bits) { return (uint32_t{1} << bits) - 1; }

Quantized Quantize(std::span<const float> values, int bits) {
  if (bits != 8 && bits != 16) {
    ThrowUsageError("--bits: expected 8 or 16, found " + std::to_string(bits));
  }
  const Range range = FiniteRange(values);
  const uint32_t top = BadCode(bits) - 1;
  Quantized q{bits, range.lo, (range.hi - range.lo) / top, {}, 0};
  q.bytes.reserve(values.size() * (bits / 8));
  for (float v : values) {
    if (!std::isfinite(v)) {
      AppendCode(q.bytes, BadCode(bits), bits);
      ++q.nonfinite;
      continue;
    }
    const double code = q.scale > 0 ? std::round((v - q.offset) / q.scale) : 0.0;
    AppendCode(q.bytes, static_cast<uint32_t>(std::clamp(code, 0.0, double(top))), bits);
  }
  return q;
}

double Dequantize(const Quantized& quantized, uint32_t code) {
  if (code == BadCode(quantized.bits)) return std::numeric_limits<double>::quiet_NaN();
  return quantized.offset + code * quantized.scale;
}

namespace {

// The bin edges of `count` positions pooled into `bins`: edge b = floor(b * count / bins).
int64_t Edge(int64_t bin, int64_t count, int64_t bins) { return bin * count / bins; }

float BinMax(std::span<const float> values, int64_t cols, int64_t r0, int64_t r1, int64_t c0,
             int64_t c1) {
  float best = -std::numeric_limits<float>::infinity();
  for (int64_t r = r0; r < r1; ++r) {
    for (int64_t c = c0; c < c1; ++c) {
      const float v = values[r * cols + c];
      if (!std::isfinite(v)) return v;
      best = std::max(best, v);
    }
  }
  return best;
}

}  // namespace

std::vector<float> MaxPool(std::span<const float> values, int64_t rows, int64_t cols,
                           int64_t max_side, int64_t& pooled_rows, int64_t& pooled_cols) {
  pooled_rows = std::min(rows, max_side);
  pooled_cols = std::min(cols, max_side);
  std::vector<float> pooled;
  pooled.reserve(pooled_rows * pooled_cols);
  for (int64_t r = 0; r < pooled_rows; ++r) {
    for (int64_t c = 0; c < pooled_cols; ++c) {
      pooled.push_back(BinMax(values, cols, Edge(r, rows, pooled_rows),
                              Edge(r + 1, rows, pooled_rows), Edge(c, cols, pooled_cols),
                              Edge(c + 1, cols, pooled_cols)));
    }
  }
  return pooled;
}

std::string ZlibCompress(std::string_view bytes, int level) {
  std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> compressor(
      libdeflate_alloc_compressor(level), libdeflate_free_compressor);
  if (!compressor) throw std::bad_alloc();
  std::string out(libdeflate_zlib_compress_bound(compressor.get(), bytes.size()), '\0');
  const size_t size = libdeflate_zlib_compress(compressor.get(), bytes.data(), bytes.size(),
                                               out.data(), out.size());
  out.resize(size);
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t word = 0;
    for (size_t k = 0; k < 3; ++k) {
      word = (word << 8) | (k < n ? static_cast<uint8_t>(bytes[i + k]) : 0u);
    }
    for (size_t k = 0; k < 4; ++k) {
      out.push_back(k <= n ? kAlphabet[(word >> (18 - 6 * k)) & 63] : '=');
    }
  }
  return out;
}

}  // namespace attnviz::html
