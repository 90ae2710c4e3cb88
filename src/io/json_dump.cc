// JSON dumps as people write them: attnviz's {"attention", "tokens", "layer", ...} object, Hugging
// Face's "attentions", BertViz's data and params, CircuitsVis props, TransformerLens cache hooks
// (blocks.N.attn.hook_pattern), or a bare nested list. docs/formats.md shows the Python for each.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "attnviz/error.h"
#include "attnviz/io/memory_limit.h"
#include "io/array_choice.h"
#include "io/npy.h"
#include "io/python_json.h"
#include "io/raw_dump.h"

namespace attnviz {

namespace {

using Json = nlohmann::json;

// The keys that hold the attention, in order of preference, when --key names none.
constexpr const char* kAttentionKeys[] = {"attention", "attentions", "attn"};
// TransformerLens' hook of the attention probabilities, one member per layer.
constexpr const char* kPatternHook = "hook_pattern";

std::string IndexPath(const std::string& name, const std::vector<size_t>& index) {
  std::string text = name;
  for (size_t i : index) {
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "[" + string.
    text += '[';
    text += std::to_string(i);
    text += ']';
  }
  return text;
}

std::string JsonTypeName(const Json& value) { return value.type_name(); }

// The member `key` of `object`, or nullptr when it is absent or null (Python's None).
const Json* Member(const Json& object, const std::string& key) {
  const auto found = object.find(key);
  return found == object.end() || found->is_null() ? nullptr : &*found;
}

std::string JoinKeys(const Json& object) {
  std::string text;
  for (const auto& item : object.items()) text += (text.empty() ? "'" : ", '") + item.key() + "'";
  return text.empty() ? "none" : text;
}

// --- the attention array ---

// The shape, read down the first element of each level.
std::vector<int64_t> NestedShape(const Json& attention, const std::string& name,
                                 const std::string& path) {
  std::vector<int64_t> shape;
  const Json* level = &attention;
  while (level->is_array()) {
    if (level->empty()) {
      ThrowInputError(path, "expected non-empty lists in '" + name + "', found an empty list at " +
                                IndexPath(name, std::vector<size_t>(shape.size(), 0)));
    }
    shape.push_back(static_cast<int64_t>(level->size()));
    if (shape.size() > 5) break;
    level = &level->front();
  }
  if (shape.size() < 2 || shape.size() > 5) {
    ThrowInputError(
        path, "expected '" + name + "' nested 2 to 5 lists deep, found " +
                  (shape.size() > 5 ? std::string("more than 5") : std::to_string(shape.size())));
  }
  return shape;
}

// Appends every number of the rectangular nested list `value` to `out`, in row-major order.
void Flatten(const Json& value, const std::vector<int64_t>& shape, const std::string& name,
             std::vector<size_t>& index, std::vector<double>& out, const std::string& path) {
  const size_t depth = index.size();
  if (depth == shape.size()) {
    if (!value.is_number()) {
      ThrowInputError(path, "expected a number at " + IndexPath(name, index) + ", found " +
                                JsonTypeName(value));
    }
    out.push_back(value.get<double>());
    return;
  }
  if (!value.is_array() || value.size() != static_cast<size_t>(shape[depth])) {
    ThrowInputError(
        path,
        "expected a list of " + std::to_string(shape[depth]) + " at " + IndexPath(name, index) +
            " (shape " + FormatShape(shape) + "), found " +
            (value.is_array() ? "a list of " + std::to_string(value.size()) : JsonTypeName(value)));
  }
  index.push_back(0);
  for (const Json& element : value) {
    Flatten(element, shape, name, index, out, path);
    ++index.back();
  }
  index.pop_back();
}

// The nested list `attention`, named `name` in messages, as a float64 array.
ArrayView ReadAttention(const Json& attention, const std::string& name, const std::string& path) {
  const std::vector<int64_t> shape = NestedShape(attention, name, path);
  std::vector<double> values;
  std::vector<size_t> index;
  Flatten(attention, shape, name, index, values, path);
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

// --- what the file says about the array ---

std::vector<std::string> ReadStrings(const Json& list, const std::string& name,
                                     const std::string& path) {
  if (!list.is_array()) {
    ThrowInputError(path,
                    "expected '" + name + "' to be a list of strings, found " + JsonTypeName(list));
  }
  std::vector<std::string> strings;
  for (const Json& item : list) {
    if (!item.is_string()) {
      ThrowInputError(path, "expected strings in '" + name + "', found " + JsonTypeName(item) +
                                " at index " + std::to_string(strings.size()));
    }
    strings.push_back(item.get<std::string>());
  }
  return strings;
}

// `tokens` is one list of strings, or one list per batch item.
void ReadTokenFields(const Json& object, const std::string& path, RawDump& dump) {
  if (const Json* tokens = Member(object, "tokens")) {
    if (tokens->is_array() && !tokens->empty() && tokens->front().is_array()) {
      std::vector<std::vector<std::string>> items;
      for (size_t i = 0; i < tokens->size(); ++i) {
        items.push_back(ReadStrings((*tokens)[i], IndexPath("tokens", {i}), path));
      }
      dump.item_tokens = std::move(items);
    } else {
      dump.tokens = ReadStrings(*tokens, "tokens", path);
    }
  }
  // BertViz calls the query tokens left_text and the key tokens right_text.
  for (const char* key : {"query_tokens", "left_text"}) {
    const Json* list = Member(object, key);
    if (list && !dump.query_tokens) dump.query_tokens = ReadStrings(*list, key, path);
  }
  for (const char* key : {"key_tokens", "right_text"}) {
    const Json* list = Member(object, key);
    if (list && !dump.key_tokens) dump.key_tokens = ReadStrings(*list, key, path);
  }
}

// One value of an attention mask: 1/0 (ints or floats) or true/false.
std::optional<bool> MaskFlag(const Json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number() && (value.get<double>() == 0.0 || value.get<double>() == 1.0)) {
    return value.get<double>() == 1.0;
  }
  return std::nullopt;
}

// One row of an attention mask, as Hugging Face's attention_mask.tolist() writes it.
std::vector<bool> ReadMaskRow(const Json& row, const std::string& name, const std::string& path) {
  if (!row.is_array()) {
    ThrowInputError(path, "expected " + name + " to be a list of 0/1, found " + JsonTypeName(row));
  }
  std::vector<bool> flags;
  for (const Json& value : row) {
    const std::optional<bool> flag = MaskFlag(value);
    if (!flag) {
      ThrowInputError(path, "expected 0/1 or true/false at " + IndexPath(name, {flags.size()}) +
                                ", found " +
                                (value.is_number() ? value.dump() : JsonTypeName(value)));
    }
    flags.push_back(*flag);
  }
  return flags;
}

// attention_mask: one row, or one row per batch item.
void ReadAttentionMask(const Json& object, const std::string& path, RawDump& dump) {
  const Json* mask = Member(object, "attention_mask");
  if (!mask) return;
  std::vector<std::vector<bool>> rows;
  if (mask->is_array() && !mask->empty() && mask->front().is_array()) {
    for (size_t i = 0; i < mask->size(); ++i) {
      rows.push_back(ReadMaskRow((*mask)[i], IndexPath("attention_mask", {i}), path));
    }
  } else {
    rows.push_back(ReadMaskRow(*mask, "attention_mask", path));
  }
  dump.attention_mask = std::move(rows);
}

std::vector<Axis> ReadAxes(const Json& list, const std::string& path) {
  std::vector<Axis> axes;
  for (const std::string& name : ReadStrings(list, "axes", path)) {
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
constexpr uint64_t kMaxIndex = INT32_MAX;

int64_t ReadIndex(const Json& value, const std::string& name, const std::string& path) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > kMaxIndex) {
    ThrowInputError(path, "expected '" + name + "' to be an integer from 0 to " +
                              std::to_string(kMaxIndex) + ", found " +
                              (value.is_number() ? value.dump() : "a " + JsonTypeName(value)));
  }
  return static_cast<int64_t>(value.get<uint64_t>());
}

// Every optional field of `object`; null or absent fields leave the dump as it is.
void ReadMetadata(const Json& object, const std::string& path, RawDump& dump) {
  ReadTokenFields(object, path, dump);
  ReadAttentionMask(object, path, dump);
  if (const Json* axes = Member(object, "axes")) dump.axes = ReadAxes(*axes, path);
  if (const Json* model = Member(object, "model"); model && model->is_string()) {
    dump.model = model->get<std::string>();
  }
  if (const Json* layer = Member(object, "layer"))
    dump.layer_offset = ReadIndex(*layer, "layer", path);
  if (const Json* head = Member(object, "head")) dump.head_offset = ReadIndex(*head, "head", path);
}

// --- BertViz: {"attn", "left_text", "right_text"} entries, alone or in its params ---

bool IsBertVizData(const Json& value) {
  return value.is_array() && !value.empty() && value.front().is_object();
}

std::string EntryName(const Json& entry) {
  const Json* name = Member(entry, "name");
  return name && name->is_string() ? name->get<std::string>() : "";
}

// The entry named `key`; else the only one, or "All" (the others are its blocks).
const Json& ChooseBertVizEntry(const Json& entries, const std::optional<std::string>& key,
                               const std::string& path) {
  std::string names;
  for (const Json& entry : entries) {
    if (!entry.is_object() || !entry.contains("attn")) {
      ThrowInputError(
          path, "expected BertViz entries with 'attn' in 'attention', found " +
                    (entry.is_object() ? "an object without 'attn'" : "a " + JsonTypeName(entry)));
    }
    if (key ? EntryName(entry) == *key : (entries.size() == 1 || EntryName(entry) == "All")) {
      return entry;
    }
    names += (names.empty() ? "'" : ", '") + EntryName(entry) + "'";
  }
  if (key)
    ThrowUsageError(path + ": --key " + *key + " names no BertViz attention; it has " + names);
  ThrowInputError(path,
                  "expected one BertViz attention, found " + names + " (choose one with --key)");
}

// The first of `numbers` when they count up by one (BertViz include_layers), else nullopt.
std::optional<int64_t> ConsecutiveStart(const Json* numbers) {
  if (!numbers || !numbers->is_array() || numbers->empty()) return std::nullopt;
  for (size_t i = 0; i < numbers->size(); ++i) {
    const Json& number = (*numbers)[i];
    if (!number.is_number_unsigned() || number.get<uint64_t>() > kMaxIndex ||
        number.get<uint64_t>() != numbers->front().get<uint64_t>() + i) {
      return std::nullopt;
    }
  }
  return numbers->front().get<int64_t>();
}

// BertViz's attn is (layer, head, query, key) of the layers and heads its params include.
RawDump ReadBertViz(const Json& params, const Json& entries, const std::optional<std::string>& key,
                    const std::string& path) {
  const Json& entry = ChooseBertVizEntry(entries, key, path);
  RawDump dump;
  dump.arrays.push_back(ReadAttention(entry.at("attn"), "attn", path));
  dump.array_name = EntryName(entry);
  ReadMetadata(entry, path, dump);
  // The params' "layer" and "heads" are what the view selects first, not what the data holds.
  if (params.is_object()) {
    dump.layer_offset = ConsecutiveStart(Member(params, "include_layers"));
    dump.head_offset = ConsecutiveStart(Member(params, "include_heads"));
  }
  return dump;
}

// --- TransformerLens: one member per layer, blocks.N.attn.hook_pattern ---

// N of "blocks.N.…", the layer a TransformerLens hook belongs to.
std::optional<int64_t> BlockNumber(const std::string& name) {
  constexpr std::string_view kPrefix = "blocks.";
  if (!name.starts_with(kPrefix)) return std::nullopt;
  int64_t number = 0;
  const char* first = name.data() + kPrefix.size();
  const auto [end, error] = std::from_chars(first, name.data() + name.size(), number);
  if (error != std::errc() || end == first || *end != '.' || number > int64_t{kMaxIndex}) {
    return std::nullopt;
  }
  return number;
}

// The members named "blocks.N.attn.HOOK" (or anything ending ".HOOK") that hold lists.
std::vector<std::string> HookMembers(const Json& object, const std::string& hook) {
  std::vector<std::string> names;
  for (const auto& item : object.items()) {
    const std::string& name = item.key();
    if (name.size() > hook.size() && name.ends_with("." + hook) && item.value().is_array()) {
      names.push_back(name);
    }
  }
  return names;
}

// TransformerLens' hooks hold (batch, head, query, key), or (head, query, key) from a cache run
// with remove_batch_dim=True; stacked on a new layer axis.
std::optional<std::vector<Axis>> HookAxes(size_t rank) {
  using enum Axis;
  if (rank == 4) return std::vector<Axis>{kLayer, kBatch, kHead, kQuery, kKey};
  if (rank == 3) return std::vector<Axis>{kLayer, kHead, kQuery, kKey};
  return std::nullopt;
}

RawDump ReadHooks(const Json& object, const std::vector<std::string>& names,
                  const std::string& path) {
  const ArrayChoice choice = ChooseArrays(names, names, std::nullopt, path);  // sorted by layer
  RawDump dump;
  dump.layer_stack = true;
  for (const std::string& name : choice.names) {
    dump.arrays.push_back(ReadAttention(object.at(name), name, path));
  }
  dump.array_name = choice.names.size() == 1 ? choice.names.front()
                                             : choice.names.front() + " ... " + choice.names.back();
  ReadMetadata(object, path, dump);
  if (!dump.axes) dump.axes = HookAxes(dump.arrays.front().shape.size());
  // blocks.N numbers, when they follow one another; a single hook names its layer.
  dump.layer_offset =
      choice.names.size() == 1 ? BlockNumber(choice.names.front()) : choice.first_layer;
  return dump;
}

// --- choosing the layout ---

RawDump ReadMember(const Json& object, const std::string& name, const std::string& path) {
  const Json& member = object.at(name);
  if (IsBertVizData(member)) return ReadBertViz(object, member, std::nullopt, path);
  if (BlockNumber(name)) return ReadHooks(object, {name}, path);
  RawDump dump;
  dump.arrays.push_back(ReadAttention(member, name, path));
  if (name == "attn") dump.array_name = EntryName(object);  // a BertViz entry saved alone
  ReadMetadata(object, path, dump);
  return dump;
}

// --key names a member, an entry of BertViz's params, or a TransformerLens hook.
RawDump ReadChosenKey(const Json& object, const std::string& key, const std::string& path) {
  if (Member(object, key)) {
    RawDump dump = ReadMember(object, key, path);
    if (dump.array_name.empty()) dump.array_name = key;
    return dump;
  }
  const Json* attention = Member(object, "attention");
  if (attention && IsBertVizData(*attention)) return ReadBertViz(object, *attention, key, path);
  const std::vector<std::string> hooks = HookMembers(object, key);
  if (!hooks.empty()) return ReadHooks(object, hooks, path);
  ThrowUsageError(path + ": --key " + key + " names no array; the file has " + JoinKeys(object));
}

RawDump ReadObject(const Json& object, const std::string& path,
                   const std::optional<std::string>& key) {
  if (key) return ReadChosenKey(object, *key, path);
  for (const char* name : kAttentionKeys) {
    if (Member(object, name)) return ReadMember(object, name, path);
  }
  const std::vector<std::string> hooks = HookMembers(object, kPatternHook);
  if (!hooks.empty()) return ReadHooks(object, hooks, path);
  ThrowInputError(
      path,
      "expected an object with an 'attention' key (or 'attentions', 'attn', "
      "TransformerLens' 'blocks.N.attn.hook_pattern'; --key names another), found " +
          (object.empty() ? std::string("an empty object") : "keys " + JoinKeys(object)));
}

}  // namespace

RawDump ReadJsonDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                     const std::optional<std::string>& key) {
  const auto bytes = source->bytes();
  // A parsed JSON number takes 16 bytes in the document, then 8 as a float64; text takes ~10.
  CheckMaterialize(path, bytes.size() * 3, "parsing this JSON dump");
  const Json document = ParsePythonJson(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
  if (document.is_object()) return ReadObject(document, path, key);
  if (IsBertVizData(document)) return ReadBertViz(Json(), document, key, path);
  if (!document.is_array()) {
    ThrowInputError(path, "expected an object with an 'attention' key or a nested list, found " +
                              std::string(document.type_name()));
  }
  if (key) ThrowUsageError(path + ": --key " + *key + " names no array; the file is a bare list");
  RawDump dump;
  dump.arrays.push_back(ReadAttention(document, "attention", path));
  return dump;
}

}  // namespace attnviz
