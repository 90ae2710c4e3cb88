// Reading every numeric array of an npz, safetensors or .pt file as doubles, whatever its dtype:
// edge lists are int64, labels any integer type, weights any float type.
#include "attnviz/io/numeric_arrays.h"

#include <cstring>
#include <optional>

#include "attnviz/error.h"
#include "attnviz/tensor/dtype.h"
#include "io/graph_input.h"
#include "io/mapped_file.h"
#include "io/npy.h"
#include "io/safetensors_header.h"
#include "io/torch_file.h"
#include "io/zip.h"

namespace attnviz {

namespace {

// How one element is stored: its kind ('b' bool, 'i' signed, 'u' unsigned, 'f' float), size in
// bytes and byte order.
struct ElementKind {
  char kind = 'f';
  int size = 4;
  ByteOrder order = ByteOrder::kLittle;
};

std::optional<ElementKind> NpyElementKind(const std::string& descr) {
  if (descr.size() < 3) return std::nullopt;
  const char order = descr[0], kind = descr[1];
  const std::string digits = descr.substr(2);
  if (digits != "1" && digits != "2" && digits != "4" && digits != "8") return std::nullopt;
  if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f') return std::nullopt;
  const int size = digits[0] - '0';
  if (kind == 'f' && size == 1) return std::nullopt;
  if (order != '<' && order != '>' && order != '|' && order != '=') return std::nullopt;
  return ElementKind{kind, size, order == '>' ? ByteOrder::kBig : ByteOrder::kLittle};
}

std::optional<ElementKind> SafetensorsElementKind(const std::string& dtype) {
  static const std::map<std::string, ElementKind> kinds = {
      {"BOOL", {'b', 1}}, {"U8", {'u', 1}},  {"I8", {'i', 1}},  {"I16", {'i', 2}},
      {"U16", {'u', 2}},  {"I32", {'i', 4}}, {"U32", {'u', 4}}, {"I64", {'i', 8}},
      {"U64", {'u', 8}},  {"F16", {'f', 2}}, {"F32", {'f', 4}}, {"F64", {'f', 8}}};
  const auto found = kinds.find(dtype);
  if (found == kinds.end()) return std::nullopt;
  return found->second;
}

double ReadElement(const std::byte* at, const ElementKind& kind) {
  if (kind.kind == 'f') {
    const DType dtype = kind.size == 2 ? DType::kF16 : kind.size == 4 ? DType::kF32 : DType::kF64;
    if (dtype == DType::kF64) {
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) {
        const int byte = kind.order == ByteOrder::kLittle ? 7 - i : i;
        bits = bits << 8 | static_cast<uint8_t>(at[byte]);
      }
      double value = 0;
      std::memcpy(&value, &bits, sizeof value);
      return value;
    }
    float value = 0;
    ConvertToFloat(at, dtype, kind.order, 1, 1, &value);
    return value;
  }
  uint64_t raw = 0;
  for (int i = 0; i < kind.size; ++i) {
    const int byte = kind.order == ByteOrder::kLittle ? kind.size - 1 - i : i;
    raw = raw << 8 | static_cast<uint8_t>(at[byte]);
  }
  if (kind.kind != 'i' || kind.size == 8) {
    return kind.kind == 'i' ? static_cast<double>(static_cast<int64_t>(raw))
                            : static_cast<double>(raw);
  }
  const int shift = 64 - 8 * kind.size;
  return static_cast<double>(static_cast<int64_t>(raw << shift) >> shift);
}

int64_t CheckedCount(const std::vector<int64_t>& shape, const std::string& where) {
  int64_t count = 1;
  for (int64_t extent : shape) {
    if (extent < 0 || __builtin_mul_overflow(count, extent, &count) ||
        count > kMaxNumericElements) {
      ThrowInputError(where, "shape " + FormatShape(shape) + " has more than " +
                                 std::to_string(kMaxNumericElements) + " elements");
    }
  }
  return count;
}

// `count` elements starting at `data` (which holds at least count * size bytes), in C or Fortran
// order, as a row-major array.
std::vector<double> ReadElements(const std::byte* data, const ElementKind& kind,
                                 const std::vector<int64_t>& shape, bool fortran_order) {
  const int64_t count = CheckedCount(shape, "");
  const std::vector<int64_t> strides =
      fortran_order ? ColumnMajorStrides(shape) : RowMajorStrides(shape);
  std::vector<double> values;
  values.reserve(static_cast<size_t>(count));
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t element = 0;
    for (size_t d = 0; d < index.size(); ++d) element += index[d] * strides[d];
    values.push_back(ReadElement(data + element * kind.size, kind));
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return values;
}

NumericArray ReadNpyMember(std::span<const std::byte> bytes, const std::string& where) {
  const NpyHeader header = ParseNpyHeader(bytes, where);
  const std::optional<ElementKind> kind = NpyElementKind(header.descr);
  if (!kind) {
    ThrowInputError(
        where, "expected numbers (bool, integers or floats), found " + DescribeDescr(header.descr));
  }
  const int64_t count = CheckedCount(header.shape, where);
  const uint64_t needed = static_cast<uint64_t>(count) * kind->size;
  if (bytes.size() < header.data_offset || bytes.size() - header.data_offset < needed) {
    ThrowInputError(where, "header says shape " + FormatShape(header.shape) + " = " +
                               std::to_string(needed) + " bytes, member has " +
                               std::to_string(bytes.size() - header.data_offset) +
                               " bytes after the header");
  }
  return {
      header.shape,
      ReadElements(bytes.data() + header.data_offset, *kind, header.shape, header.fortran_order),
      kind->kind != 'f', header.descr};
}

NumericArrays ReadNpz(std::shared_ptr<const ByteSource> source, const std::string& path) {
  const ZipArchive zip(source, path);
  NumericArrays arrays;
  for (const ZipMember& member : zip.members()) {
    if (!member.name.ends_with(".npy")) continue;
    const ZipArchive::Contents contents = zip.Read(member);
    const std::string name = member.name.substr(0, member.name.size() - 4);
    const NpyHeader header = ParseNpyHeader(contents.bytes, path + ":" + member.name);
    if (!NpyElementKind(header.descr)) continue;  // tokens and other strings
    arrays[name] = ReadNpyMember(contents.bytes, path + ":" + member.name);
  }
  return arrays;
}

NumericArray ReadSafetensorsEntry(const SafetensorsEntry& entry, std::span<const std::byte> data,
                                  const std::string& path) {
  const std::string where = path + ": tensor '" + entry.name + "'";
  const std::optional<ElementKind> kind = SafetensorsElementKind(entry.dtype);
  if (!kind) ThrowInputError(where, "expected a number dtype, found " + entry.dtype);
  const uint64_t needed = static_cast<uint64_t>(CheckedCount(entry.shape, where)) * kind->size;
  if (entry.end - entry.begin != needed) {
    ThrowInputError(where, "shape " + FormatShape(entry.shape) + " " + entry.dtype + " needs " +
                               std::to_string(needed) + " bytes, data_offsets give " +
                               std::to_string(entry.end - entry.begin));
  }
  return {entry.shape, ReadElements(data.data() + entry.begin, *kind, entry.shape, false),
          kind->kind != 'f', entry.dtype};
}

NumericArrays ReadSafetensors(const ByteSource& source, const std::string& path) {
  const SafetensorsHeader header = ParseSafetensorsHeader(source.bytes(), path);
  NumericArrays arrays;
  for (const SafetensorsEntry& entry : header.entries) {
    arrays[entry.name] = ReadSafetensorsEntry(entry, header.data, path);
  }
  return arrays;
}

bool StartsWith(std::span<const std::byte> bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() &&
         std::memcmp(bytes.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

NumericArrays ReadNumericArrays(const std::string& path) {
  return ReadNumericArraysFrom(OpenInput(path), path);
}

NumericArrays ReadNumericArraysFrom(std::shared_ptr<const ByteSource> source,
                                    const std::string& path) {
  const std::span<const std::byte> head = source->bytes();
  if (IsTorchArchive(head) || IsLegacyTorchFile(head)) {
    return ReadTorchNumericArrays(std::move(source), path);
  }
  if (StartsWith(head, "PK\x03\x04") || StartsWith(head, "PK\x05\x06")) {
    return ReadNpz(std::move(source), path);
  }
  if (head.size() >= 9 && static_cast<char>(head[8]) == '{') return ReadSafetensors(*source, path);
  ThrowInputError(path,
                  "expected an npz, safetensors or .pt (torch.save dict) file of named "
                  "arrays, found neither");
}

}  // namespace attnviz
