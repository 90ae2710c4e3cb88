// Length-limited prefix codes: Huffman's lengths, the limit, and canonical codes as RFC 1951 has
// them.
#include "png/prefix_code.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace attnviz {
namespace {

// The sum of 2^-length over the used symbols, times 2^15: 2^15 for a complete code.
uint64_t KraftSum(const std::vector<uint8_t>& lengths) {
  uint64_t sum = 0;
  for (uint8_t length : lengths) {
    if (length > 0) sum += uint64_t{1} << (15 - length);
  }
  return sum;
}

uint64_t Cost(const std::vector<uint64_t>& frequencies, const std::vector<uint8_t>& lengths) {
  uint64_t cost = 0;
  for (size_t i = 0; i < frequencies.size(); ++i) cost += frequencies[i] * lengths[i];
  return cost;
}

TEST_CASE("LimitedCodeLengths gives Huffman's lengths when none passes the limit") {
  // Huffman by hand: 1 + 1 = 2, 2 + 2 = 4, 4 + 4 = 8; depths 3, 3, 2, 1.
  CHECK(LimitedCodeLengths(std::vector<uint64_t>{1, 1, 2, 4}, 15) ==
        std::vector<uint8_t>{3, 3, 2, 1});
  // Unused symbols get no code.
  CHECK(LimitedCodeLengths(std::vector<uint64_t>{0, 4, 0, 1, 1, 2}, 15) ==
        std::vector<uint8_t>{0, 1, 0, 3, 3, 2});
}

TEST_CASE("LimitedCodeLengths shortens codes to the limit at the least cost") {
  // With at most 2 bits, four symbols can only have 2 bits each.
  CHECK(LimitedCodeLengths(std::vector<uint64_t>{1, 1, 2, 4}, 2) ==
        std::vector<uint8_t>{2, 2, 2, 2});
  // Huffman gives the 8 one bit and the five 1s 3, 3, 3, 4, 4 bits (cost 25). Within 3 bits the
  // 8 cannot keep one bit (five codes under a 1-bit prefix need 4 bits); with 2 bits the 1s fit
  // in 2, 3, 3, 3, 3 bits, for 16 + 14 = 30; with 3 bits it costs 24 + 13 = 37. So 30 is least.
  std::vector<uint64_t> skewed{1, 1, 1, 1, 1, 8};
  std::vector<uint8_t> limited = LimitedCodeLengths(skewed, 3);
  CHECK(Cost(skewed, limited) == 30);
  CHECK(KraftSum(limited) == uint64_t{1} << 15);
}

TEST_CASE("LimitedCodeLengths keeps Fibonacci frequencies within 15 bits, complete") {
  // Fibonacci weights make Huffman's tree a path: 29 symbols would need a 28-bit code.
  std::vector<uint64_t> fibonacci{1, 1};
  while (fibonacci.size() < 29) fibonacci.push_back(fibonacci.end()[-1] + fibonacci.end()[-2]);
  std::vector<uint8_t> lengths = LimitedCodeLengths(fibonacci, 15);
  CHECK(*std::max_element(lengths.begin(), lengths.end()) == 15);
  CHECK(KraftSum(lengths) == uint64_t{1} << 15);
  for (size_t i = 1; i < lengths.size(); ++i) {
    CHECK(lengths[i] <= lengths[i - 1]);  // a heavier symbol never has a longer code
  }
}

TEST_CASE("LimitedCodeLengths gives 286 equal frequencies 8 and 9 bits") {
  // 286 = 256 + 30: 2 x 30 = 60 codes of 9 bits and 256 - 30 = 226 of 8 bits.
  std::vector<uint8_t> lengths = LimitedCodeLengths(std::vector<uint64_t>(286, 7), 15);
  CHECK(std::count(lengths.begin(), lengths.end(), 9) == 60);
  CHECK(std::count(lengths.begin(), lengths.end(), 8) == 226);
}

TEST_CASE("LimitedCodeLengths makes a complete code of two when one symbol or none is used") {
  CHECK(LimitedCodeLengths(std::vector<uint64_t>{0, 0, 5, 0}, 15) ==
        std::vector<uint8_t>{1, 0, 1, 0});
  CHECK(LimitedCodeLengths(std::vector<uint64_t>{3, 0, 0}, 7) == std::vector<uint8_t>{1, 1, 0});
  CHECK(LimitedCodeLengths(std::vector<uint64_t>{0, 0, 0}, 7) == std::vector<uint8_t>{1, 1, 0});
}

// `code` written most significant bit first, as RFC 1951 lists codes, reversed for writing.
uint16_t Reversed(const std::string& code) {
  uint16_t reversed = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '1') reversed |= static_cast<uint16_t>(1u << i);
  }
  return reversed;
}

TEST_CASE("CanonicalCodes assigns RFC 1951's example codes, bit-reversed") {
  // RFC 1951, 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) for A to H.
  std::vector<uint16_t> codes = CanonicalCodes(std::vector<uint8_t>{3, 3, 3, 3, 3, 2, 4, 4});
  CHECK(codes == std::vector<uint16_t>{Reversed("010"), Reversed("011"), Reversed("100"),
                                       Reversed("101"), Reversed("110"), Reversed("00"),
                                       Reversed("1110"), Reversed("1111")});
}

TEST_CASE("CanonicalCodes skips unused symbols") {
  std::vector<uint16_t> codes = CanonicalCodes(std::vector<uint8_t>{0, 1, 0, 2, 2});
  CHECK(codes == std::vector<uint16_t>{0, Reversed("0"), 0, Reversed("10"), Reversed("11")});
}

}  // namespace
}  // namespace attnviz
