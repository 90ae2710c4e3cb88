// Length-limited canonical prefix (Huffman) codes, as deflate's dynamic blocks describe them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace attnviz {

// The code length of each symbol for the smallest total `frequency x length` with no length above
// `max_length` (package-merge). Unused symbols get 0. When fewer than two symbols are used, the
// first unused ones are given length 1 as well, because deflate decoders want complete codes.
// Requires frequencies.size() <= 2^max_length and max_length <= 15.
std::vector<uint8_t> LimitedCodeLengths(std::span<const uint64_t> frequencies, int max_length);

// The canonical code of each symbol for `lengths` (RFC 1951, 3.2.2), bit-reversed so that it can
// be written least significant bit first as deflate's bit stream wants it.
std::vector<uint16_t> CanonicalCodes(std::span<const uint8_t> lengths);

}  // namespace attnviz
