// The page's payload: quantisation, pooling, zlib and base64, against values worked out by hand
// and zlib's own inflater.
#include "attnviz/html/payload.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cmath>
#include <limits>
#include <random>

#include "attnviz/error.h"

namespace attnviz::html {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST_CASE("8-bit codes of weights in [0, 1]: 0 stays 0, 1 is code 254, NaN and Inf code 255") {
  const std::vector<float> values = {0.0f, 0.5f, 1.0f, 0.3f, kNaN, -kInf};
  const Quantized q = Quantize(values, 8);
  CHECK(q.offset == 0.0);
  CHECK(q.scale == doctest::Approx(1.0 / 254));
  // 0.5 * 254 = 127; 0.3 * 254 = 76.2 rounds to 76.
  CHECK(q.bytes == std::vector<uint8_t>{0, 127, 254, 76, 255, 255});
  CHECK(q.nonfinite == 2);
  CHECK(Dequantize(q, 127) == doctest::Approx(0.5));
  CHECK(std::isnan(Dequantize(q, 255)));
}

TEST_CASE("negative values move the offset below 0 and 0 still decodes near 0") {
  const std::vector<float> values = {-1.0f, 0.0f, 1.0f};
  const Quantized q = Quantize(values, 8);
  CHECK(q.offset == -1.0);
  CHECK(q.scale == doctest::Approx(2.0 / 254));
  // (0 - -1) / (2 / 254) = 127 exactly.
  CHECK(q.bytes == std::vector<uint8_t>{0, 127, 254});
  CHECK(Dequantize(q, 127) == doctest::Approx(0.0).epsilon(1e-12));
}

TEST_CASE("16-bit codes are little-endian, the top code 65535 marks NaN") {
  const std::vector<float> values = {1.0f, 0.0f, kNaN, 0.25f};
  const Quantized q = Quantize(values, 16);
  CHECK(q.scale == doctest::Approx(1.0 / 65534));
  // 1 -> 65534 = 0xfffe; 0.25 * 65534 = 16383.5 rounds away from zero to 16384 = 0x4000.
  CHECK(q.bytes == std::vector<uint8_t>{0xfe, 0xff, 0x00, 0x00, 0xff, 0xff, 0x00, 0x40});
}

TEST_CASE("every finite value decodes to within half a step, at 8 and at 16 bits") {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-0.2f, 0.9f);
  std::vector<float> values(5000);
  for (float& v : values) v = uniform(random);
  for (int bits : {8, 16}) {
    const Quantized q = Quantize(values, bits);
    for (size_t i = 0; i < values.size(); ++i) {
      uint32_t code = q.bytes[i * (bits / 8)];
      if (bits == 16) code |= uint32_t{q.bytes[i * 2 + 1]} << 8;
      CHECK(std::abs(Dequantize(q, code) - values[i]) <= q.scale / 2 + 1e-9);
    }
  }
}

TEST_CASE("all zeros have scale 0 and code 0") {
  const Quantized q = Quantize(std::vector<float>(4, 0.0f), 8);
  CHECK(q.scale == 0.0);
  CHECK(q.bytes == std::vector<uint8_t>(4, 0));
}

TEST_CASE("bits other than 8 and 16 are a usage error") {
  const std::vector<float> values = {0.5f};
  CHECK_THROWS_AS(Quantize(values, 12), Error);
}

TEST_CASE("max pooling keeps each bin's maximum and lets NaN win") {
  // 5 x 4 into 2 x 2: row bins [0, 2) and [2, 5), column bins [0, 2) and [2, 4).
  const std::vector<float> values = {
      1, 2, 0, 0,                 //
      0, 0, 3, 0,                 //
      0, 9, 0, 0,                 //
      0, 0, 0, kNaN, 0, 0, 4, 0,  //
  };
  int64_t rows = 0;
  int64_t cols = 0;
  const std::vector<float> pooled = MaxPool(values, 5, 4, 2, rows, cols);
  CHECK(rows == 2);
  CHECK(cols == 2);
  CHECK(pooled[0] == 2);
  CHECK(pooled[1] == 3);
  CHECK(pooled[2] == 9);
  CHECK(std::isnan(pooled[3]));
}

TEST_CASE("a matrix smaller than the thumbnail is copied as it is") {
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  int64_t rows = 0;
  int64_t cols = 0;
  CHECK(MaxPool(values, 2, 3, 48, rows, cols) == values);
  CHECK(rows == 2);
  CHECK(cols == 3);
}

TEST_CASE("the zlib stream inflates with zlib itself to the same bytes") {
  std::string bytes;
  for (int64_t i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>((i * i) % 7));
  const std::string stream = ZlibCompress(bytes, 6);
  CHECK(static_cast<uint8_t>(stream[0]) == 0x78);  // RFC 1950: deflate, 32K window
  CHECK(stream.size() < bytes.size() / 10);
  std::string inflated(bytes.size(), '\0');
  uLongf size = inflated.size();
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(inflated.data()), &size,
                     reinterpret_cast<const Bytef*>(stream.data()), stream.size()) == Z_OK);
  CHECK(size == bytes.size());
  CHECK(inflated == bytes);
  CHECK(ZlibCompress(bytes, 6) == stream);
}

TEST_CASE("base64 matches the test vectors of RFC 4648 section 10") {
  CHECK(Base64("") == "");
  CHECK(Base64("f") == "Zg==");
  CHECK(Base64("fo") == "Zm8=");
  CHECK(Base64("foo") == "Zm9v");
  CHECK(Base64("foob") == "Zm9vYg==");
  CHECK(Base64("fooba") == "Zm9vYmE=");
  CHECK(Base64("foobar") == "Zm9vYmFy");
  CHECK(Base64(std::string("\xff\xfe\x00", 3)) == "//4A");
}

}  // namespace
}  // namespace attnviz::html
