// Element types and their conversion to float, one strided run at a time.
#include "attnviz/tensor/dtype.h"

#include <bit>
#include <cstring>

#include "simd/kernels.h"

namespace attnviz {

int DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF16:
    case DType::kBF16:
      return 2;
    case DType::kF32:
      return 4;
    case DType::kF64:
      return 8;
  }
  return 0;
}

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
    case DType::kF32:
      return "float32";
    case DType::kF64:
      return "float64";
  }
  return "?";
}

ByteOrder NativeByteOrder() {
  return std::endian::native == std::endian::little ? ByteOrder::kLittle : ByteOrder::kBig;
}

float HalfToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1Fu;
  uint32_t mantissa = bits & 0x3FFu;
  uint32_t out;
  if (exponent == 0x1F) {  // infinity or NaN
    out = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    out = sign;
  } else {  // subnormal: normalise it
    int shift = 0;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      ++shift;
    }
    out = sign | static_cast<uint32_t>(113 - shift) << 23 | ((mantissa & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(out);
}

float BFloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

namespace {

uint16_t ByteSwap(uint16_t v) { return __builtin_bswap16(v); }
uint32_t ByteSwap(uint32_t v) { return __builtin_bswap32(v); }
uint64_t ByteSwap(uint64_t v) { return __builtin_bswap64(v); }

template <typename Bits>
Bits LoadBits(const std::byte* p, bool swap) {
  Bits bits;
  std::memcpy(&bits, p, sizeof(Bits));
  return swap ? ByteSwap(bits) : bits;
}

template <typename Bits, typename ToFloat>
void ConvertRun(const std::byte* src, bool swap, int64_t count, int64_t stride, float* dst,
                ToFloat to_float) {
  const int64_t step = stride * static_cast<int64_t>(sizeof(Bits));
  for (int64_t i = 0; i < count; ++i, src += step) dst[i] = to_float(LoadBits<Bits>(src, swap));
}

}  // namespace

void ConvertToFloat(const std::byte* src, DType dtype, ByteOrder order, int64_t count,
                    int64_t stride, float* dst) {
  const bool swap = order != NativeByteOrder();
  switch (dtype) {
    case DType::kF16:
      if (!swap && stride == 1) {  // a vector at a time, exact like HalfToFloat
        simd::HalvesToFloats(reinterpret_cast<const uint16_t*>(src), static_cast<size_t>(count),
                             dst);
        return;
      }
      ConvertRun<uint16_t>(src, swap, count, stride, dst, HalfToFloat);
      return;
    case DType::kBF16:
      ConvertRun<uint16_t>(src, swap, count, stride, dst, BFloat16ToFloat);
      return;
    case DType::kF32:
      if (!swap && stride == 1) {
        std::memcpy(dst, src, static_cast<size_t>(count) * sizeof(float));
        return;
      }
      ConvertRun<uint32_t>(src, swap, count, stride, dst,
                           [](uint32_t b) { return std::bit_cast<float>(b); });
      return;
    case DType::kF64:
      ConvertRun<uint64_t>(src, swap, count, stride, dst,
                           [](uint64_t b) { return static_cast<float>(std::bit_cast<double>(b)); });
      return;
  }
}

}  // namespace attnviz
