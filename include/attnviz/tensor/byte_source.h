// Read-only bytes that arrays point into: a memory-mapped file or a buffer we own.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace attnviz {

// What a reader is about to do with a range of a ByteSource's bytes.
enum class Access {
  kSoon,  // read it shortly: start fetching it from disk now
  kNow,   // about to read all of it: map it into this process in one go
  kDone,  // finished with it: its pages may leave this process's memory
};

// Owns (or maps) a run of bytes; arrays keep a shared_ptr to it so the bytes stay valid.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::span<const std::byte> bytes() const = 0;
  // A hint about `range` (within bytes()); the bytes stay valid and unchanged whatever it is.
  // Memory maps pass it to the kernel, so a dump larger than RAM streams through.
  virtual void Advise(std::span<const std::byte> /*range*/, Access /*access*/) const {}
  // Copies `range` (within bytes()) to `out`. Memory maps read the file instead, which costs
  // less than mapping pages that are read once; either way the bytes are those of bytes().
  virtual void Copy(std::span<const std::byte> range, std::byte* out) const {
    if (!range.empty()) std::memcpy(out, range.data(), range.size());  // no null pointers to memcpy
  }
};

// Bytes held in memory: decompressed npz members, standard input, values parsed from JSON.
class OwnedBytes : public ByteSource {
 public:
  explicit OwnedBytes(std::vector<std::byte> data) : data_(std::move(data)) {}
  std::span<const std::byte> bytes() const override { return data_; }

 private:
  std::vector<std::byte> data_;
};

}  // namespace attnviz
