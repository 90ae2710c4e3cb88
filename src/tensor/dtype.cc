// Element types and their conversion to float, one strided run at a time.
#include "attnviz/tensor/dtype.h"

#include <cpuid.h>
#include <immintrin.h>

#include <bit>
#include <cstring>

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

// Eight halves at a time with the F16C instruction (exact, like HalfToFloat; NaNs come out
// quiet). Compiled for F16C only here and called only when the CPU has it.
__attribute__((target("avx,f16c"))) void HalvesToFloatsF16c(const std::byte* src, int64_t count,
                                                            float* dst) {
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(halves));
  }
  for (; i < count; ++i) dst[i] = HalfToFloat(LoadBits<uint16_t>(src + 2 * i, false));
}

// F16C from CPUID itself: clang 14's __builtin_cpu_supports knows "avx" (which also checks that
// the OS saves the AVX registers) but not "f16c".
bool HasF16c() {
  static const bool has = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __builtin_cpu_supports("avx") && __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 &&
           (ecx & bit_F16C) != 0;
  }();
  return has;
}

}  // namespace

void ConvertToFloat(const std::byte* src, DType dtype, ByteOrder order, int64_t count,
                    int64_t stride, float* dst) {
  const bool swap = order != NativeByteOrder();
  switch (dtype) {
    case DType::kF16:
      if (!swap && stride == 1 && HasF16c()) {
        HalvesToFloatsF16c(src, count, dst);
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
