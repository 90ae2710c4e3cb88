// A restricted unpickler for what torch.save writes: plain data and tensors, nothing imported or
// run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace attnviz {

// What a persistent id ('storage', torch.FloatStorage, key, location, numel) names: one storage,
// a flat run of elements that the archive keeps under `key`.
struct PickleStorage {
  std::string type;  // "FloatStorage", "HalfStorage", ... (the allowed storage globals)
  std::string key;   // the archive member data/KEY, or a legacy file's storage key
  int64_t numel = 0;
};

// What torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) describes, in elements.
struct PickleTensor {
  size_t storage = 0;  // index of the kStorage value
  int64_t offset = 0;
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
};

// One value. Values live in a Pickle and refer to each other by index, so a hostile pickle that
// puts a list inside itself makes a cycle of indices, not of owners.
struct PickleValue {
  enum class Kind {
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kBytes,
    kTuple,
    kList,
    kDict,
    kGlobal,
    kStorage,
    kTensor
  };
  Kind kind = Kind::kNone;
  int64_t number = 0;         // kBool, kInt
  double real = 0;            // kFloat
  std::string text;           // kString, kBytes; kGlobal: "module.name"
  std::vector<size_t> items;  // kTuple, kList; kDict: key, value, key, value, ... in order
  PickleStorage storage;      // kStorage
  PickleTensor tensor;        // kTensor
};

struct Pickle {
  std::vector<PickleValue> values;
  size_t root = 0;  // the value STOP returned
  size_t end = 0;   // bytes read, STOP included

  const PickleValue& operator[](size_t index) const { return values[index]; }
};

// Reads the pickle at the start of `bytes` (protocol 2 as torch.save writes it; the few opcodes of
// protocols 3 to 5 that a plain data pickle can use are read too). Only these globals are allowed:
// torch._utils._rebuild_tensor_v2, _rebuild_tensor and _rebuild_parameter (called by REDUCE with
// checked arguments, giving kTensor), collections.OrderedDict (giving a kDict) and the storage
// types torch.FloatStorage ... torch.BoolStorage inside persistent ids. Any other global, or any
// call, NEWOBJ, BUILD, INST or OBJ, throws an input Error naming it and `path`; nothing is ever
// imported or evaluated, as with torch.load(weights_only=True). Bounded: at most
// kMaxPickleValues values, so memory stays proportional to the input, and no recursion.
Pickle Unpickle(std::span<const std::byte> bytes, const std::string& path);

inline constexpr size_t kMaxPickleValues = size_t{1} << 18;

// "a tuple", "a str", "a tensor": a value's kind for messages.
std::string DescribePickleValue(const PickleValue& value);

}  // namespace attnviz
