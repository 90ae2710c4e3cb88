// Read-only bytes that arrays point into: a memory-mapped file or a buffer we own.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace attnviz {

// Owns (or maps) a run of bytes; arrays keep a shared_ptr to it so the bytes stay valid.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::span<const std::byte> bytes() const = 0;
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
