// JSON as Python writes it (NaN, Infinity, null) and the layouts of BertViz, CircuitsVis,
// TransformerLens and Hugging Face; the fixtures' values are checked in load_test.cc.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "attnviz/analysis/summary.h"
#include "attnviz/error.h"
#include "support/real_dumps.h"
#include "attnviz/io/load.h"
#include "io/python_json.h"
#include "io/raw_dump.h"

namespace attnviz {
namespace {

using Json = nlohmann::json;

const std::string kFormats = ATTNVIZ_FIXTURES_DIR "/formats/";
const std::string kReal = ATTNVIZ_SHARED_REAL_DIR "/";

std::shared_ptr<const ByteSource> BytesOf(std::string_view text) {
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return std::make_shared<OwnedBytes>(std::vector<std::byte>(first, first + text.size()));
}

RawDump ReadText(std::string_view text, const std::optional<std::string>& key = std::nullopt) {
  return ReadJsonDump(BytesOf(text), "t.json", key);
}

// The first value of the dump's first array (float64, as JSON is read).
double FirstValue(const RawDump& dump) {
  return *reinterpret_cast<const double*>(dump.arrays.front().data);
}

// The Error `read` throws; fails the test when it throws none.
template <typename Read>
Error Refusal(Read read) {
  try {
    read();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an Error");
  return Error(ErrorKind::kInput, "");
}

bool Contains(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

// --- Python's NaN, Infinity, -Infinity ---

TEST_CASE("NaN, Infinity and -Infinity are the numbers Python's json.dump meant") {
  const Json document = ParsePythonJson("[NaN, Infinity, -Infinity, 0.5, -1, 7]", "t.json");
  REQUIRE(document.size() == 6);
  CHECK(std::isnan(document[0].get<double>()));
  CHECK(document[1].get<double>() == HUGE_VAL);
  CHECK(document[2].get<double>() == -HUGE_VAL);
  CHECK(document[3].get<double>() == 0.5);
  CHECK(document[4].get<int64_t>() == -1);
  CHECK(document[5].get<int64_t>() == 7);
}

TEST_CASE("NaN and Infinity count after any delimiter: newlines, colons, brackets") {
  const Json document = ParsePythonJson("{\"a\":NaN,\"b\":[\n Infinity\n],\"c\":-Infinity}", "t");
  CHECK(std::isnan(document["a"].get<double>()));
  CHECK(document["b"][0].get<double>() == HUGE_VAL);
  CHECK(document["c"].get<double>() == -HUGE_VAL);
}

TEST_CASE("the words NaN and Infinity inside strings stay text, escaped quotes included") {
  const Json document =
      ParsePythonJson(R"({"NaN": ["NaN", "a \"NaN\" b", "\\", NaN, "-Infinity"], "x": 1})", "t");
  const Json& list = document["NaN"];
  CHECK(list[0] == "NaN");
  CHECK(list[1] == "a \"NaN\" b");
  CHECK(list[2] == "\\");
  CHECK(std::isnan(list[3].get<double>()));
  CHECK(list[4] == "-Infinity");
  CHECK(document["x"] == 1);
}

TEST_CASE("the numbers after a NaN keep their own values") {
  const Json document = ParsePythonJson("[[1, NaN, 2.5], [NaN, NaN, 3], [4, 5, Infinity]]", "t");
  CHECK(document[0][0] == 1);
  CHECK(document[0][2] == 2.5);
  CHECK(document[1][2] == 3);
  CHECK(document[2][0] == 4);
  CHECK(document[2][1] == 5);
  CHECK(document[2][2].get<double>() == HUGE_VAL);
}

TEST_CASE("NaN glued to other characters is invalid JSON at the byte where it starts") {
  for (const char* text : {"[1NaN]", "[NaN1]", "[xNaN]", "[NaNa]", "[-NaN]", "[nan]", "[Inf]",
                           "[--Infinity]", "[Infinity-]", "[\"a\"NaN]"}) {
    CAPTURE(text);
    const Error error = Refusal([&] { ParsePythonJson(text, "t.json"); });
    CHECK(error.kind() == ErrorKind::kInput);
    CHECK(Contains(error.what(), "t.json: invalid JSON at byte"));
  }
}

TEST_CASE("an error after a NaN names the same byte as without it") {
  const Error with_nan = Refusal([] { ParsePythonJson("[NaN, x]", "t"); });
  const Error with_number = Refusal([] { ParsePythonJson("[1.0, x]", "t"); });
  CHECK(std::string(with_nan.what()) == with_number.what());
}

TEST_CASE("numbers beyond float64 are refused, quoting them") {
  const Error error = Refusal([] { ParsePythonJson("[NaN, 1e999]", "t.json"); });
  CHECK(Contains(error.what(), "range of float64"));
  CHECK(Contains(error.what(), "'1e999'"));
}

TEST_CASE("JSON cut short says truncated") {
  const Error error = Refusal([] { ParsePythonJson("[[NaN, 0.5], [0.5", "t.json"); });
  CHECK(Contains(error.what(), "(truncated?)"));
}

TEST_CASE("deep nesting is parsed without recursion and refused as an attention") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(ParsePythonJson(deep, "t").is_array());
  const Error error = Refusal([&] { ReadText(deep); });
  CHECK(Contains(error.what(), "2 to 5 lists deep"));
}

TEST_CASE("a NaN in the attention is data, counted by the summary") {
  const Dump dump = LoadDumpFrom(BytesOf("[[NaN, 0.5], [Infinity, -Infinity]]"), "t.json");
  const TensorSummary summary = Summarize(dump.attention);
  CHECK(summary.nan == 1);
  CHECK(summary.inf == 2);
  CHECK(std::isnan(dump.attention.ReadHead(0, 0)[0]));
}

// --- null means absent ---

TEST_CASE("null optional fields are absent: no tokens, no model, no layer or head numbers") {
  const RawDump dump = ReadText(
      R"({"attention": [[1, 0], [0.5, 0.5]], "tokens": null, "query_tokens": null,
          "key_tokens": null, "left_text": null, "axes": null, "model": null, "layer": null,
          "head": null, "attention_mask": null})");
  CHECK_FALSE(dump.tokens.has_value());
  CHECK_FALSE(dump.query_tokens.has_value());
  CHECK_FALSE(dump.key_tokens.has_value());
  CHECK_FALSE(dump.axes.has_value());
  CHECK_FALSE(dump.attention_mask.has_value());
  CHECK(dump.model.empty());
  CHECK_FALSE(dump.layer_offset.has_value());
  CHECK_FALSE(dump.head_offset.has_value());
}

TEST_CASE("a null attention is absent: the next key is read") {
  CHECK(FirstValue(ReadText(R"({"attention": null, "attn": [[0.5, 0.5]]})")) == 0.5);
  const Error error = Refusal([] { ReadText(R"({"attention": null})"); });
  CHECK(Contains(error.what(), "expected an object with an 'attention' key"));
}

// --- keys ---

TEST_CASE("attention, attentions and attn are read, in that order of preference") {
  CHECK(FirstValue(ReadText(R"({"attentions": [[0.25, 0.75]]})")) == 0.25);
  CHECK(FirstValue(ReadText(R"({"attn": [[0.5, 0.5]]})")) == 0.5);
  CHECK(FirstValue(ReadText(R"({"attn": [[0.5, 0.5]], "attention": [[1, 0]]})")) == 1.0);
}

TEST_CASE("--key chooses any member of a JSON object") {
  const RawDump dump = ReadText(R"({"attention": [[1, 0]], "mine": [[0.125, 0.875]]})", "mine");
  CHECK(FirstValue(dump) == 0.125);
  CHECK(dump.array_name == "mine");
}

TEST_CASE("--key naming no member is a usage error listing the members") {
  const Error error = Refusal([] { ReadText(R"({"attention": [[1]], "tokens": ["a"]})", "nope"); });
  CHECK(error.kind() == ErrorKind::kUsage);
  CHECK(Contains(error.what(), "nope"));
  CHECK(Contains(error.what(), "'attention', 'tokens'"));
}

TEST_CASE("--key on a bare nested list is a usage error") {
  CHECK(Refusal([] { ReadText("[[1]]", "attention"); }).kind() == ErrorKind::kUsage);
}

TEST_CASE("an object without attention lists the keys it has") {
  const Error error = Refusal([] { ReadText(R"({"weights": [[1]], "tokens": ["a"]})"); });
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Contains(error.what(), "expected an object with an 'attention' key"));
  CHECK(Contains(error.what(), "'tokens', 'weights'"));
}

// --- tokens and masks inside the JSON ---

TEST_CASE("a list of token lists gives one list per batch item") {
  const RawDump dump = ReadText(R"({"attention": [[1]], "tokens": [["a", "b"], ["c"]]})");
  CHECK_FALSE(dump.tokens.has_value());
  REQUIRE(dump.item_tokens.has_value());
  CHECK(*dump.item_tokens == std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}});
}

TEST_CASE("a token list holding a number is refused, naming where") {
  const Error error =
      Refusal([] { ReadText(R"({"attention": [[1]], "tokens": [["a"], ["b", 2]]})"); });
  CHECK(Contains(error.what(), "tokens[1]"));
  CHECK(Contains(error.what(), "number at index 1"));
}

TEST_CASE("BertViz's left_text and right_text are the query and key tokens") {
  const RawDump dump =
      ReadText(R"({"attn": [[[[0.5, 0.5]]]], "left_text": ["q"], "right_text": ["k1", "k2"]})");
  CHECK(dump.query_tokens == std::vector<std::string>{"q"});
  CHECK(dump.key_tokens == std::vector<std::string>{"k1", "k2"});
}

TEST_CASE("attention_mask of 0/1, 0.0/1.0 or booleans becomes flags, one row per item") {
  using Rows = std::vector<std::vector<bool>>;
  CHECK(ReadText(R"({"attention": [[1]], "attention_mask": [1, 1, 0]})").attention_mask ==
        Rows{{true, true, false}});
  CHECK(ReadText(R"({"attention": [[1]], "attention_mask": [true, false]})").attention_mask ==
        Rows{{true, false}});
  CHECK(
      ReadText(R"({"attention": [[1]], "attention_mask": [[1.0, 0.0], [1, 1]]})").attention_mask ==
      Rows{{true, false}, {true, true}});
}

TEST_CASE("an attention_mask value other than 0 or 1 is refused, naming it and where") {
  const Error error =
      Refusal([] { ReadText(R"({"attention": [[1]], "attention_mask": [[1, 1], [1, 2]]})"); });
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Contains(error.what(), "attention_mask[1][1]"));
  CHECK(Contains(error.what(), "found 2"));
}

// --- BertViz, TransformerLens ---

TEST_CASE("BertViz params with several attentions and no --key ask for --key, naming them") {
  LoadOptions options;
  const Error error = Refusal([&] { LoadDump(kFormats + "json_bertviz_head_view.json", options); });
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(Contains(error.what(), "'Encoder', 'Decoder', 'Cross'"));
  CHECK(Contains(error.what(), "--key"));
}

TEST_CASE("--key naming no BertViz attention is a usage error listing them") {
  LoadOptions options;
  options.key = "Encoder-Decoder";
  const Error error = Refusal([&] { LoadDump(kFormats + "json_bertviz_head_view.json", options); });
  CHECK(error.kind() == ErrorKind::kUsage);
  CHECK(Contains(error.what(), "'Cross'"));
}

TEST_CASE("BertViz params number layers by include_layers, not by the view's selected layer") {
  LoadOptions options;
  options.key = "Cross";
  const Dump dump = LoadDump(kFormats + "json_bertviz_head_view.json", options);
  CHECK(dump.metadata.layer_offset == 4);  // include_layers [4, 5]; its "layer": 1 is a selection
}

TEST_CASE("BertViz include_layers that skip a layer give no offset") {
  const RawDump dump = ReadText(
      R"({"attention": [{"name": null, "attn": [[[[1]]]], "left_text": ["a"], "right_text": ["a"]}],
          "include_layers": [3, 5], "include_heads": [7]})");
  CHECK_FALSE(dump.layer_offset.has_value());
  CHECK(dump.head_offset == 7);
}

TEST_CASE("a TransformerLens hook names its layer") {
  const RawDump dump = ReadText(R"({"blocks.7.attn.hook_pattern": [[[1]]]})");
  CHECK(dump.layer_stack);
  CHECK(dump.layer_offset == 7);
  CHECK(dump.array_name == "blocks.7.attn.hook_pattern");
}

TEST_CASE("TransformerLens hooks that skip a layer state no layer numbers") {
  const RawDump dump =
      ReadText(R"({"blocks.2.attn.hook_pattern": [[[1]]], "blocks.4.attn.hook_pattern": [[[1]]]})");
  CHECK(dump.arrays.size() == 2);
  CHECK_FALSE(dump.layer_offset.has_value());
}

// --- The real dumps in ../shared/real (absent in a fresh clone: skipped, saying so) ---

TEST_CASE("llama32_1b_l0.json, CircuitsVis props with \"layer\": null, loads as 32 heads") {
  if (testing::SkippedWithout()) return;
  const Dump dump = LoadDump(kReal + "llama32_1b_l0.json");
  CHECK(dump.attention.layers() == 1);
  CHECK(dump.attention.heads() == 32);
  CHECK(dump.attention.queries() == 32);
  CHECK(dump.attention.keys() == 32);
  CHECK_FALSE(dump.metadata.layer_offset.has_value());
  CHECK(dump.metadata.model.starts_with("meta-llama/Llama-3.2-1B"));
  REQUIRE(dump.query_tokens.has_value());
  CHECK(dump.query_tokens->front() == "<|begin_of_text|>");
  CHECK(dump.query_tokens->at(1) == "Natural");
  // np.float32(np.array(json.load(f)["attention"])[head, query, key]), written down.
  CHECK(dump.attention.ReadHead(0, 5)[10 * 32 + 3] == 0.0004875659942626953f);
  CHECK(dump.attention.ReadHead(0, 17)[20 * 32 + 20] == 0.0916748046875f);
  CHECK(dump.attention.ReadHead(0, 31)[31 * 32 + 0] == 0.8369140625f);
  const TensorSummary summary = Summarize(dump.attention);
  CHECK(summary.causal);
  CHECK(summary.nan == 0);
  CHECK(summary.row_sum_min == doctest::Approx(0.9997091293334961).epsilon(1e-6));
  CHECK(summary.row_sum_max == doctest::Approx(1.0002877116203308).epsilon(1e-6));
}

TEST_CASE("finbert_l11h0.json loads as layer 11 head 0") {
  if (testing::SkippedWithout()) return;
  const Dump dump = LoadDump(kReal + "finbert_l11h0.json");
  CHECK(dump.metadata.layer_offset == 11);
  CHECK(dump.metadata.head_offset == 0);
  CHECK(dump.attention.queries() == 15);
}

}  // namespace
}  // namespace attnviz
