// Deflate's dynamic-Huffman blocks (RFC 1951, 3.2.7), written from an LZ77 parse made elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace attnviz {

// `literals` bytes taken in order from the parse's literal bytes, then a copy of `length` bytes
// (0: no copy, else 3-258) from `distance` bytes back (1-32768).
struct LzSequence {
  uint32_t literals = 0;
  uint16_t length = 0;
  uint16_t distance = 0;
};

// The blocks of a parse, planned in full before anything is written, so that the stream's exact
// size is known up front. The sequences and literals must stay alive while this is used.
class DeflateBlocks {
 public:
  // How the blocks end: the last one marked final, or none of them but followed by an empty
  // stored block that brings the stream to a byte boundary (zlib's sync flush), so that another
  // part of the stream can follow it byte for byte.
  enum class End { kFinal, kSyncFlush };

  // One block per `block_sequences` sequences (the last one takes the rest), each with codes
  // fitted to its own symbol frequencies.
  DeflateBlocks(std::span<const LzSequence> sequences, std::span<const uint8_t> literals,
                size_t block_sequences, End end = End::kFinal);
  ~DeflateBlocks();

  // The size of the deflate stream in bytes, its last byte padded with zero bits.
  size_t StreamBytes() const { return (bits_ + 7) / 8; }

  // Writes the StreamBytes() bytes to `out`, which must have room for 8 bytes more.
  void WriteStream(uint8_t* out) const;

 private:
  struct Block;

  std::span<const LzSequence> sequences_;
  std::span<const uint8_t> literals_;
  std::vector<Block> blocks_;
  End end_;
  uint64_t bits_ = 0;
};

}  // namespace attnviz
