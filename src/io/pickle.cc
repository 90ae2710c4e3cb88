// The restricted unpickler: a stack machine over the opcodes torch.save's pickles use, which builds
// plain values and refuses every global that is not a tensor, a storage type or an OrderedDict.
#include "io/pickle.h"

#include <array>
#include <bit>
#include <cstdio>
#include <unordered_map>

#include "attnviz/error.h"

namespace attnviz {

namespace {

using Kind = PickleValue::Kind;

constexpr std::array<std::string_view, 10> kStorageTypes = {
    "FloatStorage", "HalfStorage",  "BFloat16Storage", "DoubleStorage", "LongStorage",
    "IntStorage",   "ShortStorage", "CharStorage",     "ByteStorage",   "BoolStorage"};

constexpr std::string_view kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
constexpr std::string_view kRebuildTensor = "torch._utils._rebuild_tensor";
constexpr std::string_view kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr std::string_view kOrderedDict = "collections.OrderedDict";

bool IsStorageType(std::string_view global) {
  if (!global.starts_with("torch.")) return false;
  global.remove_prefix(6);
  for (std::string_view type : kStorageTypes) {
    if (global == type) return true;
  }
  return false;
}

bool IsAllowedGlobal(std::string_view global) {
  return global == kRebuildTensorV2 || global == kRebuildTensor || global == kRebuildParameter ||
         global == kOrderedDict || IsStorageType(global);
}

// Hugging Face model outputs (BaseModelOutput, CausalLMOutputWithPast, ...) are what people save
// first; they get a message that says what to save instead.
bool IsModelOutput(std::string_view global) {
  return global.starts_with("transformers.") && global.find("Output") != std::string_view::npos;
}

std::string RefusedGlobalMessage(const std::string& global) {
  if (IsModelOutput(global)) {
    return "holds a " + global +
           " (a Hugging Face model output object), which attnviz does not unpickle: save the "
           "attention alone with torch.save(outputs.attentions, path)";
  }
  if (global.starts_with("numpy.")) {
    return "refused pickle global '" + global +
           "': numpy arrays inside a .pt file are not unpickled; store torch tensors "
           "(torch.from_numpy(array)) or lists of str instead";
  }
  return "refused pickle global '" + global +
         "': a .pt file may hold only tensors, tuples, lists, dicts, strings and numbers; "
         "attnviz imports and runs nothing from a pickle (the stance of "
         "torch.load(weights_only=True))";
}

class Unpickler {
 public:
  Unpickler(std::span<const std::byte> bytes, const std::string& path)
      : bytes_(bytes), path_(path) {}

  Pickle Run() {
    while (true) {
      opcode_at_ = at_;
      const uint8_t opcode = Byte();
      if (opcode == '.') break;
      Step(opcode);
    }
    if (stack_.size() != 1 || !marks_.empty()) {
      Fail("expected one value on the stack at STOP, found " + std::to_string(stack_.size()));
    }
    pickle_.root = stack_.back();
    pickle_.end = at_;
    return std::move(pickle_);
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    ThrowInputError(path_, "pickle byte " + std::to_string(opcode_at_) + ": " + what);
  }

  // --- reading bytes ---

  std::span<const std::byte> Take(uint64_t count) {
    if (count > bytes_.size() - at_) {
      Fail("truncated pickle: expected " + std::to_string(count) + " more bytes, found " +
           std::to_string(bytes_.size() - at_));
    }
    const auto taken = bytes_.subspan(at_, count);
    at_ += count;
    return taken;
  }
  uint8_t Byte() { return static_cast<uint8_t>(Take(1)[0]); }
  uint64_t Unsigned(int size) {
    const auto taken = Take(size);
    uint64_t value = 0;
    for (int i = size - 1; i >= 0; --i) value = value << 8 | static_cast<uint8_t>(taken[i]);
    return value;
  }
  std::string Text(uint64_t size) {
    const auto taken = Take(size);
    return std::string(reinterpret_cast<const char*>(taken.data()), taken.size());
  }
  std::string Line() {
    for (size_t end = at_; end < bytes_.size(); ++end) {
      if (bytes_[end] == std::byte{'\n'}) {
        std::string line = Text(end - at_);
        ++at_;
        return line;
      }
    }
    Fail("truncated pickle: expected a line ending in \\n");
  }

  // --- values and the stack ---

  size_t Push(PickleValue value) {
    if (pickle_.values.size() >= kMaxPickleValues) {
      Fail("more than " + std::to_string(kMaxPickleValues) + " values: not an attention dump");
    }
    pickle_.values.push_back(std::move(value));
    stack_.push_back(pickle_.values.size() - 1);
    return stack_.back();
  }
  size_t PushKind(Kind kind) { return PushNumber(kind, 0); }
  size_t PushInt(int64_t number) { return PushNumber(Kind::kInt, number); }
  size_t PushNumber(Kind kind, int64_t number) {
    PickleValue value;
    value.kind = kind;
    value.number = number;
    return Push(std::move(value));
  }
  size_t PushReal(double real) {
    PickleValue value;
    value.kind = Kind::kFloat;
    value.real = real;
    return Push(std::move(value));
  }
  size_t PushText(Kind kind, std::string text) {
    PickleValue value;
    value.kind = kind;
    value.text = std::move(text);
    return Push(std::move(value));
  }
  size_t PushItems(Kind kind, std::vector<size_t> items) {
    PickleValue value;
    value.kind = kind;
    value.items = std::move(items);
    return Push(std::move(value));
  }
  size_t Pop() {
    if (stack_.size() <= StackFloor()) Fail("pop from an empty stack");
    const size_t top = stack_.back();
    stack_.pop_back();
    return top;
  }
  size_t Top() {
    if (stack_.size() <= StackFloor()) Fail("empty stack");
    return stack_.back();
  }
  size_t StackFloor() const { return marks_.empty() ? 0 : marks_.back(); }
  PickleValue& Value(size_t index) { return pickle_.values[index]; }

  // The values pushed since the last MARK, which is removed.
  std::vector<size_t> PopToMark() {
    if (marks_.empty()) Fail("expected a MARK before this opcode, found none");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<size_t> items(stack_.begin() + static_cast<ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }

  PickleValue& Expect(size_t index, Kind kind, const char* what) {
    PickleValue& value = Value(index);
    if (value.kind != kind) Fail(std::string("expected ") + what + ", found " + Describe(value));
    return value;
  }
  std::string Describe(const PickleValue& value) const { return DescribePickleValue(value); }

  // --- opcodes ---

  void Step(uint8_t opcode) {
    if (StepData(opcode) || StepContainers(opcode) || StepMemo(opcode) || StepObjects(opcode)) {
      return;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", opcode);
    Fail(std::string("opcode ") + hex + " is not one torch.save writes for tensors and data");
  }

  bool StepData(uint8_t opcode) {
    switch (opcode) {
      case 0x80:  // PROTO
        if (Byte() > 5) Fail("unknown pickle protocol");
        return true;
      case 0x95:  // FRAME: a length prefix that changes nothing for us
        Take(8);
        return true;
      case 'N':
        PushKind(Kind::kNone);
        return true;
      case 0x88:  // NEWTRUE
      case 0x89:  // NEWFALSE
        PushNumber(Kind::kBool, opcode == 0x88);
        return true;
      case 'K':  // BININT1
        PushInt(static_cast<int64_t>(Unsigned(1)));
        return true;
      case 'M':  // BININT2
        PushInt(static_cast<int64_t>(Unsigned(2)));
        return true;
      case 'J':  // BININT: signed 32-bit
        PushInt(static_cast<int32_t>(static_cast<uint32_t>(Unsigned(4))));
        return true;
      case 0x8a:  // LONG1: little-endian two's complement of n bytes
        PushInt(Long(Byte()));
        return true;
      case 'G': {  // BINFLOAT: big-endian double
        uint64_t bits = 0;
        for (std::byte b : Take(8)) bits = bits << 8 | static_cast<uint8_t>(b);
        PushReal(std::bit_cast<double>(bits));
        return true;
      }
      case 'X':  // BINUNICODE
        PushText(Kind::kString, Text(Unsigned(4)));
        return true;
      case 0x8c:  // SHORT_BINUNICODE
      case 'U':   // SHORT_BINSTRING (Python 2 str)
        PushText(Kind::kString, Text(Unsigned(1)));
        return true;
      case 'T':  // BINSTRING
        PushText(Kind::kString, Text(Unsigned(4)));
        return true;
      case 'B':  // BINBYTES
        PushText(Kind::kBytes, Text(Unsigned(4)));
        return true;
      case 'C':  // SHORT_BINBYTES
        PushText(Kind::kBytes, Text(Unsigned(1)));
        return true;
    }
    return false;
  }

  // LONG1's value when it fits in 64 bits (a legacy file's magic number does not, and is
  // recognised before unpickling).
  int64_t Long(uint8_t size) {
    if (size > 8) Fail("integer of " + std::to_string(size) + " bytes is too large");
    if (size == 0) return 0;
    const uint64_t raw = Unsigned(size);
    const int shift = 64 - 8 * size;
    return static_cast<int64_t>(raw << shift) >> shift;  // sign-extends the top byte
  }

  bool StepContainers(uint8_t opcode) {
    switch (opcode) {
      case '(':  // MARK
        marks_.push_back(stack_.size());
        return true;
      case ')':
        PushKind(Kind::kTuple);
        return true;
      case ']':
        PushKind(Kind::kList);
        return true;
      case '}':
        PushKind(Kind::kDict);
        return true;
      case 't':
        MakeSequence(Kind::kTuple, PopToMark());
        return true;
      case 'l':
        MakeSequence(Kind::kList, PopToMark());
        return true;
      case 'd':  // DICT from key, value pairs above the mark
        MakeDict(PopToMark());
        return true;
      case 0x85:  // TUPLE1, TUPLE2, TUPLE3
      case 0x86:
      case 0x87:
        MakeSequence(Kind::kTuple, PopItems(opcode - 0x84));
        return true;
      case 'a':  // APPEND
        Append(std::vector<size_t>{Pop()});
        return true;
      case 'e':  // APPENDS
        Append(PopToMark());
        return true;
      case 's':  // SETITEM
        SetItems(PopItems(2));
        return true;
      case 'u':  // SETITEMS
        SetItems(PopToMark());
        return true;
    }
    return false;
  }

  std::vector<size_t> PopItems(int count) {
    std::vector<size_t> items(count);
    for (int i = count - 1; i >= 0; --i) items[i] = Pop();
    return items;
  }
  void MakeSequence(Kind kind, std::vector<size_t> items) { PushItems(kind, std::move(items)); }
  void MakeDict(std::vector<size_t> pairs) {
    if (pairs.size() % 2 != 0) Fail("expected key, value pairs, found an odd count");
    PushItems(Kind::kDict, std::move(pairs));
  }
  void Append(const std::vector<size_t>& items) {
    PickleValue& list = Expect(Top(), Kind::kList, "a list to append to");
    list.items.insert(list.items.end(), items.begin(), items.end());
  }
  void SetItems(const std::vector<size_t>& pairs) {
    if (pairs.size() % 2 != 0) Fail("expected key, value pairs, found an odd count");
    PickleValue& dict = Expect(Top(), Kind::kDict, "a dict to set items of");
    dict.items.insert(dict.items.end(), pairs.begin(), pairs.end());
  }

  bool StepMemo(uint8_t opcode) {
    switch (opcode) {
      case 'q':  // BINPUT
        memo_[Unsigned(1)] = Top();
        return true;
      case 'r':  // LONG_BINPUT
        memo_[Unsigned(4)] = Top();
        return true;
      case 0x94:  // MEMOIZE
        memo_[memo_.size()] = Top();
        return true;
      case 'h':  // BINGET
        Recall(Unsigned(1));
        return true;
      case 'j':  // LONG_BINGET
        Recall(Unsigned(4));
        return true;
      case '0':  // POP
        Pop();
        return true;
      case '1':  // POP_MARK
        PopToMark();
        return true;
      case '2':  // DUP
        stack_.push_back(Top());
        return true;
    }
    return false;
  }
  void Recall(uint64_t slot) {
    const auto found = memo_.find(slot);
    if (found == memo_.end()) Fail("memo slot " + std::to_string(slot) + " was never stored");
    stack_.push_back(found->second);
  }

  bool StepObjects(uint8_t opcode) {
    switch (opcode) {
      case 'c': {  // GLOBAL module\nname\n
        std::string module = Line();
        PushGlobal(module + "." + Line());
        return true;
      }
      case 0x93: {  // STACK_GLOBAL
        const size_t name = Pop(), module = Pop();
        PushGlobal(Expect(module, Kind::kString, "a module name").text + "." +
                   Expect(name, Kind::kString, "a global name").text);
        return true;
      }
      case 'Q':  // BINPERSID
        PushStorage(Pop());
        return true;
      case 'R':  // REDUCE
        Reduce();
        return true;
      case 0x81:  // NEWOBJ
      case 0x92:  // NEWOBJ_EX
      case 'b':   // BUILD
      case 'i':   // INST
      case 'o':   // OBJ
        RefuseObject(opcode);
    }
    return false;
  }

  void PushGlobal(std::string global) {
    if (!IsAllowedGlobal(global)) Fail(RefusedGlobalMessage(global));
    PushText(Kind::kGlobal, std::move(global));
  }

  // NEWOBJ, BUILD, INST and OBJ make or fill objects of classes; no allowed global is one.
  [[noreturn]] void RefuseObject(uint8_t opcode) {
    const char* name = opcode == 'b'   ? "BUILD"
                       : opcode == 'i' ? "INST"
                       : opcode == 'o' ? "OBJ"
                                       : "NEWOBJ";
    Fail(std::string("refused ") + name +
         ": a .pt file may hold only tensors, tuples, lists, dicts, strings and numbers, not "
         "objects of other classes");
  }

  // ('storage', torch.FloatStorage, key, location, numel[, None]): torch's persistent id.
  void PushStorage(size_t id) {
    const PickleValue& tuple = Expect(id, Kind::kTuple, "a persistent id tuple");
    const auto& items = tuple.items;
    const bool legacy_view = items.size() == 6 && Value(items[5]).kind != Kind::kNone;
    if ((items.size() != 5 && items.size() != 6) || legacy_view ||
        Value(items[0]).kind != Kind::kString || Value(items[0]).text != "storage") {
      Fail("expected a persistent id ('storage', type, key, location, numel), found " +
           Describe(tuple) + " of " + std::to_string(items.size()) + " items");
    }
    const PickleValue& type = Expect(items[1], Kind::kGlobal, "a storage type");
    if (!IsStorageType(type.text)) Fail("expected a storage type, found " + type.text);
    PickleStorage storage{type.text.substr(6), Expect(items[2], Kind::kString, "a key").text,
                          Expect(items[4], Kind::kInt, "an element count").number};
    if (storage.numel < 0) Fail("negative storage size");
    PickleValue value;
    value.kind = Kind::kStorage;
    value.storage = std::move(storage);
    Push(std::move(value));
  }

  void Reduce() {
    const size_t arguments = Pop();
    const PickleValue& callable = Value(Pop());
    if (callable.kind != Kind::kGlobal) Fail("refused call of " + Describe(callable));
    const std::vector<size_t> args = Expect(arguments, Kind::kTuple, "an argument tuple").items;
    if (callable.text == kRebuildTensorV2 || callable.text == kRebuildTensor) {
      PickleValue value;
      value.kind = Kind::kTensor;
      value.tensor = RebuildTensor(args);
      Push(std::move(value));
    } else if (callable.text == kRebuildParameter) {
      if (args.empty()) Fail("expected the tensor of a parameter, found no arguments");
      Expect(args[0], Kind::kTensor, "the tensor of a parameter");
      stack_.push_back(args[0]);
    } else if (callable.text == kOrderedDict && args.empty()) {
      PushKind(Kind::kDict);
    } else {
      Fail("refused call of " + callable.text + " with " + std::to_string(args.size()) +
           " arguments: only tensors are rebuilt");
    }
  }

  // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
  PickleTensor RebuildTensor(const std::vector<size_t>& args) {
    if (args.size() < 4) Fail("expected a tensor's storage, offset, size and stride");
    Expect(args[0], Kind::kStorage, "a storage");
    PickleTensor tensor{args[0], Expect(args[1], Kind::kInt, "a storage offset").number,
                        Integers(args[2], "a size tuple"), Integers(args[3], "a stride tuple")};
    if (tensor.offset < 0) Fail("negative storage offset");
    if (tensor.sizes.size() != tensor.strides.size()) {
      Fail("tensor has " + std::to_string(tensor.sizes.size()) + " sizes but " +
           std::to_string(tensor.strides.size()) + " strides");
    }
    for (size_t d = 0; d < tensor.sizes.size(); ++d) {
      if (tensor.sizes[d] < 0 || tensor.strides[d] < 0) Fail("negative tensor size or stride");
    }
    return tensor;
  }

  std::vector<int64_t> Integers(size_t tuple, const char* what) {
    std::vector<int64_t> numbers;
    for (size_t item : Expect(tuple, Kind::kTuple, what).items) {
      numbers.push_back(Expect(item, Kind::kInt, "an integer").number);
    }
    return numbers;
  }

  std::span<const std::byte> bytes_;
  const std::string& path_;
  size_t at_ = 0;
  size_t opcode_at_ = 0;
  Pickle pickle_;
  std::vector<size_t> stack_;
  std::vector<size_t> marks_;  // stack sizes at each MARK
  std::unordered_map<uint64_t, size_t> memo_;
};

}  // namespace

Pickle Unpickle(std::span<const std::byte> bytes, const std::string& path) {
  return Unpickler(bytes, path).Run();
}

std::string DescribePickleValue(const PickleValue& value) {
  switch (value.kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "a bool";
    case Kind::kInt:
      return "an int";
    case Kind::kFloat:
      return "a float";
    case Kind::kString:
      return "a str";
    case Kind::kBytes:
      return "bytes";
    case Kind::kTuple:
      return "a tuple";
    case Kind::kList:
      return "a list";
    case Kind::kDict:
      return "a dict";
    case Kind::kGlobal:
      return value.text;
    case Kind::kStorage:
      return "a storage";
    case Kind::kTensor:
      return "a tensor";
  }
  return "?";
}

}  // namespace attnviz
