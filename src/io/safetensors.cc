// The .safetensors format: an 8-byte header length, a JSON header, then raw little-endian data.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "attnviz/error.h"
#include "io/array_choice.h"
#include "io/npy.h"
#include "io/raw_dump.h"
#include "io/safetensors_header.h"

namespace attnviz {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the limit the reference library enforces

std::optional<DType> FloatDType(const std::string& name) {
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  if (name == "F32") return DType::kF32;
  if (name == "F64") return DType::kF64;
  return std::nullopt;
}

// The header length the first 8 bytes state, checked against the file.
uint64_t HeaderLength(std::span<const std::byte> bytes, const std::string& path) {
  if (bytes.size() < 8) {
    ThrowInputError(path, "expected an 8-byte safetensors header length, found a " +
                              std::to_string(bytes.size()) + "-byte file");
  }
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = length << 8 | static_cast<uint8_t>(bytes[i]);
  if (length > bytes.size() - 8 || length > kMaxHeaderBytes) {
    ThrowInputError(path, "safetensors header says it is " + std::to_string(length) +
                              " bytes long, file has " + std::to_string(bytes.size() - 8) +
                              " bytes after the length");
  }
  return length;
}

nlohmann::json ParseJson(std::span<const std::byte> text_bytes, const std::string& path) {
  const auto* text = reinterpret_cast<const char*>(text_bytes.data());
  nlohmann::json header = nlohmann::json::parse(text, text + text_bytes.size(), nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    ThrowInputError(path, "expected a JSON object as the safetensors header, found invalid JSON");
  }
  return header;
}

SafetensorsEntry ParseEntry(const std::string& name, const nlohmann::json& value,
                            const std::string& path) {
  const std::string where = path + ": tensor '" + name + "'";
  if (!value.is_object() || !value.contains("dtype") || !value["dtype"].is_string() ||
      !value.contains("shape") || !value["shape"].is_array() || !value.contains("data_offsets") ||
      !value["data_offsets"].is_array() || value["data_offsets"].size() != 2) {
    throw Error(ErrorKind::kInput, where + ": expected dtype, shape and two data_offsets");
  }
  SafetensorsEntry entry{name, value["dtype"].get<std::string>(), {}, 0, 0};
  for (const auto& extent : value["shape"]) {
    if (!extent.is_number_unsigned()) {
      throw Error(ErrorKind::kInput, where + ": expected non-negative integer dimensions");
    }
    entry.shape.push_back(
        static_cast<int64_t>(std::min<uint64_t>(extent.get<uint64_t>(), INT64_MAX)));
  }
  const auto& offsets = value["data_offsets"];
  if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
    throw Error(ErrorKind::kInput, where + ": expected non-negative integer data_offsets");
  }
  entry.begin = offsets[0].get<uint64_t>();
  entry.end = offsets[1].get<uint64_t>();
  return entry;
}

// Offsets in order, inside the data section, not overlapping.
void CheckLayout(std::vector<SafetensorsEntry> entries, uint64_t data_size,
                 const std::string& path) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.begin < b.begin; });
  uint64_t previous_end = 0;
  std::string previous;
  for (const SafetensorsEntry& entry : entries) {
    if (entry.end < entry.begin || entry.end > data_size) {
      ThrowInputError(path, "tensor '" + entry.name + "' data_offsets [" +
                                std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                                "] lie outside the " + std::to_string(data_size) +
                                "-byte data section");
    }
    if (entry.begin < previous_end) {
      ThrowInputError(path, "tensors '" + previous + "' and '" + entry.name + "' overlap");
    }
    previous_end = entry.end;
    previous = entry.name;
  }
}

ArrayView MakeArray(const SafetensorsEntry& entry, std::shared_ptr<const ByteSource> source,
                    const std::byte* data_section, const std::string& path) {
  const std::string where = path + ": tensor '" + entry.name + "'";
  const std::optional<DType> dtype = FloatDType(entry.dtype);
  if (!dtype) {
    throw Error(ErrorKind::kInput,
                where + ": expected dtype F16, BF16, F32 or F64, found " + entry.dtype);
  }
  const int rank = static_cast<int>(entry.shape.size());
  if (rank < 2 || rank > 5) {
    throw Error(ErrorKind::kInput, where + ": expected rank 2 to 5, found rank " +
                                       std::to_string(rank) + " shape " + FormatShape(entry.shape));
  }
  // A zero extent does not hide the others: strides are products of them.
  uint64_t bytes = static_cast<uint64_t>(DTypeSize(*dtype));
  bool empty = false;
  for (int64_t extent : entry.shape) {
    empty = empty || extent == 0;
    if (extent != 0 && __builtin_mul_overflow(bytes, static_cast<uint64_t>(extent), &bytes)) {
      throw Error(ErrorKind::kInput,
                  where + ": shape " + FormatShape(entry.shape) + " overflows 64 bits");
    }
  }
  if (empty) bytes = 0;
  if (bytes != entry.end - entry.begin) {
    throw Error(ErrorKind::kInput, where + ": shape " + FormatShape(entry.shape) + " " +
                                       entry.dtype + " needs " + std::to_string(bytes) +
                                       " bytes, data_offsets give " +
                                       std::to_string(entry.end - entry.begin));
  }
  ArrayView array;
  array.source = std::move(source);
  array.data = data_section + entry.begin;
  array.dtype = *dtype;
  array.byte_order = ByteOrder::kLittle;
  array.shape = entry.shape;
  array.strides = RowMajorStrides(array.shape);
  return array;
}

bool IsStringList(const nlohmann::json& list) {
  return list.is_array() &&
         std::all_of(list.begin(), list.end(), [](const auto& t) { return t.is_string(); });
}

// A metadata value holding tokens: a JSON list of strings, or of such lists (one per batch item),
// either as JSON or inside a string (metadata values are strings).
nlohmann::json TokensJson(const nlohmann::json& metadata, const char* key) {
  const auto& value = metadata[key];
  return value.is_string() ? nlohmann::json::parse(value.get<std::string>(), nullptr, false)
                           : value;
}

std::vector<std::string> TokensFromMetadata(const nlohmann::json& metadata, const char* key,
                                            const std::string& path) {
  const nlohmann::json list = TokensJson(metadata, key);
  if (!IsStringList(list)) {
    ThrowInputError(path, std::string("__metadata__ '") + key + "' must be a JSON list of strings");
  }
  return list.get<std::vector<std::string>>();
}

void ReadTokensMetadata(const nlohmann::json& metadata, const std::string& path, RawDump& dump) {
  const nlohmann::json list = TokensJson(metadata, "tokens");
  const bool per_item =
      list.is_array() && !list.empty() && std::all_of(list.begin(), list.end(), IsStringList);
  if (!per_item) {
    dump.tokens = TokensFromMetadata(metadata, "tokens", path);
    return;
  }
  dump.item_tokens.emplace();
  for (const auto& item : list) dump.item_tokens->push_back(item.get<std::vector<std::string>>());
}

// Bytes per element of the dtypes an attention mask may have, or 0.
int MaskElementSize(const std::string& dtype) {
  if (dtype == "BOOL" || dtype == "U8" || dtype == "I8") return 1;
  if (dtype == "U16" || dtype == "I16" || dtype == "F16" || dtype == "BF16") return 2;
  if (dtype == "U32" || dtype == "I32" || dtype == "F32") return 4;
  if (dtype == "U64" || dtype == "I64" || dtype == "F64") return 8;
  return 0;
}

// Whether a little-endian element is not 0; a float's sign bit alone (-0.0) is 0.
bool NonZero(const std::byte* element, int size, bool is_float) {
  for (int i = 0; i < size; ++i) {
    const auto byte = static_cast<uint8_t>(element[i]);
    if ((is_float && i == size - 1 ? byte & 0x7F : byte) != 0) return true;
  }
  return false;
}

// The attention_mask tensor, shape (n) or (batch, n), as one row of flags per batch item.
std::vector<std::vector<bool>> ReadMask(const SafetensorsEntry& entry,
                                        const std::byte* data_section, const std::string& path) {
  const int size = MaskElementSize(entry.dtype);
  const auto rank = entry.shape.size();
  const int64_t rows = rank == 2 ? entry.shape[0] : 1;
  const int64_t cols = rank >= 1 ? entry.shape.back() : 0;
  if (size == 0 || rank < 1 || rank > 2 ||
      entry.end - entry.begin != static_cast<uint64_t>(rows * cols * size)) {
    ThrowInputError(path,
                    "tensor 'attention_mask': expected bool, integers or floats of shape (n) "
                    "or (batch, n), found " +
                        entry.dtype + " " + FormatShape(entry.shape));
  }
  const bool is_float = entry.dtype.starts_with('F') || entry.dtype == "BF16";
  std::vector<std::vector<bool>> mask(static_cast<size_t>(rows));
  const std::byte* element = data_section + entry.begin;
  for (auto& row : mask) {
    for (int64_t col = 0; col < cols; ++col, element += size) {
      row.push_back(NonZero(element, size, is_float));
    }
  }
  return mask;
}

void ReadMetadata(const nlohmann::json& header, const std::string& path, RawDump& dump) {
  if (!header.contains("__metadata__") || !header["__metadata__"].is_object()) return;
  const auto& metadata = header["__metadata__"];
  if (metadata.contains("model") && metadata["model"].is_string()) {
    dump.model = metadata["model"].get<std::string>();
  }
  if (metadata.contains("tokens")) ReadTokensMetadata(metadata, path, dump);
  if (metadata.contains("query_tokens")) {
    dump.query_tokens = TokensFromMetadata(metadata, "query_tokens", path);
  }
  if (metadata.contains("key_tokens")) {
    dump.key_tokens = TokensFromMetadata(metadata, "key_tokens", path);
  }
}

}  // namespace

SafetensorsHeader ParseSafetensorsHeader(std::span<const std::byte> bytes,
                                         const std::string& path) {
  const uint64_t length = HeaderLength(bytes, path);
  SafetensorsHeader header{
      ParseJson(bytes.subspan(8, length), path), {}, bytes.subspan(8 + length)};
  for (const auto& [name, value] : header.json.items()) {
    if (name != "__metadata__") header.entries.push_back(ParseEntry(name, value, path));
  }
  CheckLayout(header.entries, header.data.size(), path);
  return header;
}

RawDump ReadSafetensorsDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                            const std::optional<std::string>& key) {
  const SafetensorsHeader header = ParseSafetensorsHeader(source->bytes(), path);
  const std::byte* data_section = header.data.data();
  std::map<std::string, SafetensorsEntry> entries;
  std::vector<std::string> float_names, all_names;
  for (const SafetensorsEntry& entry : header.entries) {
    all_names.push_back(entry.name);
    if (FloatDType(entry.dtype)) float_names.push_back(entry.name);
    entries.emplace(entry.name, entry);
  }
  if (all_names.empty())
    ThrowInputError(path, "expected tensors in the safetensors file, found none");

  const ArrayChoice choice = ChooseArrays(float_names, all_names, key, path);
  RawDump dump;
  for (const std::string& name : choice.names) {
    dump.arrays.push_back(MakeArray(entries.at(name), source, data_section, path));
  }
  dump.layer_stack = choice.layer_stack;
  dump.layer_offset = choice.first_layer;
  dump.array_name = choice.layer_stack ? choice.names.front() + " ... " + choice.names.back()
                                       : choice.names.front();
  ReadMetadata(header.json, path, dump);
  if (entries.contains("attention_mask")) {
    dump.attention_mask = ReadMask(entries.at("attention_mask"), data_section, path);
  }
  return dump;
}

}  // namespace attnviz
