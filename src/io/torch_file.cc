// PyTorch files: torch.save's zip archive (PyTorch >= 1.6) and its legacy stream, read through the
// restricted unpickler; tensors stay views into the mapped storages.
#include "io/torch_file.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>

#include "attnviz/error.h"
#include "attnviz/io/numeric_arrays.h"
#include "io/npy.h"
#include "io/pickle.h"
#include "io/raw_dump.h"
#include "io/zip.h"

namespace attnviz {

namespace {

using Kind = PickleValue::Kind;

// What the legacy format (torch.save(..., _use_new_zipfile_serialization=False)) starts with:
// a protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c.
constexpr std::string_view kLegacyMagic =
    "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e";

// The mask and token ids are small; a larger integer tensor is not what the dict says it is.
constexpr int64_t kMaxIntegerElements = int64_t{1} << 24;

// An element type a storage holds.
struct ElementType {
  int size = 4;
  std::optional<DType> real;  // set for float storages
  bool is_signed = true;
};

std::optional<ElementType> ElementTypeOf(const std::string& storage_type) {
  static const std::map<std::string, ElementType, std::less<>> types = {
      {"FloatStorage", {4, DType::kF32}},        {"HalfStorage", {2, DType::kF16}},
      {"BFloat16Storage", {2, DType::kBF16}},    {"DoubleStorage", {8, DType::kF64}},
      {"LongStorage", {8, std::nullopt}},        {"IntStorage", {4, std::nullopt}},
      {"ShortStorage", {2, std::nullopt}},       {"CharStorage", {1, std::nullopt}},
      {"ByteStorage", {1, std::nullopt, false}}, {"BoolStorage", {1, std::nullopt, false}}};
  const auto found = types.find(storage_type);
  if (found == types.end()) return std::nullopt;
  return found->second;
}

// The bytes of one storage and what keeps them alive.
struct StorageBytes {
  std::shared_ptr<const ByteSource> owner;
  std::span<const std::byte> bytes;
};

// Where each storage key's bytes are: the archive's data/KEY members, or a legacy file's records.
using StorageFinder = std::function<StorageBytes(const std::string& key)>;

class TorchReader {
 public:
  TorchReader(const std::string& path, Pickle pickle, StorageFinder find, ByteOrder order)
      : path_(path), pickle_(std::move(pickle)), find_(std::move(find)), order_(order) {}

  RawDump Read(const std::optional<std::string>& key) {
    const PickleValue& root = pickle_[pickle_.root];
    if (root.kind == Kind::kDict) return ReadDict(root, key);
    if (key) {
      ThrowUsageError(path_ + ": --key " + *key + " names an entry of a dict, but the file holds " +
                      DescribePickleValue(root));
    }
    RawDump dump;
    ReadAttention(root, "", dump);
    return dump;
  }

  // Every tensor entry of a top-level dict, whatever its dtype and rank, converted to doubles.
  NumericArrays Numbers() {
    const PickleValue& root = pickle_[pickle_.root];
    if (root.kind != Kind::kDict) {
      ThrowInputError(path_, "expected a dict of tensors (torch.save({\"edge_index\": ..., "
                             "\"alpha\": ...})), found " + Describe(root));
    }
    NumericArrays arrays;
    for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
      const PickleValue& key = pickle_[root.items[i]];
      const PickleValue& value = pickle_[root.items[i + 1]];
      if (key.kind != Kind::kString || value.kind != Kind::kTensor) continue;
      arrays[key.text] = Numeric(value.tensor, key.text);
    }
    return arrays;
  }

 private:
  NumericArray Numeric(const PickleTensor& tensor, const std::string& name) {
    const PickleStorage& storage = pickle_[tensor.storage].storage;
    const ElementType type = *ElementTypeOf(storage.type);
    NumericArray array{tensor.sizes, {}, !type.real, storage.type};
    const int64_t count = CheckedExtent(tensor, name).count;
    if (count > kMaxNumericElements) {
      ThrowInputError(path_, "'" + name + "' has " + std::to_string(count) +
                                 " elements, more than the " +
                                 std::to_string(kMaxNumericElements) + " a side array may have");
    }
    const std::byte* base = Data(tensor, type, name);
    array.values.reserve(static_cast<size_t>(count));
    ForEachElement(tensor, count, [&](int64_t element) {
      const std::byte* at = base + element * type.size;
      if (!type.real) {
        array.values.push_back(static_cast<double>(ReadInteger(at, type)));
        return;
      }
      float value = 0;
      ConvertToFloat(at, *type.real, order_, 1, 1, &value);
      array.values.push_back(value);
    });
    return array;
  }

  // Calls visit(storage element) for each index of the view in row-major order.
  template <typename Visit>
  static void ForEachElement(const PickleTensor& tensor, int64_t count, Visit visit) {
    std::vector<int64_t> index(tensor.sizes.size(), 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t element = 0;
      for (size_t d = 0; d < index.size(); ++d) element += index[d] * tensor.strides[d];
      visit(element);
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < tensor.sizes[d]) break;
        index[d] = 0;
      }
    }
  }

  // --- containers ---

  void ReadAttention(const PickleValue& value, const std::string& name, RawDump& dump) {
    if (value.kind == Kind::kTensor) {
      dump.arrays.push_back(FloatView(value.tensor, name.empty() ? "the tensor" : name));
      dump.array_name = name;
      return;
    }
    if ((value.kind != Kind::kTuple && value.kind != Kind::kList) || value.items.empty()) {
      ThrowInputError(path_, "expected " + (name.empty() ? "" : "'" + name + "' to be ") +
                                 "a tensor or a tuple or list of per-layer tensors "
                                 "(torch.save(outputs.attentions, path)), found " +
                                 Describe(value));
    }
    for (size_t i = 0; i < value.items.size(); ++i) {
      const std::string item_name = name + "[" + std::to_string(i) + "]";
      const PickleValue& item = pickle_[value.items[i]];
      if (item.kind != Kind::kTensor) {
        ThrowInputError(path_,
                        "expected per-layer tensors, found " + Describe(item) + " at " + item_name);
      }
      dump.arrays.push_back(FloatView(item.tensor, item_name));
    }
    dump.layer_stack = true;
    dump.array_name = name + "[0] ... " + name + "[" + std::to_string(value.items.size() - 1) + "]";
  }

  RawDump ReadDict(const PickleValue& dict, const std::optional<std::string>& key) {
    const std::string chosen = ChooseAttentionKey(dict, key);
    RawDump dump;
    ReadAttention(*Entry(dict, chosen), chosen, dump);
    if (const PickleValue* tokens = Entry(dict, "tokens")) ReadTokens(*tokens, dump);
    if (const PickleValue* query = Entry(dict, "query_tokens")) {
      dump.query_tokens = Strings(*query, "query_tokens");
    }
    if (const PickleValue* keys = Entry(dict, "key_tokens")) {
      dump.key_tokens = Strings(*keys, "key_tokens");
    }
    if (const PickleValue* mask = Entry(dict, "attention_mask")) {
      dump.attention_mask = ReadMask(*mask);
    }
    return dump;
  }

  // The value of `name`: the last one set, as in Python when a pickle sets a key twice.
  const PickleValue* Entry(const PickleValue& dict, std::string_view name) const {
    const PickleValue* found = nullptr;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      const PickleValue& key = pickle_[dict.items[i]];
      if (key.kind == Kind::kString && key.text == name) found = &pickle_[dict.items[i + 1]];
    }
    return found;
  }

  std::string ChooseAttentionKey(const PickleValue& dict, const std::optional<std::string>& key) {
    if (key) {
      if (!Entry(dict, *key)) {
        ThrowUsageError(path_ + ": --key " + *key + " names no entry of the dict; it holds " +
                        KeyList(dict));
      }
      return *key;
    }
    for (const char* name : {"attentions", "attention", "attn"}) {
      if (Entry(dict, name)) return name;
    }
    ThrowInputError(path_,
                    "expected a dict entry 'attentions', 'attention' or 'attn' (or choose "
                    "one with --key), found " +
                        KeyList(dict));
  }

  std::string KeyList(const PickleValue& dict) const {
    std::string list;
    size_t count = 0;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2, ++count) {
      if (count == 20) return list + ", ...";
      const PickleValue& key = pickle_[dict.items[i]];
      list += (list.empty() ? "" : ", ") +
              (key.kind == Kind::kString ? "'" + key.text + "'" : Describe(key));
    }
    return list.empty() ? "no entries" : "entries " + list;
  }

  std::string Describe(const PickleValue& value) const { return DescribePickleValue(value); }

  // --- tokens and mask ---

  // A list of str, or one such list per batch item.
  void ReadTokens(const PickleValue& tokens, RawDump& dump) {
    if (IsSequence(tokens) && !tokens.items.empty() && IsSequence(pickle_[tokens.items[0]])) {
      std::vector<std::vector<std::string>> items;
      for (size_t i = 0; i < tokens.items.size(); ++i) {
        items.push_back(Strings(pickle_[tokens.items[i]], "tokens[" + std::to_string(i) + "]"));
      }
      dump.item_tokens = std::move(items);
    } else {
      dump.tokens = Strings(tokens, "tokens");
    }
  }

  static bool IsSequence(const PickleValue& value) {
    return value.kind == Kind::kList || value.kind == Kind::kTuple;
  }

  std::vector<std::string> Strings(const PickleValue& list, const std::string& name) const {
    if (!IsSequence(list)) {
      ThrowInputError(path_,
                      "expected '" + name + "' to be a list of str, found " + Describe(list));
    }
    std::vector<std::string> strings;
    for (size_t index : list.items) {
      const PickleValue& item = pickle_[index];
      if (item.kind != Kind::kString) {
        ThrowInputError(path_, "expected '" + name + "' to be a list of str, found " +
                                   Describe(item) + " at index " + std::to_string(strings.size()));
      }
      strings.push_back(item.text);
    }
    return strings;
  }

  // An integer or bool tensor of shape (n) or (batch, n): true where the value is not 0.
  std::vector<std::vector<bool>> ReadMask(const PickleValue& mask) {
    if (mask.kind != Kind::kTensor ||
        (mask.tensor.sizes.size() != 1 && mask.tensor.sizes.size() != 2)) {
      ThrowInputError(path_,
                      "expected 'attention_mask' to be a tensor of shape (n) or (batch, "
                      "n), found " +
                          (mask.kind == Kind::kTensor ? "shape " + FormatShape(mask.tensor.sizes)
                                                      : Describe(mask)));
    }
    const std::vector<int64_t> values = Integers(mask.tensor, "attention_mask");
    const int64_t columns = mask.tensor.sizes.back();
    std::vector<std::vector<bool>> rows;
    for (size_t at = 0; columns > 0 && at < values.size(); at += columns) {
      rows.emplace_back();
      for (int64_t j = 0; j < columns; ++j) rows.back().push_back(values[at + j] != 0);
    }
    return rows;
  }

  // The elements of an integer or bool tensor in row-major order.
  std::vector<int64_t> Integers(const PickleTensor& tensor, const std::string& name) {
    const PickleStorage& storage = pickle_[tensor.storage].storage;
    const ElementType type = *ElementTypeOf(storage.type);
    if (type.real) {
      ThrowInputError(path_,
                      "expected '" + name + "' to hold integers or bools, found " + storage.type);
    }
    const int64_t count = CheckedExtent(tensor, name).count;
    if (count > kMaxIntegerElements) {
      ThrowInputError(path_, "'" + name + "' has " + std::to_string(count) +
                                 " elements, more than an attention mask can have");
    }
    const std::byte* base = Data(tensor, type, name);
    std::vector<int64_t> values;
    std::vector<int64_t> index(tensor.sizes.size(), 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t element = 0;
      for (size_t d = 0; d < index.size(); ++d) element += index[d] * tensor.strides[d];
      values.push_back(ReadInteger(base + element * type.size, type));
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < tensor.sizes[d]) break;
        index[d] = 0;
      }
    }
    return values;
  }

  int64_t ReadInteger(const std::byte* at, const ElementType& type) const {
    uint64_t raw = 0;
    for (int i = 0; i < type.size; ++i) {
      const int byte = order_ == ByteOrder::kLittle ? type.size - 1 - i : i;
      raw = raw << 8 | static_cast<uint8_t>(at[byte]);
    }
    if (!type.is_signed || type.size == 8) return static_cast<int64_t>(raw);
    const int shift = 64 - 8 * type.size;
    return static_cast<int64_t>(raw << shift) >> shift;
  }

  // --- tensors over storages ---

  struct Extent {
    int64_t count = 0;  // elements the view has
    int64_t last = 0;   // the storage element of its last index, when count > 0
  };

  // The view's element count and its furthest storage element, refused when they overflow.
  Extent CheckedExtent(const PickleTensor& tensor, const std::string& name) const {
    Extent extent{1, tensor.offset};
    for (size_t d = 0; d < tensor.sizes.size(); ++d) {
      int64_t reach = 0;
      if (__builtin_mul_overflow(extent.count, tensor.sizes[d], &extent.count) ||
          (tensor.sizes[d] > 0 &&
           (__builtin_mul_overflow(tensor.sizes[d] - 1, tensor.strides[d], &reach) ||
            __builtin_add_overflow(extent.last, reach, &extent.last)))) {
        ThrowInputError(
            path_, "'" + name + "': size " + FormatShape(tensor.sizes) + " and strides overflow");
      }
    }
    return extent;
  }

  // The address of the view's first element, after checking that every element it covers lies
  // within the storage's bytes.
  const std::byte* Data(const PickleTensor& tensor, const ElementType& type,
                        const std::string& name) {
    const PickleStorage& storage = pickle_[tensor.storage].storage;
    const StorageBytes& bytes = Storage(storage);
    const int64_t available = static_cast<int64_t>(bytes.bytes.size() / type.size);
    const Extent extent = CheckedExtent(tensor, name);
    if (extent.count > 0 && extent.last >= std::min(available, storage.numel)) {
      ThrowInputError(path_, "'" + name + "' of shape " + FormatShape(tensor.sizes) +
                                 " at storage offset " + std::to_string(tensor.offset) +
                                 " reaches element " + std::to_string(extent.last) +
                                 " of storage '" + storage.key + "', which has " +
                                 std::to_string(std::min(available, storage.numel)));
    }
    if (extent.count == 0) return bytes.bytes.data();
    return bytes.bytes.data() + tensor.offset * type.size;
  }

  ArrayView FloatView(const PickleTensor& tensor, const std::string& name) {
    const PickleStorage& storage = pickle_[tensor.storage].storage;
    const ElementType type = *ElementTypeOf(storage.type);
    if (!type.real) {
      ThrowInputError(path_, "expected " + name +
                                 " to hold float16, bfloat16, float32 or "
                                 "float64 attention, found a " +
                                 storage.type);
    }
    const int rank = static_cast<int>(tensor.sizes.size());
    if (rank < 2 || rank > 5) {
      ThrowInputError(path_, "expected " + name + " to have 2 to 5 dimensions, found shape " +
                                 FormatShape(tensor.sizes));
    }
    const std::byte* data = Data(tensor, type, name);
    return ArrayView{Storage(storage).owner, data,          *type.real, order_,
                     tensor.sizes,           tensor.strides};
  }

  // Each storage once, however many tensors view it.
  const StorageBytes& Storage(const PickleStorage& storage) {
    auto found = storages_.find(storage.key);
    if (found == storages_.end()) found = storages_.emplace(storage.key, find_(storage.key)).first;
    return found->second;
  }

  const std::string& path_;
  Pickle pickle_;
  StorageFinder find_;
  ByteOrder order_;
  std::map<std::string, StorageBytes> storages_;
};

// --- the zip archive ---

// Storages larger than this are mapped without the CRC pass of ZipArchive::Read, which would read
// every storage of the file before the first figure: a large .pt must open instantly. Each view is
// still checked against its storage's size; data.pkl and small storages are verified.
constexpr uint64_t kMaxVerifiedStorageBytes = uint64_t{1} << 20;

StorageBytes StorageMember(const ZipArchive& zip, const ZipMember& member,
                           const std::shared_ptr<const ByteSource>& source) {
  if (member.method == 0 && member.compressed_size == member.uncompressed_size &&
      member.uncompressed_size > kMaxVerifiedStorageBytes) {
    // ZipArchive checked that these bytes lie within the archive.
    return {source, source->bytes().subspan(member.data_offset, member.compressed_size)};
  }
  ZipArchive::Contents contents = zip.Read(member);
  return {std::move(contents.owner), contents.bytes};
}

// "NAME/" of the archive's NAME/data.pkl.
std::string ArchivePrefix(const ZipArchive& zip, const std::string& path) {
  for (const ZipMember& member : zip.members()) {
    const size_t slash = member.name.find('/');
    if (slash != std::string::npos && member.name.substr(slash + 1) == "data.pkl") {
      return member.name.substr(0, slash + 1);
    }
  }
  ThrowInputError(path, "expected a torch.save archive with a member NAME/data.pkl, found none");
}

const ZipMember* FindMember(const ZipArchive& zip, const std::string& name) {
  for (const ZipMember& member : zip.members()) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

// torch >= 2.1 writes NAME/byteorder ("little" or "big"); older archives are little-endian.
ByteOrder ArchiveByteOrder(const ZipArchive& zip, const std::string& prefix,
                           const std::string& path) {
  const ZipMember* member = FindMember(zip, prefix + "byteorder");
  if (!member) return ByteOrder::kLittle;
  const ZipArchive::Contents contents = zip.Read(*member);
  const std::string text(reinterpret_cast<const char*>(contents.bytes.data()),
                         std::min<size_t>(contents.bytes.size(), 16));
  if (text.starts_with("little")) return ByteOrder::kLittle;
  if (text.starts_with("big")) return ByteOrder::kBig;
  ThrowInputError(path + ":" + member->name, "expected 'little' or 'big'");
}

TorchReader OpenArchive(std::shared_ptr<const ByteSource> source, const std::string& path) {
  auto zip = std::make_shared<const ZipArchive>(source, path);
  const std::string prefix = ArchivePrefix(*zip, path);
  const ZipArchive::Contents pickle = zip->Read(*FindMember(*zip, prefix + "data.pkl"));
  const ByteOrder order = ArchiveByteOrder(*zip, prefix, path);
  StorageFinder find = [zip, source, prefix, &path](const std::string& storage_key) {
    const ZipMember* member = FindMember(*zip, prefix + "data/" + storage_key);
    if (!member) {
      ThrowInputError(path, "the pickle names storage '" + storage_key +
                                "', but the archive has no member " + prefix + "data/" +
                                storage_key);
    }
    return StorageMember(*zip, *member, source);
  };
  return TorchReader(path, Unpickle(pickle.bytes, path + ":" + prefix + "data.pkl"),
                     std::move(find), order);
}

// --- the legacy stream ---

using LegacyRecords = std::map<std::string, std::span<const std::byte>>;

// The element size of each storage `object` names (a record counts elements, not bytes).
std::map<std::string, int> ElementSizes(const Pickle& object) {
  std::map<std::string, int> sizes;
  for (const PickleValue& value : object.values) {
    if (value.kind == Kind::kStorage) {
      sizes[value.storage.key] = ElementTypeOf(value.storage.type)->size;
    }
  }
  return sizes;
}

// The storage records after the pickles, in the order of the key list `keys`.
LegacyRecords ReadLegacyRecords(const Pickle& keys, const std::map<std::string, int>& sizes,
                                std::span<const std::byte> rest, const std::string& path) {
  if (keys[keys.root].kind != Kind::kList) {
    ThrowInputError(path, "expected the legacy format's list of storage keys");
  }
  LegacyRecords records;
  for (size_t index : keys[keys.root].items) {
    if (keys[index].kind != Kind::kString) ThrowInputError(path, "expected a storage key");
    const std::string& key = keys[index].text;
    if (rest.size() < 8) ThrowInputError(path, "truncated legacy file: storage record missing");
    uint64_t count = 0;
    for (int i = 7; i >= 0; --i) count = count << 8 | static_cast<uint8_t>(rest[i]);
    rest = rest.subspan(8);
    const auto sized = sizes.find(key);
    const uint64_t element_size = sized == sizes.end() ? 1 : sized->second;
    if (count > rest.size() / element_size) {
      ThrowInputError(path, "truncated legacy file: storage '" + key + "' says " +
                                std::to_string(count) + " elements, " +
                                std::to_string(rest.size()) + " bytes remain");
    }
    records[key] = rest.first(count * element_size);
    rest = rest.subspan(count * element_size);
  }
  return records;
}

// After the magic number: the protocol version, system information, the object, and the list of
// storage keys, each a pickle; then each storage in that order as an 8-byte little-endian element
// count and its elements, always little-endian (torch swaps them on big-endian machines).
TorchReader OpenLegacy(std::shared_ptr<const ByteSource> source, const std::string& path) {
  std::span<const std::byte> rest = source->bytes().subspan(kLegacyMagic.size());
  const auto next = [&] {
    Pickle pickle = Unpickle(rest, path);
    rest = rest.subspan(pickle.end);
    return pickle;
  };
  const Pickle version = next();
  if (version[version.root].kind != Kind::kInt || version[version.root].number != 1001) {
    ThrowInputError(path, "expected legacy torch.save protocol version 1001");
  }
  next();  // system information: the writer's byte order, which the storages do not follow
  Pickle object = next();
  const Pickle keys = next();
  auto records =
      std::make_shared<LegacyRecords>(ReadLegacyRecords(keys, ElementSizes(object), rest, path));
  StorageFinder find = [records, source, &path](const std::string& storage_key) {
    const auto found = records->find(storage_key);
    if (found == records->end()) {
      ThrowInputError(path, "the pickle names storage '" + storage_key +
                                "', which the legacy file does not hold");
    }
    return StorageBytes{source, found->second};
  };
  return TorchReader(path, std::move(object), std::move(find), ByteOrder::kLittle);
}

}  // namespace

bool IsTorchArchive(std::span<const std::byte> head) {
  constexpr size_t kLocalHeaderSize = 30;
  if (head.size() < kLocalHeaderSize || std::memcmp(head.data(), "PK\x03\x04", 4) != 0) {
    return false;
  }
  // torch names the member after the file's stem; a longer name is no torch archive, and the
  // limit keeps the answer within the first bytes LoadDump passes to DetectFormat.
  constexpr size_t kMaxNameSize = 512;
  const size_t name_size = static_cast<uint8_t>(head[26]) | static_cast<uint8_t>(head[27]) << 8;
  if (name_size > kMaxNameSize || head.size() < kLocalHeaderSize + name_size) return false;
  const std::string_view name(reinterpret_cast<const char*>(head.data()) + kLocalHeaderSize,
                              name_size);
  const size_t slash = name.find('/');
  return slash != std::string_view::npos && name.substr(slash + 1) == "data.pkl";
}

bool IsLegacyTorchFile(std::span<const std::byte> head) {
  return head.size() >= kLegacyMagic.size() &&
         std::memcmp(head.data(), kLegacyMagic.data(), kLegacyMagic.size()) == 0;
}

RawDump ReadTorchDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                      const std::optional<std::string>& key) {
  if (IsLegacyTorchFile(source->bytes())) return OpenLegacy(std::move(source), path).Read(key);
  return OpenArchive(std::move(source), path).Read(key);
}

NumericArrays ReadTorchNumericArrays(std::shared_ptr<const ByteSource> source,
                                     const std::string& path) {
  if (IsLegacyTorchFile(source->bytes())) return OpenLegacy(std::move(source), path).Numbers();
  return OpenArchive(std::move(source), path).Numbers();
}

}  // namespace attnviz
