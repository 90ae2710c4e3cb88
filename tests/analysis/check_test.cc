// RunChecks: each rule on small hand-built tensors with hand-derived values, then the rules file
// and baseline parsers.
#include "attnviz/analysis/check.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "attnviz/error.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::MakeTensor;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Only `rule` runs.
CheckRules Only(std::string_view rule) {
  CheckRules rules;
  for (CheckRule* r : {&rules.finite, &rules.row_sum, &rules.collapse, &rules.uniform,
                       &rules.padding, &rules.sink, &rules.redundant}) {
    r->enabled = false;
  }
  if (rule == kCheckFinite) rules.finite.enabled = true;
  if (rule == kCheckRowSum) rules.row_sum.enabled = true;
  if (rule == kCheckCollapse) rules.collapse.enabled = true;
  if (rule == kCheckUniform) rules.uniform.enabled = true;
  if (rule == kCheckPadding) rules.padding.enabled = true;
  if (rule == kCheckSink) rules.sink.enabled = true;
  if (rule == kCheckRedundant) rules.redundant.enabled = true;
  return rules;
}

std::vector<CheckResult> Check(const AttentionTensor& tensor, const CheckRules& rules,
                               std::optional<std::vector<std::string>> tokens = std::nullopt) {
  CheckInput input;
  input.tensor = &tensor;
  input.query_tokens = tokens;
  input.key_tokens = tokens;
  input.stats.threads = 1;
  return RunChecks(input, rules);
}

// The smoothed JS of two opposite one-hot rows of two keys: P' = (0.9995, 0.0005), Q' reversed,
// M = (0.5, 0.5); JS = 1/2 * 2 * [0.9995 ln(0.9995 / 0.5) + 0.0005 ln(0.0005 / 0.5)].
const double kOppositeJs = 0.9995 * std::log(1.999) + 0.0005 * std::log(0.001);

// --- finite ---

TEST_CASE("finite fails a head holding NaN or an infinity and counts both") {
  const AttentionTensor t = MakeTensor({2, 2, 2}, {kNaN, 0.5f, kInf, 0.5f, 1, 0, 0, 1});
  const std::vector<CheckResult> r = Check(t, Only(kCheckFinite));
  REQUIRE(r.size() == 2);
  CHECK(r[0].group == "layer 0 head 0");
  CHECK_FALSE(r[0].passed);
  CHECK(r[0].measured == 2);
  CHECK(r[0].threshold == 0);
  CHECK(r[0].message == "1 NaN and 1 infinite values, expected at most 0");
  CHECK(r[1].passed);
  CHECK(r[1].measured == 0);
  CHECK_FALSE(AllPassed(r));
}

TEST_CASE("the other rules skip a head with NaN instead of failing on it") {
  const AttentionTensor t = MakeTensor({2, 2, 2}, {kNaN, 0.5f, 0.5f, 0.5f, 1, 0, 0, 1});
  CheckRules rules = Only(kCheckRowSum);
  rules.uniform.enabled = rules.sink.enabled = true;
  for (const CheckResult& r : Check(t, rules)) {
    CAPTURE(r.rule);
    CHECK(r.passed);
    CHECK(r.skipped == (r.head == 0));
  }
}

// --- row_sum ---

TEST_CASE("row_sum fails the largest deviation of a row sum from 1 above the tolerance") {
  // Row sums 1 and 0.9: the deviation is 0.1.
  const AttentionTensor t = MakeTensor({2, 2}, {0.5f, 0.5f, 0.6f, 0.3f});
  const std::vector<CheckResult> r = Check(t, Only(kCheckRowSum));
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].passed);
  CHECK(r[0].measured == doctest::Approx(0.1).epsilon(1e-6));
  CHECK(r[0].threshold == doctest::Approx(1e-3));
}

TEST_CASE("row_sum of a crop fails only sums above 1") {
  CheckRules rules = Only(kCheckRowSum);
  rules.crop = true;
  const AttentionTensor short_rows = MakeTensor({2, 2}, {0.2f, 0.3f, 0.6f, 0.3f});  // 0.5, 0.9
  const std::vector<CheckResult> pass = Check(short_rows, rules);
  CHECK(pass[0].passed);
  CHECK(pass[0].measured == doctest::Approx(-0.1).epsilon(1e-6));  // largest sum 0.9, minus 1
  const AttentionTensor long_rows = MakeTensor({2, 2}, {0.9f, 0.3f, 0.6f, 0.3f});  // 1.2, 0.9
  const std::vector<CheckResult> fail = Check(long_rows, rules);
  CHECK_FALSE(fail[0].passed);
  CHECK(fail[0].measured == doctest::Approx(0.2).epsilon(1e-6));
}

// --- collapse ---

TEST_CASE("collapse fails a layer whose heads are identical") {
  const AttentionTensor t = MakeTensor({2, 2, 2}, {1, 0, 0, 1, 1, 0, 0, 1});
  const std::vector<CheckResult> r = Check(t, Only(kCheckCollapse));
  REQUIRE(r.size() == 1);
  CHECK(r[0].group == "layer 0");
  CHECK(r[0].layer == 0);
  CHECK(r[0].head == -1);
  CHECK_FALSE(r[0].passed);
  CHECK(r[0].measured == doctest::Approx(0).epsilon(1e-12));
  CHECK(r[0].message == "mean JS over 1 head pairs = 0 < 0.01");
}

TEST_CASE("collapse passes opposite heads, measuring the mean or summed JS over rows") {
  const AttentionTensor t = MakeTensor({2, 2, 2}, {1, 0, 0, 1, 0, 1, 1, 0});
  CHECK(Check(t, Only(kCheckCollapse))[0].measured == doctest::Approx(kOppositeJs));
  CheckRules summed = Only(kCheckCollapse);
  summed.js_reduce = JsReduce::kSum;
  const CheckResult r = Check(t, summed)[0];
  CHECK(r.passed);
  CHECK(r.measured == doctest::Approx(2 * kOppositeJs));
}

TEST_CASE("collapse averages over every pair of a layer, one result per layer") {
  // Layer 0: heads A, A, B (pairs AA, AB, AB: mean 2/3 of the opposite JS); layer 1: A, B, B.
  const std::vector<float> a = {1, 0, 0, 1}, b = {0, 1, 1, 0};
  std::vector<float> values;
  for (const auto* head : {&a, &a, &b, &a, &b, &b})
    values.insert(values.end(), head->begin(), head->end());
  const std::vector<CheckResult> r = Check(MakeTensor({2, 3, 2, 2}, values), Only(kCheckCollapse));
  REQUIRE(r.size() == 2);
  CHECK(r[0].measured == doctest::Approx(2 * kOppositeJs / 3));
  CHECK(r[1].measured == doctest::Approx(2 * kOppositeJs / 3));
  CHECK(r[1].group == "layer 1");
}

TEST_CASE("collapse skips a layer of one head") {
  const std::vector<CheckResult> r = Check(MakeTensor({2, 2}, {1, 0, 0, 1}), Only(kCheckCollapse));
  REQUIRE(r.size() == 1);
  CHECK(r[0].skipped);
  CHECK(r[0].passed);
}

// --- uniform ---

TEST_CASE("uniform fails a head whose normalised entropy is above the threshold") {
  // Head 0 uniform over 4 keys: ln 4 / ln 4 = 1. Head 1 one-hot rows: 0.
  std::vector<float> values(16, 0.25f);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) values.push_back(i == j ? 1.0f : 0.0f);
  }
  const std::vector<CheckResult> r = Check(MakeTensor({2, 4, 4}, values), Only(kCheckUniform));
  REQUIRE(r.size() == 2);
  CHECK_FALSE(r[0].passed);
  CHECK(r[0].measured == doctest::Approx(1.0));
  CHECK(r[0].threshold == doctest::Approx(0.98));
  CHECK(r[1].passed);
  CHECK(r[1].measured == doctest::Approx(0.0));
}

// --- padding ---

TEST_CASE("padding fails attention to padding tokens and is skipped without tokens") {
  // Every row puts 0.2 on the <pad> key: the share is 0.2.
  const AttentionTensor t =
      MakeTensor({3, 3}, {0.6f, 0.2f, 0.2f, 0.3f, 0.5f, 0.2f, 0.4f, 0.4f, 0.2f});
  const std::vector<CheckResult> r =
      Check(t, Only(kCheckPadding), std::vector<std::string>{"a", "b", "<pad>"});
  REQUIRE(r.size() == 1);
  CHECK_FALSE(r[0].passed);
  CHECK(r[0].measured == doctest::Approx(0.2).epsilon(1e-6));
  CHECK(r[0].threshold == doctest::Approx(0.05));
  const CheckResult untokenised = Check(t, Only(kCheckPadding))[0];
  CHECK(untokenised.skipped);
  CHECK(untokenised.passed);
}

// --- sink ---

TEST_CASE("sink fails a head whose mean mass on the first token is above the threshold") {
  // Column 0 holds 1, 0.9 and 0.8: the first-token share is 0.9.
  const AttentionTensor t = MakeTensor({3, 3}, {1, 0, 0, 0.9f, 0.1f, 0, 0.8f, 0.1f, 0.1f});
  const CheckResult loose = Check(t, Only(kCheckSink))[0];
  CHECK(loose.passed);
  CHECK(loose.measured == doctest::Approx(0.9).epsilon(1e-6));
  CheckRules strict = Only(kCheckSink);
  strict.sink.threshold = 0.85;
  const CheckResult r = Check(t, strict)[0];
  CHECK_FALSE(r.passed);
  CHECK(r.message == "first_token share 0.9 > 0.85");
}

// --- redundant ---

TEST_CASE("redundant fails each head of an identical pair across layers and names the other") {
  // Layers 0 and 1 hold the same head; layer 2 the opposite one.
  const std::vector<CheckResult> r =
      Check(MakeTensor({3, 1, 2, 2}, {1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0}), Only(kCheckRedundant));
  REQUIRE(r.size() == 3);
  CHECK_FALSE(r[0].passed);
  CHECK(r[0].message == "JS to layer 1 head 0 = 0 < 0.001");
  CHECK_FALSE(r[1].passed);
  CHECK(r[1].message == "JS to layer 0 head 0 = 0 < 0.001");
  CHECK(r[2].passed);
  CHECK(r[2].measured == doctest::Approx(kOppositeJs));
}

// --- drift ---

struct DriftCase {
  AttentionTensor tensor = MakeTensor({2, 2}, {0.75f, 0.25f, 0.5f, 0.5f});
  std::vector<HeadStats> baseline = ComputeHeadStats(tensor, std::nullopt, std::nullopt, {});

  std::vector<CheckResult> Run(const CheckRules& rules) const {
    CheckInput input;
    input.tensor = &tensor;
    input.baseline = baseline;
    std::vector<CheckResult> drift;
    for (CheckResult& r : RunChecks(input, rules)) {
      if (r.rule == kCheckDrift) drift.push_back(std::move(r));
    }
    return drift;
  }
  CheckResult Find(const std::vector<CheckResult>& results, const char* statistic) const {
    for (const CheckResult& r : results) {
      if (r.statistic == statistic) return r;
    }
    FAIL("no drift result for ", statistic);
    return {};
  }
};

TEST_CASE("drift passes a dump against its own statistics, one result per statistic") {
  const DriftCase c;
  const std::vector<CheckResult> r = c.Run(Only(kCheckDrift));
  CHECK(r.size() == StatFields().size());
  CHECK(AllPassed(r));
  CHECK(c.Find(r, "confidence").measured == doctest::Approx(0.625));  // (0.75 + 0.5) / 2
  CHECK(c.Find(r, "confidence").group == "layer 0 head 0");
}

TEST_CASE("drift fails a statistic outside absolute + relative * |baseline|") {
  DriftCase c;
  c.baseline[0].confidence = 0.5;  // current 0.625: moved by 0.125
  CheckRules rules = Only(kCheckDrift);
  rules.drift_absolute = 0.1;
  rules.drift_relative = 0.04;  // band 0.1 + 0.04 * 0.5 = 0.12 < 0.125
  const CheckResult fail = c.Find(c.Run(rules), "confidence");
  CHECK_FALSE(fail.passed);
  CHECK(fail.baseline == 0.5);
  CHECK(fail.threshold == doctest::Approx(0.12));
  CHECK(fail.message == "confidence 0.5 -> 0.625, outside 0.5 +- 0.12");
  rules.drift_relative = 0.06;  // band 0.13
  const std::vector<CheckResult> wider = c.Run(rules);
  CHECK(c.Find(wider, "confidence").passed);
}

TEST_CASE("drift fails a statistic that applies on one side only") {
  DriftCase c;
  CHECK(std::isnan(c.baseline[0].special));  // no tokens: NaN on both sides passes
  const std::vector<CheckResult> both_nan = c.Run(Only(kCheckDrift));
  CHECK(c.Find(both_nan, "special").passed);
  c.baseline[0].special = 0.1;
  const CheckResult r = c.Find(c.Run(Only(kCheckDrift)), "special");
  CHECK_FALSE(r.passed);
  CHECK(r.message == "special 0.1 -> nan (applies on one side only)");
}

TEST_CASE("a baseline of other heads is an input error naming the mismatch") {
  DriftCase c;
  c.baseline.push_back(c.baseline.front());
  CHECK_THROWS_WITH_AS(c.Run(CheckRules{}),
                       "expected a baseline of 1 heads (1 layers x 1) as the dump has, found 2",
                       Error);
  c.baseline.pop_back();
  c.baseline[0].head = 3;
  CHECK_THROWS_WITH_AS(c.Run(CheckRules{}),
                       "expected baseline entry 0 to be layer 0 head 0, found layer 0 head 3",
                       Error);
}

// --- order and defaults ---

TEST_CASE("results come in rule order, per-head rules layer-major") {
  const AttentionTensor t =
      MakeTensor({2, 2, 2, 2}, {1, 0, 0, 1, 0, 1, 1, 0, 0.5f, 0.5f, 1, 0, 0, 1, 0.5f, 0.5f});
  std::vector<std::string> order;
  for (const CheckResult& r : Check(t, CheckRules{})) {
    if (order.empty() || order.back() != r.rule) order.push_back(r.rule);
  }
  CHECK(order == std::vector<std::string>{"finite", "row_sum", "collapse", "uniform", "padding",
                                          "sink", "redundant"});
}

// --- rules file ---

TEST_CASE("a rules file sets thresholds, disables rules and sets crop, drift and js_reduce") {
  const CheckRules r = ParseCheckRules(
      R"({"sink": 0.9, "uniform": false, "redundant": {"threshold": 0.01}, "collapse":
          {"enabled": false}, "crop": true, "drift": {"absolute": 0.1, "relative": 0},
          "js_reduce": "sum"})",
      "rules.json");
  CHECK(r.sink.enabled);
  CHECK(r.sink.threshold == 0.9);
  CHECK_FALSE(r.uniform.enabled);
  CHECK(r.redundant.threshold == 0.01);
  CHECK_FALSE(r.collapse.enabled);
  CHECK(r.collapse.threshold == CheckRules{}.collapse.threshold);
  CHECK(r.crop);
  CHECK(r.drift_absolute == 0.1);
  CHECK(r.drift_relative == 0);
  CHECK(r.js_reduce == JsReduce::kSum);
  CHECK(r.finite.threshold == 0);  // untouched rules keep their defaults
}

TEST_CASE("a bad rules file is an input error naming the file and what it expected") {
  auto message = [](const char* text) {
    try {
      ParseCheckRules(text, "r.json");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::kInput);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message(R"({"sinks": 1})").starts_with("r.json: expected rule names (finite, row_sum"));
  CHECK(message(R"({"sink": "high"})") ==
        "r.json: expected false, true, a threshold or {\"enabled\", \"threshold\"} for 'sink', "
        "found \"high\"");
  CHECK(message(R"({"sink": -1})") == "r.json: expected a number >= 0 for 'sink', found -1");
  CHECK(message(R"({"sink": {"max": 1}})") ==
        "r.json: expected 'enabled' or 'threshold' in 'sink', found 'max'");
  CHECK(message("[1]") ==
        "r.json: expected a JSON object of rules such as {\"sink\": 0.9}, "
        "found a JSON array");
  CHECK(message("{\"sink\": ").starts_with("r.json: invalid JSON at byte"));
}

// --- baseline file ---

TEST_CASE("a stats --json baseline gives heads, entropy unit and k; null is NaN") {
  const StatsBaseline b = ParseStatsBaseline(
      R"({"heads": [{"layer": 0, "head": 1, "entropy": 1.5, "special": null}],
          "layers": [], "entropy_unit": "bits", "topk_k": 5})",
      "b.json");
  REQUIRE(b.heads.size() == 1);
  CHECK(b.heads[0].head == 1);
  CHECK(b.heads[0].entropy == 1.5);
  CHECK(std::isnan(b.heads[0].special));
  CHECK(std::isnan(b.heads[0].confidence));  // missing
  CHECK(b.bits);
  CHECK(b.topk == 5);
}

TEST_CASE("a baseline that is not stats output is an input error") {
  CHECK_THROWS_WITH_AS(ParseStatsBaseline(R"({"rows": []})", "b.json"),
                       "b.json: expected the output of attnviz stats --json, an object with a "
                       "'heads' list, found no 'heads' list",
                       Error);
  CHECK_THROWS_WITH_AS(
      ParseStatsBaseline(R"({"heads": [{"layer": 0, "head": 0, "entropy": "x"}]})", "b.json"),
      "b.json: expected a number or null at heads[0].entropy, found \"x\"", Error);
}

}  // namespace
}  // namespace attnviz

namespace attnviz {
namespace {

// --- precision of the dtype and the model's numbering ---

TEST_CASE("row sums may stray by the dtype's machine epsilon, never less than the threshold") {
  CHECK(RowSumTolerance(DType::kBF16) == 1.0 / 128);  // bfloat16: 8 significant bits
  CHECK(RowSumTolerance(DType::kF16) == 1e-3);        // 2^-10 = 0.000977 < the default
  CHECK(RowSumTolerance(DType::kF16, 1e-4) == 1.0 / 1024);
  CHECK(RowSumTolerance(DType::kF32) == 1e-3);
  CHECK(RowSumTolerance(DType::kBF16, 0.05) == 0.05);  // a looser threshold stands
}

TEST_CASE("results carry the model's numbers when the dump states them") {
  // Two heads of one layer: head 1 rows sum to 0.5, and the dump is layer 11, heads from 4.
  const AttentionTensor t = MakeTensor({2, 1, 2}, {0.5f, 0.5f, 0.25f, 0.25f});
  CheckInput input;
  input.tensor = &t;
  input.stats.threads = 1;
  input.layer_offset = 11;
  input.head_offset = 4;
  const std::vector<CheckResult> r = RunChecks(input, Only(kCheckRowSum));
  REQUIRE(r.size() == 2);
  CHECK(r[1].group == "layer 11 head 5");
  CHECK(r[1].layer == 11);
  CHECK(r[1].head == 5);
  CHECK_FALSE(r[1].passed);
  input.heads = {0};  // --head 4: only the first head's results
  const std::vector<CheckResult> only = RunChecks(input, Only(kCheckRowSum));
  REQUIRE(only.size() == 1);
  CHECK(only[0].group == "layer 11 head 4");
  CHECK(only[0].passed);
}

}  // namespace
}  // namespace attnviz
