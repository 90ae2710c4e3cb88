// The parse is greedy and pixel-aligned: at each pixel, the longer of the run equal to the pixels
// above and the run equal to the left neighbour becomes a copy, a row or one pixel back; where both
// are shorter than two pixels, the run from the last place the next two pixels were seen (one hash
// probe), which finds hatching, repeated glyphs and colours. On the benchmark's figures (heatmaps,
// grids, arrows, labels) files come out 0.9-1.12 times libdeflate's level 2 in a quarter of its
// time; copies from the pixel above-left or above-right, or a second hash probe, saved under 2%.
#include "figure_deflate.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <span>
#include <vector>

#include <zlib.h>

#include "attnviz/parallel.h"
#include "deflate_blocks.h"
#include "equal_pixels.h"
#include "row_adler32.h"

namespace attnviz {
namespace {

constexpr uint8_t kFilterNone = 0;
constexpr size_t kMinCopy = 3;
constexpr size_t kMaxCopy = 258;
constexpr size_t kMaxDistance = 32768;
constexpr uint32_t kMaxPendingLiterals = uint32_t{1} << 30;
// Codes are fitted anew every this many sequences; on our figures, blocks of 4096 sequences or a
// single block changed sizes by under 0.5%.
constexpr size_t kBlockSequences = size_t{1} << 15;

// The LZ77 parse of a figure's rows, built front to back. A copy stays open while the next run has
// the same distance, so that a run of equal rows becomes one copy, split only at 258 bytes.
class RunParse {
 public:
  explicit RunParse(size_t stream_bytes)
      : literals_(std::make_unique_for_overwrite<uint8_t[]>(std::max<size_t>(stream_bytes, 1))) {}

  size_t open_copy_distance() const { return copy_distance_; }
  std::span<const LzSequence> sequences() const { return sequences_; }
  std::span<const uint8_t> literals() const { return {literals_.get(), literal_count_}; }

  void Literal(uint8_t byte) {
    EndCopy();
    literals_[literal_count_++] = byte;
    ++pending_literals_;
  }

  template <int kBytes>
  void LiteralPixels(const uint32_t* pixels, int count) {
    if (count == 0) return;
    EndCopy();
    uint8_t* out = &literals_[literal_count_];
    for (int x = 0; x < count; ++x, out += kBytes) {
      out[0] = static_cast<uint8_t>(pixels[x] >> 16);
      out[1] = static_cast<uint8_t>(pixels[x] >> 8);
      out[2] = static_cast<uint8_t>(pixels[x]);
      if constexpr (kBytes == 4) out[3] = static_cast<uint8_t>(pixels[x] >> 24);
    }
    literal_count_ += static_cast<size_t>(count) * kBytes;
    pending_literals_ += static_cast<uint32_t>(count) * kBytes;
    // LzSequence counts literals in 32 bits.
    if (pending_literals_ >= kMaxPendingLiterals) EndLiterals();
  }

  void Copy(size_t distance, size_t bytes) {
    if (distance != copy_distance_) EndCopy();
    copy_distance_ = distance;
    copy_bytes_ += bytes;
  }

  void Finish() {
    EndCopy();
    if (pending_literals_ > 0) EndLiterals();
  }

 private:
  // The open copy as sequences of at most 258 bytes, none shorter than 3.
  void EndCopy() {
    while (copy_bytes_ > 0) {
      size_t piece = copy_bytes_;
      if (piece > kMaxCopy) piece = piece - kMaxCopy < kMinCopy ? piece - kMinCopy : kMaxCopy;
      assert(piece >= kMinCopy);
      sequences_.push_back(
          {pending_literals_, static_cast<uint16_t>(piece), static_cast<uint16_t>(copy_distance_)});
      pending_literals_ = 0;
      copy_bytes_ -= piece;
    }
    copy_distance_ = 0;
  }

  void EndLiterals() {
    sequences_.push_back({pending_literals_, 0, 0});
    pending_literals_ = 0;
  }

  std::vector<LzSequence> sequences_;
  std::unique_ptr<uint8_t[]> literals_;  // written before read: no zero-filling
  size_t literal_count_ = 0;
  uint32_t pending_literals_ = 0;
  size_t copy_distance_ = 0;  // 0: no copy open
  size_t copy_bytes_ = 0;
};

// Which of the two pixels in a 64-bit load is the first that differs, given their XOR (nonzero).
int FirstDifferent(uint64_t difference) {
  if constexpr (std::endian::native == std::endian::little) {
    return std::countr_zero(difference) >= 32 ? 1 : 0;
  } else {
    return std::countl_zero(difference) >= 32 ? 1 : 0;
  }
}

// How many of the `count` pixels from `pixels` on equal `reference`, pixel for pixel, before the
// first that differs.
int EqualRun(const uint32_t* pixels, const uint32_t* reference, int count) {
  int run = 0;
  for (; run + 2 <= count; run += 2) {
    uint64_t a, b;
    std::memcpy(&a, pixels + run, sizeof a);
    std::memcpy(&b, reference + run, sizeof b);
    if (a != b) return run + FirstDifferent(a ^ b);
  }
  return run < count && pixels[run] == reference[run] ? run + 1 : run;
}

// Where a copy reads from: `rows` up and `pixels` to the left.
struct PixelOffset {
  int rows = 0;
  int pixels = 0;
};

struct Run {
  int pixels = 0;
  PixelOffset from;
};

// The parse of a figure's rows, front to back.
template <int kBytes>
class FigureParser {
 public:
  FigureParser(const PngPixelRows& rows, RunParse& parse)
      : rows_(rows),
        row_bytes_(1 + static_cast<size_t>(rows.width) * kBytes),
        parse_(parse),
        equal_above_(EqualMaskWords(rows.width)),
        equal_left_(EqualMaskWords(rows.width)),
        seen_(size_t{1} << kHashBits) {}

  // Returns whether row y repeats the row above, all of it.
  bool ParseRow(int y) {
    const uint32_t* row = Row(y);
    const uint32_t* above = y > 0 && InReach(kUp) ? Row(y - 1) : nullptr;
    if (above != nullptr && std::equal(row, row + rows_.width, above)) {
      parse_.Copy(row_bytes_, row_bytes_);
      return true;
    }
    MarkNeighbours(row, above);
    bool filter_byte_copied = StartRow(row, above);
    int literal_start = 0;
    for (int x = 0; x < rows_.width;) {
      // A copy of the filter byte alone would be too short: it goes on from above.
      Run run = x == 0 && filter_byte_copied ? Run{SetBitsFrom(equal_above_.data(), 0), kUp}
                                             : LongestRun(y, row, x);
      if (run.pixels == 0) {
        ++x;
        continue;
      }
      parse_.LiteralPixels<kBytes>(row + literal_start, x - literal_start);
      parse_.Copy(Distance(run.from), static_cast<size_t>(run.pixels) * kBytes);
      x += run.pixels;
      literal_start = x;
    }
    parse_.LiteralPixels<kBytes>(row + literal_start, rows_.width - literal_start);
    return false;
  }

 private:
  static constexpr int kHashBits = 12;
  // A copy found by hashing is far away and costs distance bits: below two pixels, literals win.
  static constexpr int kMinHashedRun = 2;
  static constexpr PixelOffset kLeft{0, 1}, kUp{1, 0};

  struct Position {
    int y = -1;
    int x = 0;
  };

  const uint32_t* Row(int y) const { return rows_.words + y * rows_.stride; }

  int64_t Distance(PixelOffset offset) const {
    return offset.rows * static_cast<int64_t>(row_bytes_) + offset.pixels * kBytes;
  }

  bool InReach(PixelOffset offset) const {
    int64_t distance = Distance(offset);
    return distance > 0 && distance <= static_cast<int64_t>(kMaxDistance);
  }

  // Bit x of equal_above_: pixel x equals the one above; bit x of equal_left_: pixel x + 1
  // equals pixel x.
  void MarkNeighbours(const uint32_t* row, const uint32_t* above) {
    if (above != nullptr) {
      MarkEqualPixels(row, above, rows_.width, equal_above_.data());
    } else {
      std::fill(equal_above_.begin(), equal_above_.end(), 0);
    }
    MarkEqualPixels(row + 1, row, std::max(rows_.width - 1, 0), equal_left_.data());
  }

  // The filter byte equals the one a row back, so it may join a copy from above: one that is
  // open, or one that goes on with the first pixel. Returns whether it started a copy.
  bool StartRow(const uint32_t* row, const uint32_t* above) {
    if (parse_.open_copy_distance() == row_bytes_) {
      parse_.Copy(row_bytes_, 1);
      return false;
    }
    if (above != nullptr && rows_.width > 0 && row[0] == above[0]) {
      parse_.Copy(row_bytes_, 1);
      return true;
    }
    parse_.Literal(kFilterNone);
    return false;
  }

  Run LongestRun(int y, const uint32_t* row, int x) {
    int up = SetBitsFrom(equal_above_.data(), x);
    int left = x > 0 ? SetBitsFrom(equal_left_.data(), x - 1) : 0;
    Run best = up >= left ? Run{up, kUp} : Run{left, kLeft};
    if (best.pixels < kMinHashedRun && x + 1 < rows_.width) ConsiderHashed(y, row, x, best);
    return best;
  }

  // Replaces `best` by the run from the last place where the pixels x and x + 1 were seen, if
  // that is longer, and records this place.
  void ConsiderHashed(int y, const uint32_t* row, int x, Run& best) {
    Position& seen = seen_[Hash(row + x)];
    PixelOffset offset{y - seen.y, x - seen.x};
    if (seen.y >= 0 && InReach(offset)) {
      int count = rows_.width - std::max(x, seen.x);
      int run = EqualRun(row + x, Row(seen.y) + seen.x, count);
      if (run >= kMinHashedRun && run > best.pixels) best = {run, offset};
    }
    seen = {y, x};
  }

  static size_t Hash(const uint32_t* pixels) {
    uint32_t mixed = (pixels[0] ^ (pixels[1] * 0x9e3779b1u)) * 0x85ebca6bu;
    return mixed >> (32 - kHashBits);
  }

  const PngPixelRows& rows_;
  size_t row_bytes_;
  RunParse& parse_;
  std::vector<uint64_t> equal_above_;
  std::vector<uint64_t> equal_left_;
  std::vector<Position> seen_;  // by the hash of two pixels from there
};

// Bands of at least this many pixels are parsed and coded apart, each but the last ending in a
// sync flush, and on several threads when given: a 1223 x 1193 grid takes 8 ms on one. The split
// depends on the image alone, so the bytes do not depend on the threads.
constexpr int64_t kBandPixels = int64_t{1} << 19;

// Rows [first, end) of a figure as deflate blocks (their copies may reach into earlier rows),
// with the Adler-32 of those rows' bytes.
struct Band {
  int first = 0, end = 0;
  std::unique_ptr<uint8_t[]> bytes;
  size_t size = 0;
  uint32_t adler = 0;
};

template <int kBytes>
void ParseRows(const PngPixelRows& rows, int first, int end, RunParse& parse, RowAdler32& adler) {
  FigureParser<kBytes> parser(rows, parse);
  RowSums sums;
  for (int y = first; y < end; ++y) {
    bool repeated = parser.ParseRow(y);
    if (!repeated || y == first) sums = RowSumsOf(rows.words + y * rows.stride, rows.width, kBytes);
    adler.AddRow(sums, static_cast<size_t>(rows.width) * kBytes);
  }
  parse.Finish();
}

void DeflateBand(const PngPixelRows& rows, bool last, Band& band) {
  const size_t row_bytes = 1 + static_cast<size_t>(rows.width) * rows.bytes_per_pixel;
  RunParse parse(row_bytes * static_cast<size_t>(band.end - band.first));
  RowAdler32 adler;
  if (rows.bytes_per_pixel == 4) {
    ParseRows<4>(rows, band.first, band.end, parse, adler);
  } else {
    ParseRows<3>(rows, band.first, band.end, parse, adler);
  }
  const DeflateBlocks blocks(parse.sequences(), parse.literals(), kBlockSequences,
                             last ? DeflateBlocks::End::kFinal : DeflateBlocks::End::kSyncFlush);
  constexpr size_t kWriteSlack = 8;
  band.size = blocks.StreamBytes();
  band.bytes = std::make_unique_for_overwrite<uint8_t[]>(band.size + kWriteSlack);
  blocks.WriteStream(band.bytes.get());
  band.adler = adler.value();
}

std::vector<Band> BandsOf(const PngPixelRows& rows) {
  const int64_t band_rows = std::max<int64_t>(1, kBandPixels / std::max(rows.width, 1));
  std::vector<Band> bands;
  for (int64_t first = 0; first == 0 || first < rows.height; first += band_rows) {
    Band& band = bands.emplace_back();
    band.first = static_cast<int>(first);
    band.end = static_cast<int>(std::min<int64_t>(rows.height, first + band_rows));
  }
  return bands;
}

// The bands between zlib's 2-byte header and the Adler-32 of all rows, big-endian.
ZlibStream ZlibWrapped(const std::vector<Band>& bands, size_t row_bytes) {
  constexpr size_t kHeaderBytes = 2, kTrailerBytes = 4;
  size_t size = kHeaderBytes + kTrailerBytes;
  for (const Band& band : bands) size += band.size;
  ZlibStream stream{std::make_unique_for_overwrite<uint8_t[]>(size), size};
  stream.bytes[0] = 0x78;  // deflate, 32 KiB window
  stream.bytes[1] = 0x01;  // fastest compression, no dictionary; makes the header a multiple of 31
  uint8_t* out = &stream.bytes[kHeaderBytes];
  uint32_t adler = 1;
  for (const Band& band : bands) {
    out = std::copy_n(band.bytes.get(), band.size, out);
    adler = static_cast<uint32_t>(adler32_combine(
        adler, band.adler, static_cast<z_off_t>(row_bytes * (band.end - band.first))));
  }
  for (size_t i = 0; i < kTrailerBytes; ++i) {
    stream.bytes[size - kTrailerBytes + i] = static_cast<uint8_t>(adler >> (24 - 8 * i));
  }
  return stream;
}

}  // namespace

ZlibStream DeflateFigure(const PngPixelRows& rows, int threads) {
  std::vector<Band> bands = BandsOf(rows);
  RunInParallel(bands.size(), threads,
                [&](size_t i) { DeflateBand(rows, i + 1 == bands.size(), bands[i]); });
  return ZlibWrapped(bands, 1 + static_cast<size_t>(rows.width) * rows.bytes_per_pixel);
}

}  // namespace attnviz
