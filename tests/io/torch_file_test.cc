// .pt files written by torch.save (tests/fixtures/torch, scripts/make-torch-fixtures.py) load with
// numpy's values; hostile pickles are refused, naming what they asked for, and run nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "io/mapped_file.h"
#include "io/raw_dump.h"

namespace attnviz {
namespace {

using Json = nlohmann::json;

const std::string kTorch = ATTNVIZ_FIXTURES_DIR "/torch/";

const Json& Expected() {
  static const Json expected = [] {
    std::ifstream in(kTorch + "expected.json", std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open expected.json");
    return Json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  }();
  return expected;
}

// The values numpy wrote are the tensor as stored: read it with its padding kept.
LoadOptions OptionsOf(const Json& expected) {
  LoadOptions options;
  options.keep_padding = true;
  if (expected.contains("key")) options.key = expected["key"].get<std::string>();
  return options;
}

// The message LoadDump (or the reader) throws for `file`, with its kind; fails when it loads.
Error Refusal(const std::string& file, const LoadOptions& options = {}) {
  try {
    LoadDump(kTorch + file, options);
  } catch (const Error& error) {
    return error;
  }
  FAIL("loaded without an error: ", file);
  return Error(ErrorKind::kOutput, "");
}

bool Says(const Error& error, const std::string& words) {
  return std::string(error.what()).find(words) != std::string::npos;
}

void CheckHeads(Dump& dump, const Json& expected) {
  AttentionTensor& tensor = dump.attention;
  for (int64_t batch = 0; batch < tensor.batches(); ++batch) {
    tensor.SelectBatch(batch);
    for (int64_t layer = 0; layer < tensor.layers(); ++layer) {
      for (int64_t head = 0; head < tensor.heads(); ++head) {
        const std::vector<float> values = tensor.ReadHead(layer, head);
        const Json& truth = expected["values"][batch][layer][head];
        REQUIRE(values.size() == truth.size());
        for (size_t i = 0; i < values.size(); ++i) {
          INFO("batch ", batch, " layer ", layer, " head ", head, " element ", i);
          CHECK(std::abs(values[i] - truth[i].get<double>()) <= 1e-6);
        }
      }
    }
  }
}

TEST_CASE("every torch.save fixture loads with numpy's extents and values") {
  for (const auto& [file, expected] : Expected()["cases"].items()) {
    INFO("fixture ", file);
    Dump dump = LoadDump(kTorch + file, OptionsOf(expected));
    const AttentionTensor& tensor = dump.attention;
    CHECK(dump.metadata.format == FileFormat::kTorch);
    CHECK(tensor.layers() == expected["layers"].get<int64_t>());
    CHECK(tensor.batches() == expected["batches"].get<int64_t>());
    CHECK(tensor.heads() == expected["heads"].get<int64_t>());
    CHECK(tensor.queries() == expected["queries"].get<int64_t>());
    CHECK(tensor.keys() == expected["keys"].get<int64_t>());
    if (expected.contains("dtype")) {
      CHECK(DTypeName(tensor.dtype()) == expected["dtype"].get<std::string>());
    }
    CheckHeads(dump, expected);
  }
}

TEST_CASE("the expected.json truth covers every .pt fixture but the refused ones") {
  for (const auto& entry : std::filesystem::directory_iterator(kTorch)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".pt") || name.starts_with("bad_") || name.starts_with("hostile_")) {
      continue;
    }
    CHECK_MESSAGE(Expected()["cases"].contains(name), name, " has no expected values");
  }
}

TEST_CASE("tuples and lists of per-layer tensors stack as layers, (batch, head, q, k) each") {
  for (const char* file : {"layers_tuple.pt", "layers_list.pt", "legacy_tuple.pt"}) {
    INFO(file);
    const Dump dump = LoadDump(kTorch + file);
    const std::vector<Axis> axes = {Axis::kLayer, Axis::kBatch, Axis::kHead, Axis::kQuery,
                                    Axis::kKey};
    CHECK(dump.attention.axes() == axes);
    CHECK(dump.metadata.array_name.find(" ... ") != std::string::npos);
  }
}

TEST_CASE("a dict's tokens are the dump's tokens") {
  const Json& expected = Expected()["cases"]["dict_tokens_mask.pt"];
  LoadOptions as_stored;
  as_stored.keep_padding = true;
  const Dump dump = LoadDump(kTorch + "dict_tokens_mask.pt", as_stored);
  const auto tokens = expected["tokens"].get<std::vector<std::string>>();
  CHECK(dump.query_tokens == tokens);
  CHECK(dump.key_tokens == tokens);
  CHECK(dump.metadata.array_name == "attentions[0] ... attentions[1]");
  CHECK(LoadDump(kTorch + "legacy_f16.pt").query_tokens == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a dict's attention_mask trims each batch item to its real tokens") {
  // dict_tokens_mask.pt: mask 1 1 1 1 0 over [CLS] the cat [SEP] [PAD].
  const Dump dump = LoadDump(kTorch + "dict_tokens_mask.pt");
  CHECK(dump.attention.queries() == 4);
  CHECK(dump.attention.keys() == 4);
  CHECK(dump.query_tokens == std::vector<std::string>{"[CLS]", "the", "cat", "[SEP]"});
  // dict_item_tokens.pt: item 0 has 4 real tokens, item 1 three (<s> c </s>, then <pad>).
  LoadOptions item1;
  item1.batch = 1;
  const Dump second = LoadDump(kTorch + "dict_item_tokens.pt", item1);
  CHECK(second.attention.queries() == 3);
  CHECK(second.key_tokens == std::vector<std::string>{"<s>", "c", "</s>"});
  CHECK(LoadDump(kTorch + "dict_item_tokens.pt").attention.keys() == 4);
}

RawDump ReadRaw(const std::string& file) {
  return ReadTorchDump(OpenInput(kTorch + file), file, std::nullopt);
}

TEST_CASE("a dict's attention_mask is decoded to flags per batch item") {
  for (const char* file : {"dict_tokens_mask.pt", "dict_item_tokens.pt"}) {
    INFO(file);
    const RawDump raw = ReadRaw(file);
    REQUIRE(raw.attention_mask.has_value());
    const auto mask = Expected()["cases"][file]["attention_mask"];
    CHECK(*raw.attention_mask == mask.get<std::vector<std::vector<bool>>>());
  }
}

TEST_CASE("a dict's list of token lists gives one token list per batch item") {
  const RawDump raw = ReadRaw("dict_item_tokens.pt");
  REQUIRE(raw.item_tokens.has_value());
  CHECK(!raw.tokens.has_value());
  const auto expected = Expected()["cases"]["dict_item_tokens.pt"]["item_tokens"];
  CHECK(*raw.item_tokens == expected.get<std::vector<std::vector<std::string>>>());
}

TEST_CASE("a stored float32 tensor is read in place from the mapped archive, not copied") {
  const Dump dump = LoadDump(kTorch + "tensor_f32.pt");
  CHECK(!dump.attention.HeadInPlace(0, 1).empty());
}

TEST_CASE("views keep the strides and offset torch saved with the whole storage") {
  const RawDump raw = ReadRaw("view_slice_offset.pt");
  REQUIRE(raw.arrays.size() == 1);
  CHECK(raw.arrays[0].shape == std::vector<int64_t>{2, 2, 4, 4});
  CHECK(raw.arrays[0].strides == std::vector<int64_t>{50, 25, 5, 1});  // of (3, 2, 5, 5)
  const RawDump transposed = ReadRaw("view_transposed.pt");
  CHECK(transposed.arrays[0].strides == std::vector<int64_t>{16, 1, 4});
}

TEST_CASE("tensors that share one storage point into the same bytes") {
  const RawDump raw = ReadRaw("shared_storage.pt");
  REQUIRE(raw.arrays.size() == 2);
  CHECK(raw.arrays[0].source == raw.arrays[1].source);
  CHECK(raw.arrays[1].data - raw.arrays[0].data == 18 * 4);  // one layer of (1, 2, 3, 3) float32
}

TEST_CASE("--key chooses a dict entry; a missing one is a usage error naming the entries") {
  LoadOptions options;
  options.key = "logits_or_not";
  const Error error = Refusal("dict_other_key.pt", options);
  CHECK(error.kind() == ErrorKind::kUsage);
  CHECK(Says(error, "'weights', 'logits'"));
  options.key = "x";
  CHECK(Refusal("tensor_f32.pt", options).kind() == ErrorKind::kUsage);
}

TEST_CASE("a dict without an attention entry is refused, naming the entries found") {
  const Error error = Refusal("bad_no_attention.pt");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "bad_no_attention.pt"));
  CHECK(Says(error, "'logits', 'hidden'"));
  CHECK(Says(error, "--key"));
}

TEST_CASE("integer attention and views past their storage are input errors") {
  const Error integers = Refusal("bad_int_attention.pt");
  CHECK(integers.kind() == ErrorKind::kInput);
  CHECK(Says(integers, "LongStorage"));
  const Error outside = Refusal("bad_view_out_of_range.pt");
  CHECK(outside.kind() == ErrorKind::kInput);
  CHECK(Says(outside, "reaches element 8 of storage '0', which has 4"));
}

TEST_CASE("a pickle calling os.system is refused by name and runs nothing") {
  const std::string side_effect = Expected()["side_effect"].get<std::string>();
  std::filesystem::remove(side_effect);
  for (const char* file : {"hostile_os_system.pt", "hostile_eval.pt"}) {
    INFO(file);
    const Error error = Refusal(file);
    CHECK(error.kind() == ErrorKind::kInput);
    CHECK(Says(error, file));
    CHECK(Says(error, std::string(file) == "hostile_eval.pt" ? "'builtins.eval'" : "'os.system'"));
    CHECK(Says(error, "weights_only=True"));
    CHECK(!std::filesystem::exists(side_effect));
  }
}

TEST_CASE("an arbitrary class and a call of a storage type are refused by name") {
  CHECK(Says(Refusal("hostile_class.pt"), "'mymodel.layers.AttentionProbe'"));
  CHECK(Says(Refusal("hostile_storage_call.pt"), "refused call of torch.FloatStorage"));
}

TEST_CASE("a Hugging Face model output is refused with the line that saves its attentions") {
  const Error error = Refusal("hostile_model_output.pt");
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Says(error, "transformers.modeling_outputs.BaseModelOutput"));
  CHECK(Says(error, "torch.save(outputs.attentions, path)"));
}

TEST_CASE("a plain pickle and an HDF5 file are named, with what to save instead") {
  const Error pickle = Refusal("plain.pkl");
  CHECK(Says(pickle, "plain.pkl: a Python pickle"));
  CHECK(Says(pickle, "torch.save"));
  const std::string hdf5 = "\x89HDF\r\n\x1a\n\0\0\0\0";
  const auto bytes = std::as_bytes(std::span(hdf5));
  try {
    LoadDumpFrom(std::make_shared<OwnedBytes>(std::vector<std::byte>(bytes.begin(), bytes.end())),
                 "attn.h5");
    FAIL("an HDF5 file loaded");
  } catch (const Error& error) {
    CHECK(Says(error, "attn.h5: an HDF5 file"));
    CHECK(Says(error, "numpy.save"));
  }
}

TEST_CASE("DetectFormat tells a torch.save archive from an npz and knows the legacy magic") {
  for (const char* file : {"tensor_f32.pt", "legacy_tuple.pt", "dict_tokens_mask.pt"}) {
    const auto source = OpenInput(kTorch + file);
    CHECK(DetectFormat(source->bytes()) == FileFormat::kTorch);
  }
  const auto npz = OpenInput(ATTNVIZ_FIXTURES_DIR "/formats/npz_layers_named.npz");
  CHECK(DetectFormat(npz->bytes()) == FileFormat::kNpz);
}

}  // namespace
}  // namespace attnviz
