// Zip reading for npz archives: central directory, zip64, stored and deflated members, CRC-32.
#include "io/zip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "attnviz/error.h"
#include "attnviz/io/memory_limit.h"

namespace attnviz {

namespace {

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kZip64EndLocator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;
constexpr uint64_t kMaxDeflateRatio = 1032;  // the most deflate can expand one input byte
// Stored members larger than this are mapped without a CRC pass, so opening a huge archive stays
// instant; the npy header inside is still checked against the member's size.
constexpr uint64_t kMaxVerifiedStoredBytes = 256ull << 20;

uint64_t Le(std::span<const std::byte> bytes, uint64_t offset, int size) {
  uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = value << 8 | static_cast<uint8_t>(bytes[offset + i]);
  return value;
}

uint32_t Crc32(std::span<const std::byte> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  for (size_t left = bytes.size(); left > 0;) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(left, UINT_MAX));
    crc = crc32(crc, p, chunk);
    p += chunk;
    left -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

// Reads the zip64 values that a 0xFFFFFFFF field defers to the 0x0001 extra field.
void ApplyZip64Extra(std::span<const std::byte> extra, ZipMember& member, uint64_t& local_offset) {
  for (size_t at = 0; at + 4 <= extra.size();) {
    const uint64_t id = Le(extra, at, 2), size = Le(extra, at + 2, 2);
    if (at + 4 + size > extra.size()) return;
    if (id == 1) {
      size_t field = at + 4;
      auto take = [&](uint64_t& value) {
        if (value != 0xFFFFFFFFu || field + 8 > at + 4 + size) return;
        value = Le(extra, field, 8);
        field += 8;
      };
      take(member.uncompressed_size);
      take(member.compressed_size);
      take(local_offset);
      return;
    }
    at += 4 + size;
  }
}

}  // namespace

ZipArchive::ZipArchive(std::shared_ptr<const ByteSource> source, std::string path)
    : source_(std::move(source)), bytes_(source_->bytes()), path_(std::move(path)) {
  ReadCentralDirectory();
}

void ZipArchive::ReadCentralDirectory() {
  if (bytes_.size() < kEndRecordSize) {
    ThrowInputError(path_, "truncated zip: expected an end-of-central-directory record, found " +
                               std::to_string(bytes_.size()) + " bytes");
  }
  // The end record sits in the last 22 + 65535 (comment) bytes; search backwards.
  size_t end = bytes_.size() - kEndRecordSize;
  const size_t lowest = end > 0xFFFF ? end - 0xFFFF : 0;
  while (Le(bytes_, end, 4) != kEndOfCentralDirectory) {
    if (end == lowest) {
      ThrowInputError(path_, "broken zip: no end-of-central-directory record (truncated file?)");
    }
    --end;
  }
  uint64_t count = Le(bytes_, end + 10, 2);
  uint64_t directory_size = Le(bytes_, end + 12, 4);
  uint64_t directory_offset = Le(bytes_, end + 16, 4);
  if (end >= 20 && Le(bytes_, end - 20, 4) == kZip64EndLocator) {
    const uint64_t record = Le(bytes_, end - 12, 8);
    if (bytes_.size() < 56 || record > bytes_.size() - 56 || Le(bytes_, record, 4) != kZip64End) {
      ThrowInputError(path_, "broken zip: zip64 locator points outside the file");
    }
    count = Le(bytes_, record + 32, 8);
    directory_size = Le(bytes_, record + 40, 8);
    directory_offset = Le(bytes_, record + 48, 8);
  }
  if (directory_offset > end || directory_size > end - directory_offset ||
      count > directory_size / kCentralHeaderSize) {
    ThrowInputError(path_, "broken zip: central directory of " + std::to_string(count) +
                               " entries at offset " + std::to_string(directory_offset) +
                               " does not fit in the file");
  }
  const std::span<const std::byte> directory = bytes_.subspan(directory_offset, directory_size);
  size_t at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + kCentralHeaderSize > directory.size() || Le(directory, at, 4) != kCentralHeader) {
      ThrowInputError(path_, "broken zip: central directory entry " + std::to_string(i) +
                                 " is missing or malformed");
    }
    ZipMember member;
    const uint64_t flags = Le(directory, at + 8, 2);
    member.method = static_cast<uint16_t>(Le(directory, at + 10, 2));
    member.crc32 = static_cast<uint32_t>(Le(directory, at + 16, 4));
    member.compressed_size = Le(directory, at + 20, 4);
    member.uncompressed_size = Le(directory, at + 24, 4);
    const uint64_t name_size = Le(directory, at + 28, 2), extra_size = Le(directory, at + 30, 2),
                   comment_size = Le(directory, at + 32, 2);
    uint64_t local_offset = Le(directory, at + 42, 4);
    const uint64_t entry_size = kCentralHeaderSize + name_size + extra_size + comment_size;
    if (at + entry_size > directory.size()) {
      ThrowInputError(path_, "broken zip: central directory entry " + std::to_string(i) +
                                 " runs past the directory");
    }
    member.name.assign(reinterpret_cast<const char*>(directory.data()) + at + kCentralHeaderSize,
                       name_size);
    ApplyZip64Extra(directory.subspan(at + kCentralHeaderSize + name_size, extra_size), member,
                    local_offset);
    if (flags & 1) ThrowInputError(MemberPath(member), "encrypted zip members are not supported");
    if (local_offset > bytes_.size() - kLocalHeaderSize ||
        Le(bytes_, local_offset, 4) != kLocalHeader) {
      ThrowInputError(MemberPath(member),
                      "broken zip: local header missing at offset " + std::to_string(local_offset));
    }
    member.data_offset = local_offset + kLocalHeaderSize + Le(bytes_, local_offset + 26, 2) +
                         Le(bytes_, local_offset + 28, 2);
    if (member.data_offset > bytes_.size() ||
        member.compressed_size > bytes_.size() - member.data_offset) {
      ThrowInputError(MemberPath(member),
                      "member says " + std::to_string(member.compressed_size) +
                          " bytes at offset " + std::to_string(member.data_offset) +
                          ", archive has " + std::to_string(bytes_.size()) + " bytes");
    }
    members_.push_back(std::move(member));
    at += entry_size;
  }
}

std::span<const std::byte> ZipArchive::CompressedBytes(const ZipMember& member) const {
  return bytes_.subspan(member.data_offset, member.compressed_size);
}

namespace {

// Inflates raw deflate `input` into `output`; returns the number of bytes produced, which is
// output.size() only when the stream ended exactly there.
size_t Inflate(std::span<const std::byte> input, std::span<std::byte> output, bool whole_stream,
               const std::string& path) {
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    ThrowInputError(path, "zlib initialisation failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  size_t in_left = input.size(), out_left = output.size();
  int status = Z_OK;
  for (;;) {
    const uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
    const uInt out_chunk = static_cast<uInt>(std::min<size_t>(out_left, UINT_MAX));
    stream.avail_in = in_chunk;
    stream.avail_out = out_chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    in_left -= in_chunk - stream.avail_in;
    out_left -= out_chunk - stream.avail_out;
    if (status != Z_OK || out_left == 0) break;
  }
  const bool ended = status == Z_STREAM_END;
  const std::string zlib_message = stream.msg ? stream.msg : "error";
  inflateEnd(&stream);
  if (status == Z_NEED_DICT || (status < 0 && status != Z_BUF_ERROR)) {
    ThrowInputError(path, "corrupt deflate data (zlib: " + zlib_message + ")");
  }
  if (whole_stream && (!ended || out_left != 0)) {
    ThrowInputError(path, "deflated member does not inflate to the " +
                              std::to_string(output.size()) + " bytes its header claims");
  }
  return output.size() - out_left;
}

}  // namespace

ZipArchive::Contents ZipArchive::Read(const ZipMember& member) const {
  const std::string path = MemberPath(member);
  const std::span<const std::byte> compressed = CompressedBytes(member);
  Contents contents;
  if (member.method == 0) {
    if (member.uncompressed_size != member.compressed_size) {
      ThrowInputError(path, "stored member sizes disagree");
    }
    contents.owner = source_;
    contents.bytes = compressed;
  } else if (member.method == 8) {
    if (member.uncompressed_size / kMaxDeflateRatio > member.compressed_size + 1) {
      ThrowInputError(path, "member claims " + std::to_string(member.uncompressed_size) +
                                " bytes from " + std::to_string(member.compressed_size) +
                                " compressed bytes, more than deflate can produce");
    }
    CheckMaterialize(path, member.uncompressed_size, "inflating this deflated member");
    std::vector<std::byte> inflated(member.uncompressed_size);
    Inflate(compressed, inflated, true, path);
    auto owned = std::make_shared<OwnedBytes>(std::move(inflated));
    contents.bytes = owned->bytes();
    contents.owner = std::move(owned);
  } else {
    ThrowInputError(path, "expected compression method 0 (stored) or 8 (deflate), found " +
                              std::to_string(member.method));
  }
  const bool verify = member.method != 0 || member.uncompressed_size <= kMaxVerifiedStoredBytes;
  if (verify && Crc32(contents.bytes) != member.crc32) {
    ThrowInputError(path, "CRC-32 mismatch: the member is corrupt");
  }
  return contents;
}

std::vector<std::byte> ZipArchive::ReadPrefix(const ZipMember& member, size_t limit) const {
  const size_t size = static_cast<size_t>(std::min<uint64_t>(limit, member.uncompressed_size));
  const std::span<const std::byte> compressed = CompressedBytes(member);
  if (member.method == 0) {
    const auto prefix = compressed.first(std::min(size, compressed.size()));
    return {prefix.begin(), prefix.end()};
  }
  if (member.method != 8) return {};
  std::vector<std::byte> prefix(size);
  prefix.resize(Inflate(compressed, prefix, false, MemberPath(member)));
  return prefix;
}

}  // namespace attnviz
