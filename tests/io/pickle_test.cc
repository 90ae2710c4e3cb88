// The restricted unpickler builds plain values from hand-assembled pickles (opcodes as in Python's
// pickletools) and refuses every global, call and object that torch.save's data does not need.
#include "io/pickle.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "attnviz/error.h"

namespace attnviz {
namespace {

using namespace std::string_view_literals;
using Kind = PickleValue::Kind;

Pickle Read(std::string_view bytes) { return Unpickle(std::as_bytes(std::span(bytes)), "x.pkl"); }

// The message of the input error Unpickle throws for `bytes`.
std::string Refusal(std::string_view bytes) {
  try {
    Read(bytes);
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    return error.what();
  }
  FAIL("unpickled without an error");
  return "";
}

bool Contains(const std::string& text, std::string_view words) {
  return text.find(words) != std::string::npos;
}

TEST_CASE("integers of every width, signs included") {
  // BININT1 255, BININT2 1001, BININT -2, LONG1 (2 bytes) -129, in a TUPLE.
  const Pickle p = Read("\x80\x02(K\xffM\xe9\x03J\xfe\xff\xff\xff\x8a\x02\x7f\xfft."sv);
  const PickleValue& tuple = p[p.root];
  REQUIRE(tuple.kind == Kind::kTuple);
  REQUIRE(tuple.items.size() == 4);
  CHECK(p[tuple.items[0]].number == 255);
  CHECK(p[tuple.items[1]].number == 1001);
  CHECK(p[tuple.items[2]].number == -2);
  CHECK(p[tuple.items[3]].number == -129);
}

TEST_CASE("a dict of strings to a list, with a memoised string used twice") {
  // {'a': ['b', 'b']}: 'b' stored by BINPUT 1 and recalled by BINGET 1.
  const Pickle p = Read(
      "\x80\x02}q\x00X\x01\x00\x00\x00"
      "a]q\x02(X\x01\x00\x00\x00"
      "bq\x01h\x01"
      "es."sv);
  const PickleValue& dict = p[p.root];
  REQUIRE(dict.kind == Kind::kDict);
  REQUIRE(dict.items.size() == 2);
  CHECK(p[dict.items[0]].text == "a");
  const PickleValue& list = p[dict.items[1]];
  REQUIRE(list.items.size() == 2);
  CHECK(list.items[0] == list.items[1]);
  CHECK(p[list.items[1]].text == "b");
}

TEST_CASE("a float is read big-endian, as BINFLOAT stores it") {
  const Pickle p = Read("\x80\x02G?\xe0\x00\x00\x00\x00\x00\x00."sv);
  CHECK(p[p.root].real == 0.5);
}

TEST_CASE("a list that contains itself is values, not a loop") {
  const Pickle p = Read(
      "\x80\x02]q\x00h\x00"
      "a."sv);
  CHECK(p[p.root].items == std::vector<size_t>{p.root});
}

TEST_CASE("a tensor is rebuilt from torch's persistent id and checked arguments") {
  const std::string_view pickle =
      "\x80\x02\x63torch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
      "ctorch\nHalfStorage\nX\x01\x00\x00\x00"
      "0X\x03\x00\x00\x00"
      "cpuK\x0ctQ"
      "K\x02K\x02K\x03\x86K\x03K\x01\x86\x89\x63\x63ollections\nOrderedDict\n)RtR."sv;
  const Pickle p = Read(pickle);
  const PickleValue& tensor = p[p.root];
  REQUIRE(tensor.kind == Kind::kTensor);
  CHECK(tensor.tensor.offset == 2);
  CHECK(tensor.tensor.sizes == std::vector<int64_t>{2, 3});
  CHECK(tensor.tensor.strides == std::vector<int64_t>{3, 1});
  const PickleStorage& storage = p[tensor.tensor.storage].storage;
  CHECK(storage.type == "HalfStorage");
  CHECK(storage.key == "0");
  CHECK(storage.numel == 12);
}

TEST_CASE("globals other than tensors, storages and OrderedDict are refused by name") {
  CHECK(Contains(Refusal("\x80\x02\x63os\nsystem\n."sv), "refused pickle global 'os.system'"));
  CHECK(Contains(Refusal("\x80\x02\x63posix\nsystem\n."sv), "'posix.system'"));
  // STACK_GLOBAL (protocol 4) spells the same lookup with two strings.
  CHECK(Contains(Refusal("\x80\x04X\x08\x00\x00\x00"
                         "builtinsX\x04\x00\x00\x00"
                         "eval\x93."sv),
                 "'builtins.eval'"));
  CHECK(Contains(Refusal("\x80\x02\x63torch\nload\n."sv), "'torch.load'"));
  CHECK(Contains(Refusal("\x80\x02\x63torch._utils\n_rebuild_device_tensor_from_numpy\n."sv),
                 "_rebuild_device_tensor_from_numpy"));
}

TEST_CASE("a Hugging Face model output is refused with what to save instead") {
  const std::string message =
      Refusal("\x80\x02\x63transformers.modeling_outputs\nCausalLMOutputWithPast\n)\x81."sv);
  CHECK(Contains(message, "transformers.modeling_outputs.CausalLMOutputWithPast"));
  CHECK(Contains(message, "torch.save(outputs.attentions, path)"));
}

TEST_CASE("a numpy array inside a .pt file is refused with what to store instead") {
  const std::string message = Refusal("\x80\x02\x63numpy.core.multiarray\n_reconstruct\n."sv);
  CHECK(Contains(message, "'numpy.core.multiarray._reconstruct'"));
  CHECK(Contains(message, "torch.from_numpy"));
}

TEST_CASE("calls, objects and their state are refused even of allowed globals") {
  CHECK(Contains(Refusal("\x80\x02\x63torch\nFloatStorage\n)R."sv),
                 "refused call of torch.FloatStorage"));
  CHECK(Contains(Refusal("\x80\x02\x63\x63ollections\nOrderedDict\n)\x81."sv), "refused NEWOBJ"));
  CHECK(Contains(Refusal("\x80\x02}}b."sv), "refused BUILD"));
  CHECK(Contains(Refusal("\x80\x02(X\x01\x00\x00\x00"
                         "ao."sv),
                 "refused OBJ"));
  CHECK(Contains(Refusal("\x80\x02N)R."sv), "refused call of None"));
}

TEST_CASE("a persistent id must be torch's storage tuple") {
  CHECK(Contains(Refusal("\x80\x02X\x01\x00\x00\x00xQ."sv), "expected a persistent id tuple"));
  CHECK(Contains(Refusal("\x80\x02(X\x04\x00\x00\x00"
                         "evilK\x01tQ."sv),
                 "expected a persistent id ('storage'"));
}

TEST_CASE("broken pickles are input errors with the byte offset") {
  CHECK(Contains(Refusal("\x80\x02X\xff\x00\x00\x00short"sv), "truncated pickle"));
  CHECK(Contains(Refusal("\x80\x02K"sv), "truncated pickle"));
  CHECK(Contains(Refusal("\x80\x02\xfe."sv), "pickle byte 2: opcode 0xfe"));
  CHECK(Contains(Refusal("\x80\x02h\x05."sv), "memo slot 5"));
  CHECK(Contains(Refusal("\x80\x02t."sv), "MARK"));
  CHECK(Contains(Refusal("\x80\x02"
                         "a."sv),
                 "empty stack"));
  CHECK(Contains(Refusal("\x80\x02NN."sv), "one value on the stack"));
  CHECK(Contains(Refusal("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."sv), "too large"));
  CHECK(Contains(Refusal("\x80\x02K\x01]"
                         "a."sv),
                 "found an int"));  // append to an int
}

TEST_CASE("the number of values is bounded whatever the input") {
  std::string many = "\x80\x02";
  many.append(kMaxPickleValues + 1, ')');
  many += '.';
  CHECK(Contains(Refusal(many), "more than"));
}

}  // namespace
}  // namespace attnviz
