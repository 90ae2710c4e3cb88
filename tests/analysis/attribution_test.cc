// Attribution from gradients: hand-derived cases, and the goldens of
// scripts/reference/attribute.py (numpy) for A ⊙ G, its head means, rollout, importance and IG.
#include "attnviz/analysis/attribution.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::MakeTensor;
using Json = nlohmann::json;

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/attribute/";

const Json& Golden() {
  static const Json golden = testing::ReadJson(kFixtures + "golden.json");
  return golden;
}

// Nested JSON lists flattened in row-major order.
void Flatten(const Json& value, std::vector<double>& out) {
  if (value.is_array()) {
    for (const Json& item : value) Flatten(item, out);
  } else {
    out.push_back(value.get<double>());
  }
}

std::vector<double> Flat(const Json& value) {
  std::vector<double> out;
  Flatten(value, out);
  return out;
}

// Within 1e-6 of the golden value, relative to it when it exceeds 1.
void CheckClose(std::span<const double> actual, const Json& expected, const char* what) {
  const std::vector<double> want = Flat(expected);
  INFO(what);
  REQUIRE(actual.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK_MESSAGE(std::abs(actual[i] - want[i]) <= 1e-6 * std::max(1.0, std::abs(want[i])), "at ",
                  i, ": expected ", want[i], ", found ", actual[i]);
  }
}

Attribution FromGolden(const Json& c) {
  const Dump attention = LoadDump(kFixtures + c["attention"].get<std::string>());
  if (c.contains("grad")) {
    const std::string path = kFixtures + c["grad"].get<std::string>();
    const Dump gradient = LoadDump(path);
    return AttributeGradients({attention.attention, "A"}, {gradient.attention, path});
  }
  // The step axis leads; it is read as the batch axis.
  LoadOptions options;
  options.axes = {Axis::kBatch, Axis::kLayer, Axis::kHead, Axis::kQuery, Axis::kKey};
  const Dump steps = LoadDump(kFixtures + c["ig_grads"].get<std::string>(), options);
  return AttributeIntegratedGradients({attention.attention, "A"}, {steps.attention, "G"});
}

TEST_CASE("A ⊙ G, its positive mean over heads and the head scores, by hand") {
  // One layer, two heads of 1 x 2: X = (0.5 * 2, 0.5 * -4) = (1, -2) and (0.25 * -1, 0.75 * 1).
  const AttentionTensor a = MakeTensor({2, 1, 2}, {0.5f, 0.5f, 0.25f, 0.75f});
  const AttentionTensor g = MakeTensor({2, 1, 2}, {2, -4, -1, 1});
  const Attribution x = AttributeGradients({a, "a"}, {g, "g"});
  CHECK(x.maps == std::vector<double>{1, -2, -0.25, 0.75});
  // mean of max(X, 0) over the heads: ((1 + 0) / 2, (0 + 0.75) / 2).
  CHECK(x.mean_positive == std::vector<double>{0.5, 0.375});
  CHECK(x.scores == std::vector<double>{1, 0.5});  // |1 - 2|, |-0.25 + 0.75|
  CHECK(!x.rollout.has_value());                   // 1 query x 2 keys: cross-attention
}

TEST_CASE("Chefer's rollout adds each layer's mean positive map times the rollout so far") {
  // Two layers of one head, 2 x 2, G = 1: Ā_l = A_l. R = I + A_0; then R + A_1 R.
  const AttentionTensor a = MakeTensor({2, 1, 2, 2}, {1, 0, 0.5f, 0.5f, 0, 1, 1, 0});
  const AttentionTensor g = MakeTensor({2, 1, 2, 2}, std::vector<float>(8, 1.0f));
  const Attribution x = AttributeGradients({a, "a"}, {g, "g"});
  // R1 = I + A0 = [[2, 0], [0.5, 1.5]]; A1 R1 = [[0.5, 1.5], [2, 0]]; R2 = [[2.5, 1.5],
  // [2.5, 1.5]].
  REQUIRE(x.rollout.has_value());
  CHECK(*x.rollout == std::vector<double>{2.5, 1.5, 2.5, 1.5});
}

TEST_CASE("Head importance is normalised per layer by the L2 norm, then min-max over all") {
  // Layer 0: (3, 4) / 5 = (0.6, 0.8); layer 1: (0, 0) stays 0; min-max over (0.6 0.8 0 0).
  const std::vector<double> scores = {3, 4, 0, 0};
  const std::vector<double> importance = NormalizedImportance(scores, 2);
  CHECK(importance[0] == doctest::Approx(0.75));
  CHECK(importance[1] == doctest::Approx(1));
  CHECK(importance[2] == 0);
  // All equal: min-max is undefined and the normalised values stay.
  CHECK(NormalizedImportance(std::vector<double>{2, 2}, 1) == std::vector<double>{1, 1});
}

TEST_CASE("Gradients must match the attention's shape and be finite") {
  const AttentionTensor a = MakeTensor({2, 2, 2}, std::vector<float>(8, 0.5f));
  const AttentionTensor small = MakeTensor({1, 2, 2}, std::vector<float>(4, 0.5f));
  CHECK_THROWS_WITH_AS(AttributeGradients({a, "a.npy"}, {small, "g.npy"}),
                       doctest::Contains("g.npy: expected gradients of the attention's shape"),
                       Error);
  std::vector<float> values(8, 1.0f);
  values[6] = INFINITY;  // head 1, query 1, key 0
  const AttentionTensor bad = MakeTensor({2, 2, 2}, values);
  CHECK_THROWS_WITH_AS(AttributeGradients({a, "a.npy"}, {bad, "g.npy"}),
                       doctest::Contains("g.npy: expected finite values, found infinity at "
                                         "layer 0, head 1, query 1, key 0"),
                       Error);
}

TEST_CASE("Attribution agrees with the numpy reference to 1e-6") {
  for (const Json& c : Golden()["cases"]) {
    INFO(c["attention"].get<std::string>());
    const Attribution x = FromGolden(c);
    CheckClose(x.maps, c["maps"], "maps");
    CheckClose(x.mean_positive, c["mean_positive"], "mean_positive");
    CheckClose(x.scores, c["scores"], "scores");
    CheckClose(x.importance, c["importance"], "importance");
    CHECK(x.rollout.has_value() == !c["rollout"].is_null());
    if (x.rollout) CheckClose(*x.rollout, c["rollout"], "rollout");
  }
}

TEST_CASE("Integrated gradients approach F(A) - F(0) (completeness) with the right-sum steps") {
  for (const Json& c : Golden()["cases"]) {
    if (!c.contains("ig_grads")) continue;
    const Attribution x = FromGolden(c);
    double total = 0;
    for (double value : x.maps) total += value;
    const double expected = c["f_difference"].get<double>();
    // 24 steps of a right Riemann sum: within 10 % of the integral for this smooth F.
    CHECK(std::abs(total - expected) <= 0.1 * std::abs(expected));
  }
}

}  // namespace
}  // namespace attnviz
