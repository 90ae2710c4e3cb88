// Padding and batches: per-item tokens, attention masks, pad tokens and zero key columns, each
// trimming the selected batch item to its real tokens; --softmax on scores. The truth is numpy's
// (expected.json, scripts/make-fixtures.py) or written down by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "io/padding.h"
#include "support/real_dumps.h"

namespace attnviz {
namespace {

using Json = nlohmann::json;

const std::string kFormats = ATTNVIZ_FIXTURES_DIR "/formats/";
const std::string kDodrio = ATTNVIZ_SHARED_REAL_DIR "/dodrio-twitter/";

const Json& Expected() {
  static const Json expected = [] {
    std::ifstream in(kFormats + "expected.json", std::ios::binary);
    return Json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  }();
  return expected;
}

// The expected.json cases that carry `field` ("padding" or "softmax_samples").
std::vector<Json> CasesWith(const char* field) {
  std::vector<Json> cases;
  for (const Json& c : Expected()["cases"]) {
    if (c.contains(field)) cases.push_back(c);
  }
  REQUIRE_FALSE(cases.empty());
  return cases;
}

LoadOptions BatchOf(const Json& fixture) {
  LoadOptions options;
  options.batch = fixture["options"].value("batch", int64_t{0});
  return options;
}

// A scratch folder of its own for each test, removed afterwards.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("attnviz_padding_" + name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string Copy(const std::string& fixture) const {
    const auto target = path_ / std::filesystem::path(fixture).filename();
    std::filesystem::copy_file(fixture, target);
    return target.string();
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

TEST_CASE("each padded fixture trims its batch item to numpy's real span, tokens and values") {
  for (const Json& fixture : CasesWith("padding")) {
    const std::string name = fixture["name"];
    INFO("fixture: ", name);
    const Json& truth = fixture["padding"];
    const Dump dump = LoadDump(kFormats + fixture["file"].get<std::string>(), BatchOf(fixture));
    const auto queries = truth["real_queries"].get<std::vector<int64_t>>();
    const auto keys = truth["real_keys"].get<std::vector<int64_t>>();
    CHECK(PaddingSourceName(dump.padding.source) == truth["source"].get<std::string>());
    CHECK(dump.padding.trimmed == (keys[1] - keys[0] < fixture["extents"]["keys"].get<int64_t>()));
    CHECK(dump.padding.query_first == queries[0]);
    CHECK(dump.padding.query_end == queries[1]);
    CHECK(dump.padding.key_first == keys[0]);
    CHECK(dump.padding.key_end == keys[1]);
    CHECK(dump.attention.queries() == queries[1] - queries[0]);
    CHECK(dump.attention.keys() == keys[1] - keys[0]);
    if (!truth["trimmed_tokens"].is_null()) {
      const auto tokens = truth["trimmed_tokens"].get<std::vector<std::string>>();
      CHECK(dump.query_tokens == tokens);
      CHECK(dump.key_tokens == tokens);
    }
    for (const Json& sample : truth["trimmed_samples"]) {
      const std::vector<float> head = dump.attention.ReadHead(sample[0], sample[1]);
      const float value =
          head[sample[2].get<size_t>() * dump.attention.keys() + sample[3].get<size_t>()];
      CHECK_MESSAGE(value == sample[4].get<float>(), "at ", sample.dump());
    }
  }
}

TEST_CASE("each padded fixture reports numpy's unpadded length of every batch item") {
  for (const Json& fixture : CasesWith("padding")) {
    INFO("fixture: ", fixture["name"].get<std::string>());
    const Dump dump = LoadDump(kFormats + fixture["file"].get<std::string>(), BatchOf(fixture));
    const auto expected = fixture["padding"]["item_lengths"].get<std::vector<int64_t>>();
    std::vector<int64_t> lengths = dump.padding.item_lengths;
    if (dump.padding.source == PaddingSource::kZeroKeys) {
      // Zero columns are read for the selected item only.
      CHECK(lengths[dump.attention.batch()] == expected[dump.attention.batch()]);
      continue;
    }
    CHECK(lengths == expected);
  }
}

TEST_CASE("--keep-padding keeps every position and still says where the real ones are") {
  LoadOptions options;
  options.batch = 1;
  options.keep_padding = true;
  const Dump dump = LoadDump(kFormats + "npz_padded_right.npz", options);
  CHECK(dump.attention.queries() == 6);
  CHECK(dump.attention.keys() == 6);
  CHECK_FALSE(dump.padding.trimmed);
  CHECK(dump.padding.source == PaddingSource::kAttentionMask);
  CHECK(dump.padding.key_end == 4);
  REQUIRE(dump.key_tokens.has_value());
  CHECK(dump.key_tokens->back() == "[PAD]");
}

TEST_CASE("the npz input_ids, attention_mask and tokens members are never the attention") {
  const Dump dump = LoadDump(kFormats + "npz_padded_right.npz");
  CHECK(dump.metadata.array_name == "attention");
  CHECK(dump.metadata.token_source == TokenSource::kEmbedded);
}

TEST_CASE("--softmax reads numpy's softmax of scores with -inf and -3.4e38 masks to 1e-6") {
  for (const Json& fixture : CasesWith("softmax_samples")) {
    INFO("fixture: ", fixture["name"].get<std::string>());
    LoadOptions options;
    options.softmax = true;
    const Dump dump = LoadDump(kFormats + fixture["file"].get<std::string>(), options);
    for (const Json& sample : fixture["softmax_samples"]) {
      const std::vector<float> head = dump.attention.ReadHead(sample[0], sample[1]);
      const float value =
          head[sample[2].get<size_t>() * dump.attention.keys() + sample[3].get<size_t>()];
      CHECK_MESSAGE(std::fabs(value - sample[4].get<double>()) <= 1e-6, "at ", sample.dump(),
                    " read ", value);
    }
  }
}

TEST_CASE("a side tokens file with one list per batch item gives the selected item its own") {
  const ScratchDir dir("side_lists");
  const std::string dump = dir.Copy(kFormats + "npz_zero_keys.npz");  // (2, 7, 7), 4 real keys
  dir.Write("npz_zero_keys.tokens.json", R"([["a","b","c","d","<pad>","<pad>","<pad>"]])");
  const Dump loaded = LoadDump(dump);
  CHECK(loaded.metadata.token_source == TokenSource::kSideFile);
  CHECK(loaded.metadata.tokens_file.ends_with("npz_zero_keys.tokens.json"));
  CHECK(loaded.key_tokens == std::vector<std::string>{"a", "b", "c", "d"});
  // --pad-token replaces the defaults: "<pad>" is then a token, and the zero columns the padding.
  LoadOptions options;
  options.pad_tokens = {"[PAD]"};
  const Dump by_zeros = LoadDump(dump, options);
  CHECK(by_zeros.padding.source == PaddingSource::kZeroKeys);
}

TEST_CASE("a tokens file with one list per item picks the list of --batch") {
  const ScratchDir dir("batch_lists");
  const std::string tokens = dir.Write(
      "lists.json",
      R"([["a","b","c","d","e","f"],["p","q","r","s","t","u"],["x","y","[PAD]","[PAD]","[PAD]","[PAD]"]])");
  LoadOptions options;
  options.tokens_path = tokens;
  options.batch = 2;
  options.no_tokens = true;  // the embedded tokens are ignored anyway: --tokens wins
  const Dump dump = LoadDump(kFormats + "npz_padded_right.npz", options);
  CHECK(dump.metadata.token_source == TokenSource::kOption);
  // The mask comes first: item 2 has 2 real tokens.
  CHECK(dump.key_tokens == std::vector<std::string>{"x", "y"});
}

TEST_CASE("a tokens file with a list per item must have one per batch item") {
  const ScratchDir dir("wrong_lists");
  LoadOptions options;
  options.tokens_path =
      dir.Write("two.json", R"([["a","b","c","d","e","f"],["a","b","c","d","e","f"]])");
  CHECK_THROWS_WITH_AS(LoadDump(kFormats + "npz_padded_right.npz", options),
                       doctest::Contains("expected one token list per batch item (3), found 2"),
                       Error);
}

TEST_CASE("--no-tokens ignores embedded tokens and a side file found beside the dump") {
  const ScratchDir dir("no_tokens");
  const std::string dump = dir.Copy(kFormats + "npz_pad_tokens.npz");
  dir.Write("npz_pad_tokens.tokens.txt", "a\nb\nc\nd\ne\n");
  LoadOptions options;
  options.no_tokens = true;
  const Dump loaded = LoadDump(dump, options);
  CHECK_FALSE(loaded.query_tokens.has_value());
  CHECK(loaded.metadata.token_source == TokenSource::kNone);
  // Without tokens the padded keys of this fixture hold weight: nothing tells them apart.
  CHECK(loaded.padding.source == PaddingSource::kNone);
  CHECK(loaded.attention.keys() == 5);
}

TEST_CASE("SpanOfTokens finds right and left padding and keeps a list of pads whole") {
  const std::vector<std::string> none;
  CHECK(SpanOfTokens({"[CLS]", "a", "[SEP]", "[PAD]", "[PAD]"}, none).end == 3);
  const RealSpan left = SpanOfTokens({"<pad>", "<|pad|>", "x", "y"}, none);
  CHECK(left.first == 2);
  CHECK(left.end == 4);
  CHECK(SpanOfTokens({"[PAD]", "[PAD]"}, none).size() == 2);
  CHECK(SpanOfTokens({"a", "<unk>", "<unk>"}, {"<unk>"}).end == 1);
  CHECK(SpanOfTokens({"a", "[PAD]", "b"}, none).size() == 3);  // an inner pad is not padding
}

// A (query, key) float32 array of `values`.
ArrayView Square(std::vector<float> values, int64_t n) {
  std::vector<std::byte> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  auto source = std::make_shared<OwnedBytes>(std::move(bytes));
  ArrayView array;
  array.data = source->bytes().data();
  array.source = std::move(source);
  array.shape = {n, n};
  array.strides = {n, 1};
  return array;
}

TEST_CASE("a causal triangle is not padding, and neither is an all-zero head") {
  const AttentionTensor causal =
      AttentionTensor::FromArray(Square({1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5}, 3), DefaultAxes(2));
  CHECK(SpanOfNonZeroKeys(causal).size() == 3);
  const AttentionTensor zero =
      AttentionTensor::FromArray(Square(std::vector<float>(9, 0.0f), 3), DefaultAxes(2));
  CHECK(SpanOfNonZeroKeys(zero).size() == 3);
  const AttentionTensor left =
      AttentionTensor::FromArray(Square({0, 0.5, 0.5, 0, 1, 0, 0, 0, 1}, 3), DefaultAxes(2));
  CHECK(SpanOfNonZeroKeys(left).first == 1);
}

TEST_CASE("an attention mask that fits neither the batch nor the axes is an input error") {
  const AttentionTensor tensor =
      AttentionTensor::FromArray(Square({1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5}, 3), DefaultAxes(2));
  const std::vector<std::vector<bool>> wide = {{true, true, true, false}};
  PaddingEvidence evidence;
  evidence.tensor = &tensor;
  evidence.attention_mask = &wide;
  evidence.path = "m.npz";
  CHECK_THROWS_WITH_AS(FindPadding(evidence),
                       doctest::Contains("m.npz: attention_mask has 4 positions, expected 3"),
                       Error);
  const std::vector<std::vector<bool>> rows = {{true, true, false}, {true, false, false}};
  evidence.attention_mask = &rows;
  CHECK_THROWS_WITH_AS(FindPadding(evidence),
                       doctest::Contains("attention_mask has 2 rows, expected 1 or one per batch"),
                       Error);
}

TEST_CASE("cross-attention loses only the axis the mask describes") {
  // 2 queries x 3 keys, the last key padded.
  std::vector<float> values = {0.5f, 0.5f, 0, 1, 0, 0};
  std::vector<std::byte> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  auto source = std::make_shared<OwnedBytes>(std::move(bytes));
  ArrayView array;
  array.data = source->bytes().data();
  array.source = source;
  array.shape = {2, 3};
  array.strides = {3, 1};
  const AttentionTensor tensor = AttentionTensor::FromArray(array, DefaultAxes(2));
  const std::vector<std::vector<bool>> mask = {{true, true, false}};
  PaddingEvidence evidence;
  evidence.tensor = &tensor;
  evidence.attention_mask = &mask;
  evidence.cross = true;
  const Padding padding = FindPadding(evidence);
  CHECK(padding.query_first == 0);
  CHECK(padding.query_end == 2);
  CHECK(padding.key_end == 2);
}

// --- The 40 dodrio-twitter dumps of ../shared/real (absent in a fresh clone: skipped) ---

TEST_CASE("the 40 dodrio-twitter dumps load trimmed to their tokens, as stats.csv counts them") {
  if (testing::SkippedWithout(kDodrio)) return;
  std::ifstream stats(kDodrio + "stats.csv");
  std::string line;
  std::getline(stats, line);  // file,n_tokens_unpadded,min,max,row_sum_min,row_sum_max
  int files = 0;
  while (std::getline(stats, line)) {
    const std::string file = line.substr(0, line.find(','));
    const int64_t real = std::stoll(line.substr(file.size() + 1));
    INFO("dump: ", file);
    const Dump dump = LoadDump(kDodrio + file);
    CHECK(dump.attention.queries() == real);
    CHECK(dump.attention.keys() == real);
    CHECK(dump.metadata.token_source == TokenSource::kSideFile);
    REQUIRE(dump.key_tokens.has_value());
    CHECK(dump.key_tokens->size() == static_cast<size_t>(real));
    CHECK(dump.key_tokens->front() == "[CLS]");
    CHECK(dump.key_tokens->back() == "[SEP]");
    ++files;
  }
  CHECK(files == 40);
}

}  // namespace
}  // namespace attnviz
