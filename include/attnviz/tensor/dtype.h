// Element types of attention dumps and their conversion to float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace attnviz {

enum class DType { kF16, kBF16, kF32, kF64 };
enum class ByteOrder { kLittle, kBig };

// Bytes per element.
int DTypeSize(DType dtype);

// numpy's name: "float16", "bfloat16", "float32", "float64".
std::string_view DTypeName(DType dtype);

// The byte order of this machine.
ByteOrder NativeByteOrder();

// Converts `count` elements, the first at `src` and each `stride` elements after the previous one,
// to float in `dst[0..count)`. f64 values are rounded to the nearest float.
void ConvertToFloat(const std::byte* src, DType dtype, ByteOrder order, int64_t count,
                    int64_t stride, float* dst);

// IEEE half and bfloat16 bit patterns to float.
float HalfToFloat(uint16_t bits);
float BFloat16ToFloat(uint16_t bits);

}  // namespace attnviz
