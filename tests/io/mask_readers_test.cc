// The attention_mask and (batch, n) token readers of npy members and safetensors tensors, on
// bytes laid out by hand: byte orders, Fortran order, bool, integer and float masks.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "io/npy.h"
#include "io/raw_dump.h"

namespace attnviz {
namespace {

// An .npy file (version 1.0) with `header` as its dict and `data` after it.
std::vector<std::byte> Npy(std::string header, const std::string& data) {
  header += std::string(63 - (10 + header.size()) % 64, ' ') + "\n";
  std::string file = "\x93NUMPY\x01";
  file += '\0';
  file += static_cast<char>(header.size() & 0xFF);
  file += static_cast<char>(header.size() >> 8);
  file += header + data;
  std::vector<std::byte> bytes(file.size());
  std::memcpy(bytes.data(), file.data(), file.size());
  return bytes;
}

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

TEST_CASE("ReadNpyMask reads big-endian int32 rows, one per batch item") {
  const auto file = Npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2, 3), }",
                        Bytes({0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0,  //
                               0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  const auto mask = ReadNpyMask(file, "m.npy");
  CHECK(mask == std::vector<std::vector<bool>>{{true, true, false}, {true, false, false}});
}

TEST_CASE("ReadNpyMask reads a Fortran-ordered bool mask by rows") {
  // Column-major (2, 3): element (r, c) at c * 2 + r. Rows {1, 1, 0} and {1, 0, 0}.
  const auto file =
      Npy("{'descr': '|b1', 'fortran_order': True, 'shape': (2, 3), }", Bytes({1, 1, 1, 0, 0, 0}));
  CHECK(ReadNpyMask(file, "m.npy") ==
        std::vector<std::vector<bool>>{{true, true, false}, {true, false, false}});
}

TEST_CASE("ReadNpyMask reads a float mask of shape (n) as one row, -0.0 as padding") {
  const auto file = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                        Bytes({0, 0, 0x80, 0x3F, 0, 0, 0, 0x80, 0, 0, 0, 0}));
  CHECK(ReadNpyMask(file, "m.npy") == std::vector<std::vector<bool>>{{true, false, false}});
}

TEST_CASE("ReadNpyMask refuses strings and rank 3, naming what it found") {
  const auto strings =
      Npy("{'descr': '<U1', 'fortran_order': False, 'shape': (1,), }", Bytes({65, 0, 0, 0}));
  CHECK_THROWS_WITH_AS(ReadNpyMask(strings, "m.npy"),
                       doctest::Contains("m.npy: expected an attention mask of bool, integers or "
                                         "floats, shape (n) or (batch, n), found shape (1,) "
                                         "unicode string"),
                       Error);
  const auto cube =
      Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1), }", Bytes({1}));
  CHECK_THROWS_AS(ReadNpyMask(cube, "m.npy"), Error);
}

TEST_CASE("ReadNpyStringRows reads (batch, n) bytes tokens row by row") {
  const auto file = Npy("{'descr': '|S3', 'fortran_order': False, 'shape': (2, 2), }",
                        std::string("ab\0cde", 6) + std::string("x\0\0[P]", 6));
  CHECK(ReadNpyStringRows(file, "t.npy") ==
        std::vector<std::vector<std::string>>{{"ab", "cde"}, {"x", "[P]"}});
}

// A safetensors file of one F32 (2, 2) attention and an attention_mask of `dtype` and `data`.
std::shared_ptr<const ByteSource> Safetensors(const std::string& dtype, const std::string& shape,
                                              const std::string& data) {
  const std::string attention(16, '\0');
  const std::string header = R"({"attention":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
                             R"("attention_mask":{"dtype":")" +
                             dtype + R"(","shape":)" + shape + R"(,"data_offsets":[16,)" +
                             std::to_string(16 + data.size()) + "]}}";
  std::string file(8, '\0');
  file[0] = static_cast<char>(header.size());
  file += header + attention + data;
  std::vector<std::byte> bytes(file.size());
  std::memcpy(bytes.data(), file.data(), file.size());
  return std::make_shared<OwnedBytes>(std::move(bytes));
}

TEST_CASE("a safetensors attention_mask of BOOL, U8, I32 or BF16 is read, never as attention") {
  struct Case {
    std::string dtype, data;
  };
  for (const Case& c : {Case{"BOOL", Bytes({1, 0})}, Case{"U8", Bytes({7, 0})},
                        Case{"I32", Bytes({1, 0, 0, 0, 0, 0, 0, 0})},
                        Case{"BF16", Bytes({0x80, 0x3F, 0x00, 0x80})}}) {  // 1.0, -0.0
    INFO("dtype ", c.dtype);
    const RawDump raw = ReadSafetensorsDump(Safetensors(c.dtype, "[2]", c.data), "s.st", {});
    CHECK(raw.array_name == "attention");
    REQUIRE(raw.attention_mask.has_value());
    CHECK(*raw.attention_mask == std::vector<std::vector<bool>>{{true, false}});
  }
}

TEST_CASE("a safetensors attention_mask of another dtype or size is an input error") {
  CHECK_THROWS_WITH_AS(ReadSafetensorsDump(Safetensors("I64", "[2]", Bytes({1, 0})), "s.st", {}),
                       doctest::Contains("s.st: tensor 'attention_mask': expected bool, integers "
                                         "or floats of shape (n) or (batch, n), found I64 (2,)"),
                       Error);
}

}  // namespace
}  // namespace attnviz
