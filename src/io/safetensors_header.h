// The part of the .safetensors format every reader shares: the 8-byte header length, the JSON
// header and each tensor's dtype, shape and data_offsets, checked once here (safetensors.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace attnviz {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;           // as the header names it: "F32", "I64", "BOOL", ...
  std::vector<int64_t> shape;  // extents beyond int64 are clamped to INT64_MAX
  uint64_t begin = 0;          // data_offsets, relative to the data section
  uint64_t end = 0;
};

struct SafetensorsHeader {
  nlohmann::json json;                    // the whole header, "__metadata__" included
  std::vector<SafetensorsEntry> entries;  // every tensor, in the header's (name) order
  std::span<const std::byte> data;        // the data section after the header
};

// Parses the header of the safetensors file `bytes`. Throws an input Error naming `path` for a
// file shorter than the length, a length beyond the file or 100 MB, a header that is not a JSON
// object, an entry without dtype, shape and two non-negative data_offsets, or offsets that lie
// outside the data section or overlap. Dtypes and the bytes a shape needs are the caller's.
SafetensorsHeader ParseSafetensorsHeader(std::span<const std::byte> bytes, const std::string& path);

}  // namespace attnviz
