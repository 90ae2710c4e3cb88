// The .npy format: header parsing (never evaluated), float arrays and token arrays.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// The parsed header of an .npy file.
struct NpyHeader {
  int major_version = 1;
  std::string descr;  // e.g. "<f4", "|S5", "<U3"
  bool fortran_order = false;
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // bytes from the start of the file to the first element
};

// Parses the magic, version and header dict of `bytes`. The dict is read by a strict literal
// parser: strings, True/False, tuples of non-negative integers; anything else is refused.
NpyHeader ParseNpyHeader(std::span<const std::byte> bytes, const std::string& path);

// "int32 ('<i4')" for messages about refused dtypes.
std::string DescribeDescr(const std::string& descr);

// True when `descr` is f2, f4 or f8 in any byte order.
bool IsFloatDescr(const std::string& descr);

// A float array of rank 2 to 5 whose header and data are in `bytes` (which lives in `source`).
// Checks that the data really holds shape x itemsize bytes.
ArrayView ReadNpyArray(std::shared_ptr<const ByteSource> source, std::span<const std::byte> bytes,
                       const std::string& path);

// A 1-D array of numpy unicode ('<U', UTF-32) or bytes ('|S') strings, as UTF-8 strings.
std::vector<std::string> ReadNpyStrings(std::span<const std::byte> bytes, const std::string& path);

// A 1-D (n) or 2-D (batch, n) array of numpy strings, as one token list per row (one row for 1-D).
std::vector<std::vector<std::string>> ReadNpyStringRows(std::span<const std::byte> bytes,
                                                        const std::string& path);

// An attention mask: a 1-D (n) or 2-D (batch, n) array of bool, integers or floats, as one row of
// flags per batch item, true where the value is not 0 (a real token).
std::vector<std::vector<bool>> ReadNpyMask(std::span<const std::byte> bytes,
                                           const std::string& path);

// "(2, 3, 4)".
std::string FormatShape(std::span<const int64_t> shape);

}  // namespace attnviz
