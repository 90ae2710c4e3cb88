// Reading members of a zip archive (what np.savez writes): stored members stay mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "attnviz/tensor/byte_source.h"

namespace attnviz {

struct ZipMember {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t data_offset = 0;  // of the member's (compressed) bytes in the archive
};

// The central directory of an archive (zip64 included), every offset and size checked against
// the archive's real length.
class ZipArchive {
 public:
  ZipArchive(std::shared_ptr<const ByteSource> source, std::string path);

  const std::vector<ZipMember>& members() const { return members_; }

  // The whole member, CRC checked. A stored member is a view into the archive and `owner` the
  // archive itself; a deflated one is inflated into memory that `owner` holds.
  struct Contents {
    std::shared_ptr<const ByteSource> owner;
    std::span<const std::byte> bytes;
  };
  Contents Read(const ZipMember& member) const;

  // At most the first `limit` bytes of the member, without CRC check: enough to read an npy
  // header without inflating a whole large member.
  std::vector<std::byte> ReadPrefix(const ZipMember& member, size_t limit) const;

 private:
  void ReadCentralDirectory();
  std::span<const std::byte> CompressedBytes(const ZipMember& member) const;
  std::string MemberPath(const ZipMember& member) const { return path_ + ":" + member.name; }

  std::shared_ptr<const ByteSource> source_;
  std::span<const std::byte> bytes_;
  std::string path_;
  std::vector<ZipMember> members_;
};

}  // namespace attnviz
