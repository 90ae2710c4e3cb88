// A libFuzzer mutator for zip archives that rewrites each stored member's CRC-32 after mutating,
// so that mutations of the npy members inside get past the CRC check and reach the npy reader.
#include <zlib.h>

#include <cstddef>
#include <cstdint>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;

uint32_t Le(const uint8_t* p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | p[i];
  return value;
}

void PutLe32(uint8_t* p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

// The offset of the end-of-central-directory record, or size when there is none.
size_t FindEndRecord(const uint8_t* data, size_t size) {
  if (size < kEndRecordSize) return size;
  for (size_t end = size - kEndRecordSize + 1; end-- > 0;) {
    if (Le(data + end, 4) == kEndOfCentralDirectory) return end;
  }
  return size;
}

// Gives the stored member whose central entry starts at `entry` the CRC-32 of its bytes, in the
// central and the local header; does nothing when the entry does not describe one.
void FixStoredMember(uint8_t* data, size_t size, size_t entry) {
  const uint8_t* central = data + entry;
  if (Le(central + 10, 2) != 0) return;  // not stored
  const uint64_t stored_bytes = Le(central + 20, 4);
  const uint64_t local = Le(central + 42, 4);
  if (local + kLocalHeaderSize > size || Le(data + local, 4) != kLocalHeader) return;
  const uint64_t start =
      local + kLocalHeaderSize + Le(data + local + 26, 2) + Le(data + local + 28, 2);
  if (start > size || stored_bytes > size - start) return;
  const auto crc = static_cast<uint32_t>(crc32(0L, data + start, static_cast<uInt>(stored_bytes)));
  PutLe32(data + entry + 16, crc);
  PutLe32(data + local + 14, crc);
}

void FixStoredCrcs(uint8_t* data, size_t size) {
  const size_t end = FindEndRecord(data, size);
  if (end == size) return;
  const uint64_t count = Le(data + end + 10, 2);
  uint64_t entry = Le(data + end + 16, 4);
  for (uint64_t i = 0; i < count; ++i) {
    if (entry + kCentralHeaderSize > end || Le(data + entry, 4) != kCentralHeader) return;
    FixStoredMember(data, size, entry);
    entry += kCentralHeaderSize + Le(data + entry + 28, 2) + Le(data + entry + 30, 2) +
             Le(data + entry + 32, 2);
  }
}

}  // namespace

// One mutation in four keeps its CRCs as they fell, so the mismatch path stays exercised too.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (seed % 4 != 0) FixStoredCrcs(data, size);
  return size;
}
