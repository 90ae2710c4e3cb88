// Each block sends its literal/length and distance code lengths run-length coded (symbols 16, 17,
// 18) under a third code, then its sequences. Codes are fitted per block because a figure's
// literals change from region to region (background, heatmap, labels).
#include "deflate_blocks.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <vector>

#include "prefix_code.h"

namespace attnviz {
namespace {

constexpr size_t kEndOfBlock = 256;
constexpr size_t kLiteralLengthSymbols = 286;
constexpr size_t kDistanceSymbols = 30;
constexpr size_t kCodeLengthSymbols = 19;
constexpr int kMaxCodeBits = 15;
constexpr int kMaxCodeLengthBits = 7;

// The order in which a block header lists the code-length code's lengths (RFC 1951, 3.2.7).
constexpr std::array<uint8_t, kCodeLengthSymbols> kCodeLengthOrder = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// A symbol and the extra bits written after its code.
struct SymbolWithExtra {
  uint16_t symbol = 0;
  uint8_t extra_bits = 0;
  uint16_t extra = 0;
};

constexpr std::array<uint16_t, 29> kLengthBase = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                  15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                  67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<uint8_t, 29> kLengthExtraBits = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

// Copy lengths 3-258 as symbols 257-285 and extra bits (RFC 1951, 3.2.5); 258 has its own symbol.
constexpr std::array<SymbolWithExtra, 259> kLengthSymbols = [] {
  std::array<SymbolWithExtra, 259> table{};
  for (size_t code = 0; code < kLengthBase.size(); ++code) {
    int end = kLengthBase[code] + (1 << kLengthExtraBits[code]);
    for (int length = kLengthBase[code]; length < end && length <= 258; ++length) {
      table[static_cast<size_t>(length)] = {static_cast<uint16_t>(257 + code),
                                            kLengthExtraBits[code],
                                            static_cast<uint16_t>(length - kLengthBase[code])};
    }
  }
  return table;
}();

SymbolWithExtra DistanceSymbol(uint32_t distance) {
  if (distance <= 4) return {static_cast<uint16_t>(distance - 1), 0, 0};
  // Symbols 2k and 2k + 1 split [2^k, 2^(k+1)) of distance - 1, with k - 1 extra bits.
  uint32_t offset = distance - 1;
  int half_bits = std::bit_width(offset) - 2;
  uint32_t symbol = 2 * static_cast<uint32_t>(half_bits + 1) + ((offset >> half_bits) & 1);
  return {static_cast<uint16_t>(symbol), static_cast<uint8_t>(half_bits),
          static_cast<uint16_t>(offset & ((1u << half_bits) - 1))};
}

int LengthExtraBits(size_t symbol) { return symbol >= 257 ? kLengthExtraBits[symbol - 257] : 0; }

int DistanceExtraBits(size_t symbol) { return symbol < 4 ? 0 : static_cast<int>(symbol / 2) - 1; }

int CodeLengthExtraBits(size_t symbol) {
  constexpr std::array<int, 3> kRepeatBits = {2, 3, 7};  // symbols 16, 17, 18
  return symbol >= 16 ? kRepeatBits[symbol - 16] : 0;
}

// Bits go into a 64-bit buffer least significant first; Flush() stores whole bytes. Between two
// flushes at most 56 bits may be added.
class BitWriter {
 public:
  explicit BitWriter(uint8_t* out) : out_(out) {}

  void Add(uint32_t bits, int count) {
    buffer_ |= uint64_t{bits} << count_;
    count_ += count;
  }

  // Zero bits up to the next byte boundary.
  void AlignToByte() { count_ = (count_ + 7) & ~7; }

  // Stores all 8 buffer bytes (the caller leaves room) and keeps the bits of the partial byte.
  void Flush() {
    uint64_t bytes = buffer_;
    if constexpr (std::endian::native == std::endian::big) bytes = __builtin_bswap64(bytes);
    std::memcpy(out_, &bytes, sizeof bytes);
    out_ += count_ / 8;
    buffer_ >>= count_ & ~7;
    count_ &= 7;
  }

 private:
  uint8_t* out_;
  uint64_t buffer_ = 0;
  int count_ = 0;
};

struct CodeLengthRun {
  uint8_t symbol = 0;  // a length 0-15, or 16 (repeat the last), 17 or 18 (zeros)
  uint8_t extra = 0;   // the repeat count minus 3, 3 or 11
};

// Runs of zeros as symbols 17 and 18; runs of another length as the length and symbol 16.
void AppendRun(uint8_t length, size_t run, std::vector<CodeLengthRun>& runs) {
  if (length == 0) {
    for (; run >= 11; run -= std::min<size_t>(run, 138)) {
      runs.push_back({18, static_cast<uint8_t>(std::min<size_t>(run, 138) - 11)});
    }
    if (run >= 3) {
      runs.push_back({17, static_cast<uint8_t>(run - 3)});
      run = 0;
    }
  } else {
    runs.push_back({length, 0});
    for (--run; run >= 3; run -= std::min<size_t>(run, 6)) {
      runs.push_back({16, static_cast<uint8_t>(std::min<size_t>(run, 6) - 3)});
    }
  }
  for (; run > 0; --run) runs.push_back({length, 0});
}

std::vector<CodeLengthRun> RunLengthCoded(const std::vector<uint8_t>& lengths) {
  std::vector<CodeLengthRun> runs;
  for (size_t at = 0; at < lengths.size();) {
    size_t end = at + 1;
    while (end < lengths.size() && lengths[end] == lengths[at]) ++end;
    AppendRun(lengths[at], end - at, runs);
    at = end;
  }
  return runs;
}

// How many of `lengths` a header must list: up to the last nonzero one, and at least `minimum`.
size_t ListedCount(const std::vector<uint8_t>& lengths, size_t minimum) {
  size_t count = lengths.size();
  while (count > minimum && lengths[count - 1] == 0) --count;
  return count;
}

struct Frequencies {
  std::array<uint64_t, kLiteralLengthSymbols> literal_length{};
  std::array<uint64_t, kDistanceSymbols> distance{};
};

Frequencies Count(std::span<const LzSequence> sequences, std::span<const uint8_t> literals) {
  // Four tables, so that runs of one byte value do not wait on the same counter.
  std::array<std::array<uint64_t, 256>, 4> bytes{};
  size_t at = 0;
  for (; at + 4 <= literals.size(); at += 4) {
    for (size_t lane = 0; lane < 4; ++lane) ++bytes[lane][literals[at + lane]];
  }
  for (; at < literals.size(); ++at) ++bytes[0][literals[at]];
  Frequencies counted;
  for (size_t value = 0; value < 256; ++value) {
    counted.literal_length[value] =
        bytes[0][value] + bytes[1][value] + bytes[2][value] + bytes[3][value];
  }
  for (const LzSequence& sequence : sequences) {
    if (sequence.length == 0) continue;
    ++counted.literal_length[kLengthSymbols[sequence.length].symbol];
    ++counted.distance[DistanceSymbol(sequence.distance).symbol];
  }
  counted.literal_length[kEndOfBlock] = 1;
  return counted;
}

uint64_t CodedBits(std::span<const uint64_t> frequencies, const std::vector<uint8_t>& lengths,
                   int (*extra_bits)(size_t)) {
  uint64_t bits = 0;
  for (size_t symbol = 0; symbol < frequencies.size(); ++symbol) {
    bits += frequencies[symbol] * static_cast<uint64_t>(lengths[symbol] + extra_bits(symbol));
  }
  return bits;
}

// Bits to write and how many.
struct BitString {
  uint32_t bits = 0;
  int count = 0;
};

// A block's codes as bit strings to write, each copy length's code joined with its extra bits.
// Arrays rather than vectors: the writer's byte stores might alias a vector's pointer, which the
// compiler would then reload for every symbol.
class SymbolCodes {
 public:
  SymbolCodes(const std::vector<uint8_t>& literal_length_lengths,
              const std::vector<uint8_t>& distance_lengths) {
    std::vector<uint16_t> literal_codes = CanonicalCodes(literal_length_lengths);
    for (size_t symbol = 0; symbol < literal_lengths_.size(); ++symbol) {
      literal_lengths_[symbol] = {literal_codes[symbol], literal_length_lengths[symbol]};
    }
    for (size_t length = 3; length < copy_lengths_.size(); ++length) {
      SymbolWithExtra symbol = kLengthSymbols[length];
      BitString code = literal_lengths_[symbol.symbol];
      copy_lengths_[length] = {code.bits | uint32_t{symbol.extra} << code.count,
                               code.count + symbol.extra_bits};
    }
    std::vector<uint16_t> distance_codes = CanonicalCodes(distance_lengths);
    for (size_t symbol = 0; symbol < distances_.size(); ++symbol) {
      distances_[symbol] = {distance_codes[symbol], distance_lengths[symbol]};
    }
  }

  void AddLiteral(size_t symbol, BitWriter& out) const {
    out.Add(literal_lengths_[symbol].bits, literal_lengths_[symbol].count);
  }

  // At most 48 bits.
  void AddCopy(uint16_t length, uint16_t distance, BitWriter& out) {
    if (distance != last_distance_) {
      SymbolWithExtra symbol = DistanceSymbol(distance);
      BitString code = distances_[symbol.symbol];
      distance_code_ = {code.bits | uint32_t{symbol.extra} << code.count,
                        code.count + symbol.extra_bits};
      last_distance_ = distance;
    }
    out.Add(copy_lengths_[length].bits, copy_lengths_[length].count);
    out.Add(distance_code_.bits, distance_code_.count);
  }

 private:
  std::array<BitString, kLiteralLengthSymbols> literal_lengths_{};
  std::array<BitString, 259> copy_lengths_{};
  std::array<BitString, kDistanceSymbols> distances_{};
  uint16_t last_distance_ = 0;  // copies in a row mostly share their distance
  BitString distance_code_;
};

}  // namespace

struct DeflateBlocks::Block {
  std::span<const LzSequence> sequences;
  std::span<const uint8_t> literals;
  std::vector<uint8_t> literal_length_lengths;
  std::vector<uint8_t> distance_lengths;
  std::vector<uint8_t> code_length_lengths;
  std::vector<CodeLengthRun> header_runs;
  size_t listed_literal_lengths = 0;
  size_t listed_distances = 0;
  size_t listed_code_lengths = 0;
  uint64_t bits = 0;

  Block(std::span<const LzSequence> block_sequences, std::span<const uint8_t> block_literals);
  uint64_t FitHeader();
  void Write(bool last, BitWriter& out) const;
  void WriteHeader(bool last, BitWriter& out) const;
  void WriteSequences(BitWriter& out) const;
};

DeflateBlocks::Block::Block(std::span<const LzSequence> block_sequences,
                            std::span<const uint8_t> block_literals)
    : sequences(block_sequences), literals(block_literals) {
  Frequencies frequencies = Count(sequences, literals);
  literal_length_lengths = LimitedCodeLengths(frequencies.literal_length, kMaxCodeBits);
  distance_lengths = LimitedCodeLengths(frequencies.distance, kMaxCodeBits);
  bits = FitHeader() +
         CodedBits(frequencies.literal_length, literal_length_lengths, LengthExtraBits) +
         CodedBits(frequencies.distance, distance_lengths, DistanceExtraBits);
}

// The run-length coded lengths and their code; returns the header's size in bits.
uint64_t DeflateBlocks::Block::FitHeader() {
  listed_literal_lengths = ListedCount(literal_length_lengths, 257);
  listed_distances = ListedCount(distance_lengths, 1);
  std::vector<uint8_t> listed(literal_length_lengths.begin(),
                              literal_length_lengths.begin() + listed_literal_lengths);
  listed.insert(listed.end(), distance_lengths.begin(),
                distance_lengths.begin() + listed_distances);
  header_runs = RunLengthCoded(listed);
  std::array<uint64_t, kCodeLengthSymbols> frequencies{};
  for (const CodeLengthRun& run : header_runs) ++frequencies[run.symbol];
  code_length_lengths = LimitedCodeLengths(frequencies, kMaxCodeLengthBits);
  std::vector<uint8_t> in_order(kCodeLengthSymbols);
  for (size_t i = 0; i < kCodeLengthSymbols; ++i) {
    in_order[i] = code_length_lengths[kCodeLengthOrder[i]];
  }
  listed_code_lengths = ListedCount(in_order, 4);
  return 3 + 5 + 5 + 4 + 3 * listed_code_lengths +
         CodedBits(frequencies, code_length_lengths, CodeLengthExtraBits);
}

void DeflateBlocks::Block::Write(bool last, BitWriter& out) const {
  WriteHeader(last, out);
  WriteSequences(out);
}

void DeflateBlocks::Block::WriteHeader(bool last, BitWriter& out) const {
  constexpr uint32_t kDynamicHuffman = 2;
  out.Add((last ? 1 : 0) | (kDynamicHuffman << 1), 3);
  out.Add(static_cast<uint32_t>(listed_literal_lengths - 257), 5);
  out.Add(static_cast<uint32_t>(listed_distances - 1), 5);
  out.Add(static_cast<uint32_t>(listed_code_lengths - 4), 4);
  out.Flush();
  for (size_t i = 0; i < listed_code_lengths; ++i) {
    out.Add(code_length_lengths[kCodeLengthOrder[i]], 3);
    out.Flush();
  }
  std::vector<uint16_t> codes = CanonicalCodes(code_length_lengths);
  for (const CodeLengthRun& run : header_runs) {
    out.Add(codes[run.symbol], code_length_lengths[run.symbol]);
    out.Add(run.extra, CodeLengthExtraBits(run.symbol));
    out.Flush();
  }
}

void DeflateBlocks::Block::WriteSequences(BitWriter& stream) const {
  SymbolCodes codes(literal_length_lengths, distance_lengths);
  // A local copy, which the compiler may keep in registers: `stream` might alias the bytes written.
  BitWriter out = stream;
  const uint8_t* literal = literals.data();
  for (const LzSequence& sequence : sequences) {
    uint32_t left = sequence.literals;
    for (; left >= 3; left -= 3, literal += 3) {  // 3 x 15 bits and 7 pending fit the buffer
      codes.AddLiteral(literal[0], out);
      codes.AddLiteral(literal[1], out);
      codes.AddLiteral(literal[2], out);
      out.Flush();
    }
    if (left > 0) {
      for (; left > 0; --left) codes.AddLiteral(*literal++, out);
      out.Flush();
    }
    if (sequence.length == 0) continue;
    codes.AddCopy(sequence.length, sequence.distance, out);
    out.Flush();
  }
  codes.AddLiteral(kEndOfBlock, out);
  out.Flush();
  stream = out;
}

// An empty stored block (RFC 1951, 3.2.4): its 3 header bits, zero bits to the byte boundary,
// then LEN = 0 and NLEN = 0xffff.
constexpr int kStoredHeaderBits = 3;
constexpr uint32_t kEmptyStoredLengths = 0xffff0000u;

DeflateBlocks::DeflateBlocks(std::span<const LzSequence> sequences,
                             std::span<const uint8_t> literals, size_t block_sequences, End end)
    : sequences_(sequences), literals_(literals), end_(end) {
  assert(block_sequences > 0);
  size_t first_literal = 0;
  // An empty parse still needs one block, holding only its end.
  for (size_t first = 0; first == 0 || first < sequences.size(); first += block_sequences) {
    std::span<const LzSequence> part =
        sequences.subspan(first, std::min(block_sequences, sequences.size() - first));
    size_t literal_count = 0;
    for (const LzSequence& sequence : part) literal_count += sequence.literals;
    blocks_.emplace_back(part, literals.subspan(first_literal, literal_count));
    first_literal += literal_count;
    bits_ += blocks_.back().bits;
  }
  assert(first_literal == literals.size());
  if (end_ == End::kSyncFlush) bits_ = (bits_ + kStoredHeaderBits + 7) / 8 * 8 + 32;
}

DeflateBlocks::~DeflateBlocks() = default;

void DeflateBlocks::WriteStream(uint8_t* out) const {
  BitWriter writer(out);
  const bool final = end_ == End::kFinal;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    blocks_[i].Write(final && i + 1 == blocks_.size(), writer);
  }
  if (final) return;
  writer.Add(0, kStoredHeaderBits);  // not final, stored
  writer.AlignToByte();
  writer.Add(kEmptyStoredLengths, 32);
  writer.Flush();
}

}  // namespace attnviz
