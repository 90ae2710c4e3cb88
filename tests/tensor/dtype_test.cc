// Element types: sizes, names, half and bfloat16 bit patterns, strided and byte-swapped conversion.
#include "attnviz/tensor/dtype.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <sstream>
#include <vector>

// Float vectors print as lists of values when a check fails.
namespace doctest {
template <>
struct StringMaker<std::vector<float>> {
  static String convert(const std::vector<float>& values) {
    std::ostringstream text;
    text << std::setprecision(9) << "{";
    for (size_t i = 0; i < values.size(); ++i) text << (i ? ", " : "") << values[i];
    text << "}";
    return text.str().c_str();
  }
};
}  // namespace doctest

namespace attnviz {
namespace {

std::vector<std::byte> Bytes(std::initializer_list<unsigned> values) {
  std::vector<std::byte> bytes;
  for (unsigned v : values) bytes.push_back(static_cast<std::byte>(v));
  return bytes;
}

// The bytes of `values` in this machine's order.
template <typename T>
std::vector<std::byte> NativeBytes(const std::vector<T>& values) {
  std::vector<std::byte> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<float> Convert(const std::vector<std::byte>& bytes, DType dtype, ByteOrder order,
                           int64_t count, int64_t stride = 1) {
  std::vector<float> out(static_cast<size_t>(count), -12345.0f);
  ConvertToFloat(bytes.data(), dtype, order, count, stride, out.data());
  return out;
}

TEST_CASE("DTypeSize gives the bytes per element") {
  CHECK(DTypeSize(DType::kF16) == 2);
  CHECK(DTypeSize(DType::kBF16) == 2);
  CHECK(DTypeSize(DType::kF32) == 4);
  CHECK(DTypeSize(DType::kF64) == 8);
}

TEST_CASE("DTypeName gives numpy's names") {
  CHECK(DTypeName(DType::kF16) == "float16");
  CHECK(DTypeName(DType::kBF16) == "bfloat16");
  CHECK(DTypeName(DType::kF32) == "float32");
  CHECK(DTypeName(DType::kF64) == "float64");
}

TEST_CASE("NativeByteOrder is the byte order of this machine") {
  const ByteOrder expected =
      std::endian::native == std::endian::little ? ByteOrder::kLittle : ByteOrder::kBig;
  CHECK(NativeByteOrder() == expected);
}

TEST_CASE("HalfToFloat decodes IEEE binary16 bit patterns") {
  SUBCASE("normal numbers") {
    CHECK(HalfToFloat(0x3C00) == 1.0f);
    CHECK(HalfToFloat(0xC000) == -2.0f);
    CHECK(HalfToFloat(0x3400) == 0.25f);
    CHECK(HalfToFloat(0x3555) == 0.333251953125f);        // (1 + 341/1024) / 4
    CHECK(HalfToFloat(0x7BFF) == 65504.0f);               // the largest half
    CHECK(HalfToFloat(0x0400) == std::ldexp(1.0f, -14));  // the smallest normal
  }
  SUBCASE("subnormal numbers") {
    CHECK(HalfToFloat(0x0001) == std::ldexp(1.0f, -24));
    CHECK(HalfToFloat(0x03FF) == 1023 * std::ldexp(1.0f, -24));
    CHECK(HalfToFloat(0x8001) == -std::ldexp(1.0f, -24));
  }
  SUBCASE("signed zeros") {
    CHECK(HalfToFloat(0x0000) == 0.0f);
    CHECK_FALSE(std::signbit(HalfToFloat(0x0000)));
    CHECK(HalfToFloat(0x8000) == 0.0f);
    CHECK(std::signbit(HalfToFloat(0x8000)));
  }
  SUBCASE("infinities") {
    CHECK(HalfToFloat(0x7C00) == std::numeric_limits<float>::infinity());
    CHECK(HalfToFloat(0xFC00) == -std::numeric_limits<float>::infinity());
  }
  SUBCASE("NaNs, quiet and signalling") {
    CHECK(std::isnan(HalfToFloat(0x7E00)));
    CHECK(std::isnan(HalfToFloat(0x7C01)));
    CHECK(std::isnan(HalfToFloat(0xFE00)));
  }
}

TEST_CASE("BFloat16ToFloat decodes the upper 16 bits of a float") {
  SUBCASE("normal numbers") {
    CHECK(BFloat16ToFloat(0x3F80) == 1.0f);
    CHECK(BFloat16ToFloat(0xC000) == -2.0f);
    CHECK(BFloat16ToFloat(0x3E80) == 0.25f);
    CHECK(BFloat16ToFloat(0x4049) == 3.140625f);                // 2 * (1 + 73/128)
    CHECK(BFloat16ToFloat(0x7F7F) == std::ldexp(255.0f, 120));  // the largest bfloat16
  }
  SUBCASE("subnormal numbers") { CHECK(BFloat16ToFloat(0x0001) == std::ldexp(1.0f, -133)); }
  SUBCASE("signed zeros") {
    CHECK(BFloat16ToFloat(0x8000) == 0.0f);
    CHECK(std::signbit(BFloat16ToFloat(0x8000)));
  }
  SUBCASE("infinities and NaN") {
    CHECK(BFloat16ToFloat(0x7F80) == std::numeric_limits<float>::infinity());
    CHECK(BFloat16ToFloat(0xFF80) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(BFloat16ToFloat(0x7FC0)));
  }
}

TEST_CASE("ConvertToFloat reads little-endian float16") {
  const auto bytes = Bytes({0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B});
  CHECK(Convert(bytes, DType::kF16, ByteOrder::kLittle, 3) ==
        std::vector<float>{1.0f, -2.0f, 65504.0f});
}

TEST_CASE("ConvertToFloat reads big-endian float16") {
  const auto bytes = Bytes({0x3C, 0x00, 0xC0, 0x00, 0x00, 0x01});
  CHECK(Convert(bytes, DType::kF16, ByteOrder::kBig, 3) ==
        std::vector<float>{1.0f, -2.0f, std::ldexp(1.0f, -24)});
}

TEST_CASE("ConvertToFloat reads bfloat16 in either byte order") {
  SUBCASE("little-endian") {
    CHECK(Convert(Bytes({0x80, 0x3F, 0x49, 0x40}), DType::kBF16, ByteOrder::kLittle, 2) ==
          std::vector<float>{1.0f, 3.140625f});
  }
  SUBCASE("big-endian") {
    CHECK(Convert(Bytes({0x3F, 0x80, 0x40, 0x49}), DType::kBF16, ByteOrder::kBig, 2) ==
          std::vector<float>{1.0f, 3.140625f});
  }
}

TEST_CASE("ConvertToFloat reads float32 in either byte order") {
  SUBCASE("little-endian") {
    CHECK(Convert(Bytes({0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0}), DType::kF32,
                  ByteOrder::kLittle, 2) == std::vector<float>{1.0f, -2.0f});
  }
  SUBCASE("big-endian") {
    CHECK(Convert(Bytes({0x3F, 0x80, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00}), DType::kF32,
                  ByteOrder::kBig, 2) == std::vector<float>{1.0f, -2.0f});
  }
}

TEST_CASE("ConvertToFloat reads float64 in either byte order") {
  SUBCASE("little-endian") {
    CHECK(Convert(Bytes({0, 0, 0, 0, 0, 0, 0xF0, 0x3F}), DType::kF64, ByteOrder::kLittle, 1) ==
          std::vector<float>{1.0f});
  }
  SUBCASE("big-endian") {
    CHECK(Convert(Bytes({0xC0, 0, 0, 0, 0, 0, 0, 0}), DType::kF64, ByteOrder::kBig, 1) ==
          std::vector<float>{-2.0f});
  }
}

TEST_CASE("ConvertToFloat rounds float64 to the nearest float, ties to even") {
  const double one = 1.0;
  const std::vector<double> values = {
      0.1,                             // to 0.1f
      one + std::ldexp(1.0, -30),      // below half an ulp of 1: to 1
      one + std::ldexp(1.0, -24),      // exactly half an ulp: to even, 1
      one + 3 * std::ldexp(1.0, -24),  // halfway between 1 + 2^-23 and 1 + 2^-22: to even
      one + std::ldexp(1.0, -24) + std::ldexp(1.0, -40),  // just above half: up
  };
  CHECK(Convert(NativeBytes(values), DType::kF64, NativeByteOrder(), 5) ==
        std::vector<float>{0.1f, 1.0f, 1.0f, 1.0f + std::ldexp(1.0f, -22),
                           1.0f + std::ldexp(1.0f, -23)});
}

TEST_CASE("ConvertToFloat takes every stride-th element") {
  SUBCASE("float32, stride 3") {
    const std::vector<float> values = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    CHECK(Convert(NativeBytes(values), DType::kF32, NativeByteOrder(), 3, 3) ==
          std::vector<float>{0, 3, 6});
  }
  SUBCASE("big-endian float32, stride 2") {
    const auto bytes = Bytes({0x3F, 0x80, 0, 0, 0x7F, 0xC0, 0, 0, 0xC0, 0, 0, 0});
    CHECK(Convert(bytes, DType::kF32, ByteOrder::kBig, 2, 2) == std::vector<float>{1.0f, -2.0f});
  }
  SUBCASE("big-endian float16, stride 2") {
    const auto bytes = Bytes({0x3C, 0x00, 0x7E, 0x00, 0xC0, 0x00, 0x7E, 0x00, 0x34, 0x00});
    CHECK(Convert(bytes, DType::kF16, ByteOrder::kBig, 3, 2) ==
          std::vector<float>{1.0f, -2.0f, 0.25f});
  }
  SUBCASE("float64, stride 4") {
    const std::vector<double> values = {0.5, 9, 9, 9, -0.25, 9, 9, 9, 8};
    CHECK(Convert(NativeBytes(values), DType::kF64, NativeByteOrder(), 3, 4) ==
          std::vector<float>{0.5f, -0.25f, 8.0f});
  }
}

TEST_CASE("ConvertToFloat reads elements that are not aligned in memory") {
  const std::vector<double> values = {0.5, -0.25, 1024.0};
  std::vector<std::byte> bytes(1 + values.size() * sizeof(double));
  std::memcpy(bytes.data() + 1, values.data(), values.size() * sizeof(double));
  std::vector<float> out(3);
  ConvertToFloat(bytes.data() + 1, DType::kF64, NativeByteOrder(), 3, 1, out.data());
  CHECK(out == std::vector<float>{0.5f, -0.25f, 1024.0f});
}

TEST_CASE("ConvertToFloat writes exactly `count` floats") {
  const std::vector<float> values = {1, 2, 3, 4};
  std::vector<float> out(4, -7.0f);
  ConvertToFloat(NativeBytes(values).data(), DType::kF32, NativeByteOrder(), 2, 1, out.data());
  CHECK(out == std::vector<float>{1, 2, -7, -7});
}

}  // namespace
}  // namespace attnviz

namespace attnviz {

TEST_CASE("ConvertToFloat of contiguous float16 agrees with HalfToFloat on every bit pattern") {
  // Contiguous little-endian float16 takes the F16C path where the CPU has it; odd counts cover
  // its scalar tail.
  std::vector<uint16_t> bits(65536 + 3);
  for (size_t i = 0; i < bits.size(); ++i) bits[i] = static_cast<uint16_t>(i);
  std::vector<float> out(bits.size());
  ConvertToFloat(reinterpret_cast<const std::byte*>(bits.data()), DType::kF16, ByteOrder::kLittle,
                 std::ssize(bits), 1, out.data());
  int64_t mismatches = 0;
  for (size_t i = 0; i < bits.size(); ++i) {
    const float expected = HalfToFloat(bits[i]);
    const bool same = std::isnan(expected) ? std::isnan(out[i]) : out[i] == expected;
    if (!same || std::signbit(out[i]) != std::signbit(expected)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

}  // namespace attnviz
