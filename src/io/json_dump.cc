// JSON dumps: {"attention": nested lists, "tokens": [...], "model", "layer", "head", "axes"} or a
// bare nested list, the shape people already commit.
#include <cstring>

#include <nlohmann/json.hpp>

#include "attnviz/error.h"
#include "attnviz/io/memory_limit.h"
#include "io/npy.h"
#include "io/raw_dump.h"

namespace attnviz {

namespace {

using Json = nlohmann::json;

std::string IndexPath(const std::vector<size_t>& index) {
  std::string text = "attention";
  for (size_t i : index) {
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "[" + string.
    text += '[';
    text += std::to_string(i);
    text += ']';
  }
  return text;
}

std::string JsonTypeName(const Json& value) { return value.type_name(); }

// The shape, read down the first element of each level.
std::vector<int64_t> NestedShape(const Json& attention, const std::string& path) {
  std::vector<int64_t> shape;
  const Json* level = &attention;
  while (level->is_array()) {
    if (level->empty()) {
      ThrowInputError(path, "expected non-empty lists in 'attention', found an empty list at " +
                                IndexPath(std::vector<size_t>(shape.size(), 0)));
    }
    shape.push_back(static_cast<int64_t>(level->size()));
    if (shape.size() > 5) break;
    level = &level->front();
  }
  if (shape.size() < 2 || shape.size() > 5) {
    ThrowInputError(
        path, "expected 'attention' nested 2 to 5 lists deep, found " +
                  (shape.size() > 5 ? std::string("more than 5") : std::to_string(shape.size())));
  }
  return shape;
}

// Appends every number of the rectangular nested list `value` to `out`, in row-major order.
void Flatten(const Json& value, const std::vector<int64_t>& shape, std::vector<size_t>& index,
             std::vector<double>& out, const std::string& path) {
  const size_t depth = index.size();
  if (depth == shape.size()) {
    if (!value.is_number()) {
      ThrowInputError(
          path, "expected a number at " + IndexPath(index) + ", found " + JsonTypeName(value));
    }
    out.push_back(value.get<double>());
    return;
  }
  if (!value.is_array() || value.size() != static_cast<size_t>(shape[depth])) {
    ThrowInputError(path, "expected a list of " + std::to_string(shape[depth]) + " at " +
                              IndexPath(index) + " (shape " + FormatShape(shape) + "), found " +
                              (value.is_array() ? "a list of " + std::to_string(value.size())
                                                : JsonTypeName(value)));
  }
  index.push_back(0);
  for (const Json& element : value) {
    Flatten(element, shape, index, out, path);
    ++index.back();
  }
  index.pop_back();
}

ArrayView ReadAttention(const Json& attention, const std::string& path) {
  const std::vector<int64_t> shape = NestedShape(attention, path);
  std::vector<double> values;
  std::vector<size_t> index;
  Flatten(attention, shape, index, values, path);
  std::vector<std::byte> bytes(values.size() * sizeof(double));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  auto owned = std::make_shared<OwnedBytes>(std::move(bytes));
  ArrayView array;
  array.data = owned->bytes().data();
  array.source = std::move(owned);
  array.dtype = DType::kF64;
  array.byte_order = NativeByteOrder();
  array.shape = shape;
  array.strides = RowMajorStrides(shape);
  return array;
}

std::vector<std::string> ReadStrings(const Json& object, const char* key, const std::string& path) {
  const Json& list = object[key];
  if (!list.is_array()) ThrowInputError(path, std::string("expected '") + key + "' to be a list");
  std::vector<std::string> strings;
  for (const Json& item : list) {
    if (!item.is_string()) {
      ThrowInputError(
          path, std::string("expected strings in '") + key + "', found " + JsonTypeName(item));
    }
    strings.push_back(item.get<std::string>());
  }
  return strings;
}

std::vector<Axis> ReadAxes(const Json& object, const std::string& path) {
  std::vector<Axis> axes;
  for (const std::string& name : ReadStrings(object, "axes", path)) {
    const std::optional<Axis> axis = ParseAxis(name);
    if (!axis) {
      ThrowInputError(
          path,
          "expected axis names layer, batch, head, query, key in 'axes', found '" + name + "'");
    }
    axes.push_back(*axis);
  }
  return axes;
}

// A layer or head index of the model; bounded so that index arithmetic in the cli cannot overflow.
int64_t ReadIndex(const Json& object, const char* key, const std::string& path) {
  constexpr uint64_t kMaxIndex = INT32_MAX;
  const Json& value = object[key];
  if (!value.is_number_unsigned() || value.get<uint64_t>() > kMaxIndex) {
    ThrowInputError(path, std::string("expected '") + key + "' to be an integer from 0 to " +
                              std::to_string(kMaxIndex) + ", found " +
                              (value.is_number() ? value.dump() : "a " + JsonTypeName(value)));
  }
  return static_cast<int64_t>(value.get<uint64_t>());
}

void ReadMetadata(const Json& object, const std::string& path, RawDump& dump) {
  if (object.contains("tokens")) dump.tokens = ReadStrings(object, "tokens", path);
  if (object.contains("query_tokens"))
    dump.query_tokens = ReadStrings(object, "query_tokens", path);
  if (object.contains("key_tokens")) dump.key_tokens = ReadStrings(object, "key_tokens", path);
  if (object.contains("axes")) dump.axes = ReadAxes(object, path);
  if (object.contains("model") && object["model"].is_string()) {
    dump.model = object["model"].get<std::string>();
  }
  if (object.contains("layer")) dump.layer_offset = ReadIndex(object, "layer", path);
  if (object.contains("head")) dump.head_offset = ReadIndex(object, "head", path);
}

}  // namespace

RawDump ReadJsonDump(std::shared_ptr<const ByteSource> source, const std::string& path) {
  const auto bytes = source->bytes();
  const auto* text = reinterpret_cast<const char*>(bytes.data());
  // A parsed JSON number takes 16 bytes in the document, then 8 as a float64; text takes ~10.
  CheckMaterialize(path, bytes.size() * 3, "parsing this JSON dump");
  Json document;
  try {
    document = Json::parse(text, text + bytes.size());
  } catch (const Json::parse_error& error) {
    ThrowInputError(path, "invalid JSON at byte " + std::to_string(error.byte) +
                              (error.byte >= bytes.size() ? " (truncated?)" : ""));
  } catch (const Json::out_of_range& error) {
    // nlohmann refuses a number beyond float64 (1e999) with out_of_range 406, not parse_error.
    const std::string what = error.what();
    const size_t number = what.find('\'');
    ThrowInputError(path,
                    "expected numbers within the range of float64, found " +
                        (number == std::string::npos ? "one beyond it" : what.substr(number)));
  }
  RawDump dump;
  if (document.is_array()) {
    dump.arrays.push_back(ReadAttention(document, path));
    return dump;
  }
  if (!document.is_object() || !document.contains("attention")) {
    ThrowInputError(path, "expected an object with an 'attention' key or a nested list, found " +
                              std::string(document.is_object() ? "an object without 'attention'"
                                                               : document.type_name()));
  }
  dump.arrays.push_back(ReadAttention(document["attention"], path));
  ReadMetadata(document, path, dump);
  return dump;
}

}  // namespace attnviz
