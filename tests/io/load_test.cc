// LoadDump on every fixture of tests/fixtures/formats and on the real dumps, checked against the
// truth numpy wrote into expected.json (scripts/make-fixtures.py).
#include "attnviz/io/load.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/analysis/summary.h"
#include "attnviz/error.h"
#include "io/mapped_file.h"
#include "io/raw_dump.h"
#include "support/real_dumps.h"

namespace attnviz {
namespace {

using Json = nlohmann::json;

const std::string kFormats = ATTNVIZ_FIXTURES_DIR "/formats/";
const std::string kReal = ATTNVIZ_SHARED_REAL_DIR "/";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const Json& Expected() {
  static const Json expected = Json::parse(ReadText(kFormats + "expected.json"));
  return expected;
}

std::vector<Axis> AxesOf(const Json& names) {
  std::vector<Axis> axes;
  for (const auto& name : names) axes.push_back(ParseAxis(name.get<std::string>()).value());
  return axes;
}

LoadOptions OptionsOf(const Json& fixture) {
  const Json& o = fixture["options"];
  LoadOptions options;
  if (o.contains("key")) options.key = o["key"].get<std::string>();
  if (o.contains("batch")) options.batch = o["batch"].get<int64_t>();
  // numpy's truth is the file as stored: padding kept (tests/io/padding_test.cc trims it).
  options.keep_padding = o.value("keep_padding", true);
  if (o.contains("axes")) options.axes = AxesOf(o["axes"]);
  if (o.contains("tokens")) options.tokens_path = kFormats + o["tokens"].get<std::string>();
  if (o.contains("query_tokens")) {
    options.query_tokens_path = kFormats + o["query_tokens"].get<std::string>();
  }
  if (o.contains("key_tokens")) {
    options.key_tokens_path = kFormats + o["key_tokens"].get<std::string>();
  }
  return options;
}

// LoadDump, or a failed check with the error when it throws.
std::optional<Dump> Load(const std::string& path, const LoadOptions& options) {
  try {
    return LoadDump(path, options);
  } catch (const std::exception& e) {
    FAIL_CHECK("LoadDump threw: " << e.what());
    return std::nullopt;
  }
}

// |actual - expected| within 1e-6 of the larger magnitude (exact when expected is 0).
bool Close(double actual, double expected) {
  return std::fabs(actual - expected) <= 1e-6 * std::max(std::fabs(actual), std::fabs(expected));
}

bool SameFloat(float actual, const Json& expected) {
  if (expected.is_string()) {
    const std::string word = expected.get<std::string>();
    if (word == "nan") return std::isnan(actual);
    return std::isinf(actual) && (actual > 0) == (word == "inf");
  }
  return actual == static_cast<float>(expected.get<double>());
}

std::optional<std::vector<std::string>> TokensOf(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<std::vector<std::string>>();
}

bool ExtentsMatch(const AttentionTensor& tensor, const Json& extents) {
  return tensor.layers() == extents["layers"].get<int64_t>() &&
         tensor.batches() == extents["batches"].get<int64_t>() &&
         tensor.heads() == extents["heads"].get<int64_t>() &&
         tensor.queries() == extents["queries"].get<int64_t>() &&
         tensor.keys() == extents["keys"].get<int64_t>();
}

void CheckShape(const Dump& dump, const Json& fixture) {
  const AttentionTensor& tensor = dump.attention;
  CHECK(tensor.shape() == fixture["shape"].get<std::vector<int64_t>>());
  CHECK(FormatAxes(tensor.axes()) == FormatAxes(AxesOf(fixture["axes"])));
  CHECK(DTypeName(tensor.dtype()) == fixture["dtype"].get<std::string>());
  const Json& extents = fixture["extents"];
  CHECK(tensor.layers() == extents["layers"].get<int64_t>());
  CHECK(tensor.batches() == extents["batches"].get<int64_t>());
  CHECK(tensor.heads() == extents["heads"].get<int64_t>());
  CHECK(tensor.queries() == extents["queries"].get<int64_t>());
  CHECK(tensor.keys() == extents["keys"].get<int64_t>());
  CHECK(tensor.batch() == fixture["options"].value("batch", int64_t{0}));
}

void CheckSamples(const Dump& dump, const Json& fixture) {
  const AttentionTensor& tensor = dump.attention;
  if (!ExtentsMatch(tensor, fixture["extents"])) {
    FAIL_CHECK("extents differ from numpy's; samples not read");
    return;
  }
  for (const Json& sample : fixture["samples"]) {
    const auto layer = sample[0].get<int64_t>(), head = sample[1].get<int64_t>();
    const auto query = sample[2].get<int64_t>(), key = sample[3].get<int64_t>();
    const std::vector<float> values = tensor.ReadHead(layer, head);
    const float actual = values[static_cast<size_t>(query * tensor.keys() + key)];
    INFO("element [layer, head, query, key] = ", sample.dump());
    CHECK_MESSAGE(SameFloat(actual, sample[4]), "read ", actual);
  }
}

void CheckSummary(const Dump& dump, const Json& fixture) {
  if (!ExtentsMatch(dump.attention, fixture["extents"])) {
    FAIL_CHECK("extents differ from numpy's; not summarised");
    return;
  }
  const TensorSummary s = Summarize(dump.attention);
  const std::pair<std::string, double> measured[] = {{"min", s.min},
                                                     {"max", s.max},
                                                     {"row_sum_min", s.row_sum_min},
                                                     {"row_sum_max", s.row_sum_max}};
  for (const auto& [field, actual] : measured) {
    const double expected = fixture[field].get<double>();
    CHECK_MESSAGE(Close(actual, expected), field, ": ", actual, " vs numpy ", expected);
  }
  CHECK(s.nan == fixture["nan"].get<int64_t>());
  CHECK(s.inf == fixture["inf"].get<int64_t>());
  CHECK(s.causal == fixture["causal"].get<bool>());
  CHECK(s.padded_keys == fixture["padded_keys"].get<int64_t>());
}

void CheckDescription(const Dump& dump, const Json& fixture) {
  CHECK(dump.query_tokens == TokensOf(fixture["query_tokens"]));
  CHECK(dump.key_tokens == TokensOf(fixture["key_tokens"]));
  CHECK(dump.metadata.model == fixture["model"].get<std::string>());
  // The model's number of the dump's first layer and head; 0 as well when the dump does not say.
  CHECK(dump.metadata.layer_offset.value_or(0) == fixture["layer_offset"].get<int64_t>());
  CHECK(dump.metadata.head_offset.value_or(0) == fixture["head_offset"].get<int64_t>());
  CHECK(FileFormatName(dump.metadata.format) == fixture["format"].get<std::string>());
  // null: the file holds one array under a name, or a layer series; either naming is fine.
  if (!fixture["array_name"].is_null()) {
    CHECK(dump.metadata.array_name == fixture["array_name"].get<std::string>());
  }
}

// Runs `check` on every fixture of `section`, loaded from `dir`, naming the fixture on failure.
template <typename Check>
void ForEachFixture(const std::string& section, const std::string& dir, Check check) {
  const Json& fixtures = Expected()[section];
  REQUIRE_FALSE(fixtures.empty());
  for (const Json& fixture : fixtures) {
    const std::string name = fixture["name"];
    INFO("fixture: ", name);
    const std::string path = dir + fixture["file"].get<std::string>();
    const std::optional<Dump> dump = Load(path, OptionsOf(fixture));
    if (dump) check(*dump, fixture);
  }
}

TEST_CASE("every format fixture loads with numpy's shape, axes, extents and dtype") {
  ForEachFixture("cases", kFormats, CheckShape);
}

TEST_CASE("every format fixture reads numpy's values at logical [layer, head, query, key]") {
  ForEachFixture("cases", kFormats, CheckSamples);
}

TEST_CASE("every format fixture summarises to numpy's range, row sums, causal and padding") {
  ForEachFixture("cases", kFormats, CheckSummary);
}

TEST_CASE("every format fixture carries its tokens, model, array name and slice offsets") {
  ForEachFixture("cases", kFormats, CheckDescription);
}

// --- Per-item tokens and attention masks: values through LoadDump, the rest from the reader ---

TEST_CASE("every item case loads with numpy's shape, values and summary") {
  ForEachFixture("item_cases", kFormats, [](const Dump& dump, const Json& fixture) {
    CheckShape(dump, fixture);
    CheckSamples(dump, fixture);
    CheckSummary(dump, fixture);
  });
}

std::optional<std::vector<std::vector<bool>>> MaskOf(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<std::vector<std::vector<bool>>>();
}

TEST_CASE("every item case hands over numpy's tokens, per-item tokens and attention mask") {
  for (const Json& fixture : Expected()["item_cases"]) {
    INFO("fixture: ", fixture["name"].get<std::string>());
    const std::string path = kFormats + fixture["file"].get<std::string>();
    const RawDump raw = ReadJsonDump(OpenInput(path), path);
    CHECK(raw.tokens == TokensOf(fixture["raw_tokens"]));
    const Json& items = fixture["item_tokens"];
    CHECK(raw.item_tokens ==
          (items.is_null() ? std::nullopt
                           : std::optional(items.get<std::vector<std::vector<std::string>>>())));
    CHECK(raw.attention_mask == MaskOf(fixture["attention_mask"]));
  }
}

TEST_CASE("the expected.json truth covers every fixture file of tests/fixtures/formats") {
  std::vector<std::string> covered;
  for (const Json& fixture : Expected()["cases"]) covered.push_back(fixture["file"]);
  for (const Json& fixture : Expected()["item_cases"]) covered.push_back(fixture["file"]);
  for (const auto& item : Expected()["tokens_files"].items()) covered.push_back(item.key());
  for (const auto& entry : std::filesystem::directory_iterator(kFormats)) {
    const std::string file = entry.path().filename().string();
    if (file == "expected.json") continue;
    CAPTURE(file);
    CHECK(std::find(covered.begin(), covered.end(), file) != covered.end());
  }
}

TEST_CASE("DetectFormat recognises every fixture from its first bytes") {
  for (const Json& fixture : Expected()["cases"]) {
    const std::string file = fixture["file"];
    CAPTURE(file);
    const std::string text = ReadText(kFormats + file).substr(0, 64);
    const auto* head = reinterpret_cast<const std::byte*>(text.data());
    const std::optional<FileFormat> format = DetectFormat({head, text.size()});
    REQUIRE(format.has_value());
    CHECK(FileFormatName(*format) == fixture["format"].get<std::string>());
  }
}

std::optional<FileFormat> Detect(std::string_view head) {
  return DetectFormat({reinterpret_cast<const std::byte*>(head.data()), head.size()});
}

TEST_CASE("DetectFormat reads the magic of each format") {
  using namespace std::string_view_literals;
  CHECK(Detect("\x93NUMPY\x01\x00"sv) == FileFormat::kNpy);
  CHECK(Detect("PK\x03\x04"sv) == FileFormat::kNpz);
  CHECK(Detect("PK\x05\x06\0\0\0\0"sv) == FileFormat::kNpz);  // an empty zip
  CHECK(Detect("\x10\0\0\0\0\0\0\0{\"a\":1}"sv) == FileFormat::kSafetensors);
  CHECK(Detect("{\"attention\": []}"sv) == FileFormat::kJson);
  CHECK(Detect("[[0.5, 0.5]]"sv) == FileFormat::kJson);
  CHECK(Detect(" \n\t\r[[1]]"sv) == FileFormat::kJson);
}

TEST_CASE("DetectFormat tells safetensors with a header length of 123 ('{') from JSON") {
  CHECK(Detect(std::string_view("\x7B\0\0\0\0\0\0\0{\"attention\"", 20)) ==
        FileFormat::kSafetensors);
}

TEST_CASE("DetectFormat recognises nothing in empty or unknown bytes") {
  CHECK_FALSE(Detect("").has_value());
  CHECK_FALSE(Detect("GIF89a").has_value());
  CHECK_FALSE(Detect("\x93NUMP").has_value());
  CHECK_FALSE(Detect("hello world").has_value());
}

TEST_CASE("FileFormatName gives the extension-like names") {
  CHECK(FileFormatName(FileFormat::kNpy) == "npy");
  CHECK(FileFormatName(FileFormat::kNpz) == "npz");
  CHECK(FileFormatName(FileFormat::kJson) == "json");
  CHECK(FileFormatName(FileFormat::kSafetensors) == "safetensors");
}

TEST_CASE("LoadDump keeps the path it was given") {
  const std::string path = kFormats + "npy_v1_f4le_c_rank2.npy";
  const std::optional<Dump> dump = Load(path, {});
  REQUIRE(dump.has_value());
  CHECK(dump->metadata.path == path);
}

// Standard input reads from `path` while it lives.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& path) : saved_(dup(STDIN_FILENO)) {
    const int fd = open(path.c_str(), O_RDONLY);
    REQUIRE_MESSAGE(fd >= 0, "cannot open ", path);
    dup2(fd, STDIN_FILENO);
    close(fd);
  }
  ~StdinFrom() {
    dup2(saved_, STDIN_FILENO);
    close(saved_);
  }
  StdinFrom(const StdinFrom&) = delete;
  StdinFrom& operator=(const StdinFrom&) = delete;

 private:
  int saved_;
};

TEST_CASE("LoadDump reads any format from standard input when the path is -") {
  for (const Json& fixture : Expected()["cases"]) {
    const std::string name = fixture["name"];
    if (name != "npy_v1_f8be_f_rank5.npy" && name != "npz_layers_named.npz" &&
        name != "st_layers.safetensors" && name != "json_cross.json") {
      continue;
    }
    INFO("fixture on standard input: ", name);
    const StdinFrom stdin_from(kFormats + fixture["file"].get<std::string>());
    const std::optional<Dump> dump = Load("-", OptionsOf(fixture));
    if (!dump) continue;
    CHECK(dump->metadata.path == "-");
    CheckShape(*dump, fixture);
    CheckSamples(*dump, fixture);
    CheckDescription(*dump, fixture);
  }
}

// --- Real dumps from ../shared/real (absent in a fresh clone: skipped) ---

TEST_CASE("real dumps load with numpy's shape, axes, extents and dtype") {
  if (testing::SkippedWithout()) return;
  ForEachFixture("real", kReal, CheckShape);
}

TEST_CASE("real dumps read numpy's values") {
  if (testing::SkippedWithout()) return;
  ForEachFixture("real", kReal, CheckSamples);
}

TEST_CASE("real dumps summarise to numpy's range, row sums, causal and padding") {
  if (testing::SkippedWithout()) return;
  ForEachFixture("real", kReal, CheckSummary);
}

TEST_CASE("real dumps carry their tokens, model and slice offsets") {
  if (testing::SkippedWithout()) return;
  ForEachFixture("real", kReal, CheckDescription);
}

// The facts ../shared/real/README.md states, checked directly.

TEST_CASE("finbert_l11h0.json is layer 11 head 0 of ProsusAI/finbert with 15 tokens") {
  if (testing::SkippedWithout()) return;
  const std::optional<Dump> dump = Load(kReal + "finbert_l11h0.json", {});
  REQUIRE(dump.has_value());
  CHECK(dump->metadata.model == "ProsusAI/finbert");
  CHECK(dump->metadata.layer_offset == 11);
  CHECK(dump->metadata.head_offset == 0);
  CHECK(dump->attention.queries() == 15);
  CHECK(dump->attention.keys() == 15);
  REQUIRE(dump->query_tokens.has_value());
  CHECK(dump->query_tokens->front() == "[CLS]");
  CHECK(dump->query_tokens->back() == "[SEP]");
}

TEST_CASE("the cropped llama head is causal and its rows are not renormalised") {
  if (testing::SkippedWithout()) return;
  const std::optional<Dump> dump = Load(kReal + "llama31_l31h0_crop.json", {});
  REQUIRE(dump.has_value());
  const TensorSummary s = Summarize(dump->attention);
  CHECK(s.causal);
  CHECK(s.row_sum_min > 0.37);
  CHECK(s.row_sum_max < 0.68);
  REQUIRE(dump->key_tokens.has_value());
  CHECK(dump->key_tokens->at(3) == "Ġremains");
}

TEST_CASE("the roberta head has 144 padded key columns, left out by default") {
  if (testing::SkippedWithout()) return;
  const std::optional<Dump> dump = Load(kReal + "roberta_coqa_512.npy", {});
  REQUIRE(dump.has_value());
  CHECK(dump->attention.shape() == std::vector<int64_t>{512, 512});
  CHECK(dump->padding.source == PaddingSource::kZeroKeys);
  CHECK(dump->attention.queries() == 512 - 144);
  CHECK(dump->attention.keys() == 512 - 144);
  CHECK(Summarize(dump->attention).padded_keys == 0);
  CHECK_FALSE(dump->query_tokens.has_value());
  LoadOptions keep;
  keep.keep_padding = true;
  const std::optional<Dump> kept = Load(kReal + "roberta_coqa_512.npy", keep);
  REQUIRE(kept.has_value());
  CHECK(Summarize(kept->attention).padded_keys == 144);
}

}  // namespace
}  // namespace attnviz
