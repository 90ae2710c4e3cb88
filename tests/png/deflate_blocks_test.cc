// Deflate blocks from LZ77 sequences, checked by zlib's inflate: bytes, block ends, exact sizes.
#include "png/deflate_blocks.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

namespace attnviz {
namespace {

struct Inflated {
  std::string bytes;
  size_t consumed = 0;  // stream bytes inflate read up to the end of the last block
  bool ended = false;   // inflate saw the last block's end
};

Inflated InflateRaw(const std::vector<uint8_t>& stream, size_t expected_size) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, -15) == Z_OK);
  std::string out(expected_size + 16, '\0');
  z.next_in = const_cast<uint8_t*>(stream.data());
  z.avail_in = static_cast<uInt>(stream.size());
  z.next_out = reinterpret_cast<uint8_t*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int status = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  Inflated inflated{out, z.total_in, status == Z_STREAM_END};
  inflateEnd(&z);
  return inflated;
}

std::vector<uint8_t> Written(const DeflateBlocks& blocks) {
  std::vector<uint8_t> stream(blocks.StreamBytes() + 8);
  blocks.WriteStream(stream.data());
  stream.resize(blocks.StreamBytes());
  return stream;
}

std::vector<uint8_t> Bytes(const std::string& text) { return {text.begin(), text.end()}; }

TEST_CASE("DeflateBlocks writes literals and overlapping copies that inflate reproduces") {
  std::vector<uint8_t> literals = Bytes("abcxy");
  // "abc", 6 bytes from 3 back ("abcabc"), "xy", 4 bytes from 1 back ("yyyy").
  std::vector<LzSequence> sequences{{3, 6, 3}, {2, 4, 1}};
  DeflateBlocks blocks(sequences, literals, 100);
  Inflated inflated = InflateRaw(Written(blocks), 100);
  CHECK(inflated.ended);
  CHECK(inflated.bytes == "abcabcabcxyyyyy");
}

TEST_CASE("DeflateBlocks' size is exact: inflate ends on the last byte") {
  std::vector<uint8_t> literals = Bytes("the quick brown fox");
  std::vector<LzSequence> sequences{{19, 258, 19}, {0, 3, 1}};
  DeflateBlocks blocks(sequences, literals, 1);
  std::vector<uint8_t> stream = Written(blocks);
  Inflated inflated = InflateRaw(stream, 400);
  CHECK(inflated.ended);
  CHECK(inflated.consumed == stream.size());
  CHECK(inflated.bytes.size() == 19 + 258 + 3);
}

TEST_CASE("DeflateBlocks writes an empty parse as one block holding only its end") {
  DeflateBlocks blocks({}, {}, 10);
  Inflated inflated = InflateRaw(Written(blocks), 0);
  CHECK(inflated.ended);
  CHECK(inflated.bytes.empty());
}

TEST_CASE("DeflateBlocks reaches back the full 32768 bytes with copies of every length") {
  // 32768 literals of a pattern with period 251, then a copy of each length 3-258 from 32768
  // back, the last one from 1 back: expected bytes built by copying byte by byte.
  std::vector<uint8_t> literals(32768);
  for (size_t i = 0; i < literals.size(); ++i) literals[i] = static_cast<uint8_t>(i % 251);
  std::vector<LzSequence> sequences{{32768, 0, 0}};
  for (uint16_t length = 3; length <= 258; ++length) sequences.push_back({0, length, 32768});
  sequences.push_back({0, 258, 1});
  std::string expected(literals.begin(), literals.end());
  for (size_t i = 1; i < sequences.size(); ++i) {
    for (uint16_t k = 0; k < sequences[i].length; ++k) {
      expected.push_back(expected[expected.size() - sequences[i].distance]);
    }
  }
  for (size_t block_sequences : {size_t{1}, size_t{7}, size_t{1000}}) {
    CAPTURE(block_sequences);
    DeflateBlocks blocks(sequences, literals, block_sequences);
    Inflated inflated = InflateRaw(Written(blocks), expected.size());
    CHECK(inflated.ended);
    CHECK(inflated.bytes == expected);
  }
}

TEST_CASE("DeflateBlocks codes skewed literal frequencies within deflate's 15-bit limit") {
  // Byte k appears 2^k times (k < 20) and the rest once: Huffman would want 20-bit codes.
  std::vector<uint8_t> literals;
  for (int value = 0; value < 256; ++value) {
    size_t copies = value < 20 ? size_t{1} << value : 1;
    literals.insert(literals.end(), copies, static_cast<uint8_t>(value));
  }
  std::vector<LzSequence> sequences{{static_cast<uint32_t>(literals.size()), 0, 0}};
  DeflateBlocks blocks(sequences, literals, 1);
  Inflated inflated = InflateRaw(Written(blocks), literals.size());
  CHECK(inflated.ended);
  CHECK(inflated.bytes == std::string(literals.begin(), literals.end()));
}

}  // namespace
}  // namespace attnviz
