// ComputeHeadStats: hand-derived cases for each statistic and choice, then the goldens that
// scripts/reference/stats.py (numpy) wrote for the fixtures, to 1e-6.
#include "attnviz/analysis/head_stats.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::MakeTensor;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
const std::string kGoldens = ATTNVIZ_FIXTURES_DIR "/analysis/stats/";

StatsOptions InBits() {
  StatsOptions options;
  options.bits = true;
  return options;
}

StatsOptions TopK(int64_t k) {
  StatsOptions options;
  options.topk = k;
  return options;
}

StatsOptions OnGrid(int64_t rows, int64_t cols) {
  StatsOptions options;
  options.grid = PatchGrid{rows, cols};
  return options;
}

StatsOptions Threads(int threads) {
  StatsOptions options;
  options.threads = threads;
  return options;
}

HeadStats StatsOf(const AttentionTensor& tensor, const StatsOptions& options = {},
                  const std::optional<std::vector<std::string>>& tokens = std::nullopt) {
  const std::vector<HeadStats> all = ComputeHeadStats(tensor, tokens, tokens, options);
  REQUIRE(all.size() == 1);
  return all.front();
}

// --- Entropy ---

TEST_CASE("entropy is the mean over rows of -sum a ln a, in nats or bits") {
  // Row 0 uniform over 4 keys (ln 4), row 1 one-hot (0).
  const AttentionTensor t = MakeTensor({2, 4}, {0.25f, 0.25f, 0.25f, 0.25f, 0, 1, 0, 0});
  CHECK(StatsOf(t).entropy == doctest::Approx(std::log(4.0) / 2));
  CHECK(StatsOf(t, InBits()).entropy == doctest::Approx(1.0));  // (2 + 0) / 2 bits
}

TEST_CASE("entropy_norm divides by ln of each causal row's i + 1 keys and skips row 0") {
  // Rows uniform over the keys they may see: every row's normalised entropy is 1.
  const float third = 1.0f / 3;
  const AttentionTensor t = MakeTensor({3, 3}, {1, 0, 0, 0.5f, 0.5f, 0, third, third, third});
  const HeadStats s = StatsOf(t);
  CHECK(s.entropy_norm == doctest::Approx(1.0));
  CHECK(s.entropy == doctest::Approx((0 + std::log(2.0) + std::log(3.0)) / 3));
}

TEST_CASE("entropy_norm does not count padded keys, which are 0 in every row of every head") {
  // 3 real keys and a padded 4th; 4 columns, so a padded query row 3 too (self-attention).
  const float third = 1.0f / 3;
  const AttentionTensor t = MakeTensor({4, 4}, {third, third, third, 0,  //
                                                0.5f, 0.5f, 0, 0,        //
                                                third, third, third, 0,  //
                                                0.9f, 0.1f, 0, 0});
  // Rows 0-2 only: 1, ln 2 / ln 3, 1.
  CHECK(StatsOf(t).entropy_norm == doctest::Approx((2 + std::log(2.0) / std::log(3.0)) / 3));
}

// --- Peaks and distance ---

TEST_CASE("confidence is the mean row maximum and topk the mean mass of the k largest") {
  const AttentionTensor t = MakeTensor({2, 4}, {0.1f, 0.2f, 0.3f, 0.4f, 0.7f, 0.1f, 0.1f, 0.1f});
  CHECK(StatsOf(t).confidence == doctest::Approx((0.4 + 0.7) / 2));
  CHECK(StatsOf(t, TopK(2)).topk == doctest::Approx((0.7 + 0.8) / 2));
  CHECK(StatsOf(t, TopK(9)).topk == doctest::Approx(1.0));  // k beyond the keys: all of them
}

TEST_CASE("distance is the mean attention-weighted |i - j|") {
  // Row 0 on itself (0), rows 1-2 on the previous token (1), row 3 split over 2 and 3 (0.5).
  const AttentionTensor t =
      MakeTensor({4, 4}, {1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5f, 0.5f});
  CHECK(StatsOf(t).distance == doctest::Approx((0 + 1 + 1 + 0.5) / 4));
}

TEST_CASE("self, prev, next and first_token are mean weights on those keys") {
  const AttentionTensor t =
      MakeTensor({4, 4}, {1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5f, 0.5f});
  const HeadStats s = StatsOf(t);
  CHECK(s.self == doctest::Approx((1 + 0 + 0 + 0.5) / 4));
  CHECK(s.prev == doctest::Approx((1 + 1 + 0.5) / 3));  // rows 1-3 have a previous token
  CHECK(s.next == doctest::Approx(0.0));                // rows 0-2 have a next one
  CHECK(s.first_token == doctest::Approx((1 + 1 + 0 + 0) / 4.0));
}

TEST_CASE("a key column 0 in every row at an end is padding: its query row is left out") {
  // Column 3 is never attended, so position 3 is padding; rows 0-2 remain.
  const AttentionTensor t = MakeTensor({4, 4}, {1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
  const HeadStats s = StatsOf(t);
  CHECK(s.self == doctest::Approx(1.0 / 3));
  CHECK(s.next == doctest::Approx(0.0));  // rows 0 and 1: row 2's next key is padding
}

TEST_CASE("distance_2d weighs Euclidean patch distances and leaves out the [CLS] token") {
  // [CLS] + a 2 x 2 grid. Patch 0 (row 1) splits between patch 3 (distance sqrt 2) and [CLS];
  // the other patches attend to themselves.
  std::vector<float> v(25, 0.0f);
  v[0 * 5 + 0] = 1;
  v[1 * 5 + 4] = 0.5f;
  v[1 * 5 + 0] = 0.5f;
  v[2 * 5 + 2] = 1;
  v[3 * 5 + 3] = 1;
  v[4 * 5 + 4] = 1;
  const HeadStats s = StatsOf(MakeTensor({5, 5}, v), OnGrid(2, 2));
  CHECK(s.distance_2d == doctest::Approx(0.5 * std::numbers::sqrt2 / 4));
}

// --- Tokens ---

TEST_CASE("special, punct and padding are the mean mass on those key tokens") {
  const std::vector<std::string> tokens = {"<s>", "Ġhi", "Ġ,", "<pad>"};
  const AttentionTensor t = MakeTensor({4, 4}, {0.4f, 0.3f, 0.2f, 0.1f,      //
                                                0.1f, 0.2f, 0.3f, 0.4f,      //
                                                0.25f, 0.25f, 0.25f, 0.25f,  //
                                                0.5f, 0.5f, 0, 0});
  const HeadStats s = StatsOf(t, {}, tokens);
  CHECK(s.special == doctest::Approx((0.5 + 0.5 + 0.5 + 0.5) / 4));  // <s> and <pad>
  CHECK(s.punct == doctest::Approx((0.2 + 0.3 + 0.25 + 0) / 4));
  CHECK(s.padding == doctest::Approx((0.1 + 0.4 + 0.25 + 0) / 4));
}

TEST_CASE("--special and --pad-token replace the default token sets") {
  const std::vector<std::string> tokens = {"<s>", "a", "b"};
  const AttentionTensor t =
      MakeTensor({3, 3}, {0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f});
  StatsOptions options;
  options.special_tokens = std::vector<std::string>{"a"};
  options.pad_token = "b";
  const HeadStats s = StatsOf(t, options, tokens);
  CHECK(s.special == doctest::Approx(0.3));
  CHECK(s.padding == doctest::Approx(0.2));
}

TEST_CASE("token statistics do not apply without tokens") {
  const HeadStats s = StatsOf(MakeTensor({2, 2}, {1, 0, 0.5f, 0.5f}));
  CHECK(std::isnan(s.special));
  CHECK(std::isnan(s.punct));
  CHECK(std::isnan(s.padding));
}

// --- Rows, masks and bad values ---

TEST_CASE("row_sum_dev is the largest |row sum - 1|, rows never renormalised") {
  const AttentionTensor t = MakeTensor({2, 2}, {0.25f, 0.25f, 0.6f, 0.5f});
  const HeadStats s = StatsOf(t);
  CHECK(s.row_sum_dev == doctest::Approx(0.5));
  CHECK(s.confidence == doctest::Approx((0.25 + 0.6) / 2));
}

TEST_CASE("positional statistics do not apply to cross-attention") {
  const HeadStats s = StatsOf(MakeTensor({2, 3}, {0.2f, 0.3f, 0.5f, 0.6f, 0.2f, 0.2f}));
  CHECK(std::isnan(s.distance));
  CHECK(std::isnan(s.self));
  CHECK(std::isnan(s.prev));
  CHECK(std::isnan(s.next));
  CHECK(s.first_token == doctest::Approx(0.4));
}

TEST_CASE("a head with a NaN has no statistics; the other heads keep theirs") {
  const std::vector<HeadStats> all =
      ComputeHeadStats(MakeTensor({2, 1, 2}, {1, 0, 0.5f, kNaN}), std::nullopt, std::nullopt, {});
  REQUIRE(all.size() == 2);
  CHECK(all[0].confidence == doctest::Approx(1.0));
  CHECK(std::isnan(all[1].confidence));
  CHECK(std::isnan(all[1].row_sum_dev));
}

TEST_CASE("statistics do not depend on the number of threads") {
  std::vector<float> values(6 * 5 * 5);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float((i * 7919) % 101) / 101.0f;
  const AttentionTensor t = MakeTensor({2, 3, 5, 5}, values);
  const std::vector<HeadStats> one = ComputeHeadStats(t, {}, {}, Threads(1));
  const std::vector<HeadStats> four = ComputeHeadStats(t, {}, {}, Threads(4));
  REQUIRE(one.size() == 6);
  for (size_t i = 0; i < one.size(); ++i) {
    CHECK(one[i].layer == four[i].layer);
    CHECK(one[i].head == four[i].head);
    for (const StatField& field : StatFields()) {
      const double a = one[i].*field.member, b = four[i].*field.member;
      CHECK(((std::isnan(a) && std::isnan(b)) || a == b));
    }
  }
}

// `values` (C order, `shape`) stored as float64 in Fortran order when `fortran`, else in C order.
AttentionTensor Float64Tensor(std::vector<int64_t> shape, const std::vector<float>& values,
                              bool fortran) {
  const std::vector<int64_t> c_strides = RowMajorStrides(shape);
  const std::vector<int64_t> strides = fortran ? ColumnMajorStrides(shape) : c_strides;
  std::vector<double> stored(values.size());
  for (size_t n = 0; n < values.size(); ++n) {
    size_t rest = n, offset = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
      offset += rest / static_cast<size_t>(c_strides[d]) * static_cast<size_t>(strides[d]);
      rest %= static_cast<size_t>(c_strides[d]);
    }
    stored[offset] = values[n];
  }
  return AttentionTensor::FromArray(
      testing::ArrayOf(testing::BytesOf(stored), DType::kF64, std::move(shape), strides),
      DefaultAxes(4));
}

TEST_CASE("converted dumps, read a band of rows at a time, give the float32 statistics") {
  // 3000 keys: bands of two rows, and a last band of one.
  const int64_t queries = 7, keys = 3000;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(2 * 2 * queries * keys));
  for (float& value : values) value = uniform(rng) / keys;
  const std::vector<int64_t> shape = {2, 2, queries, keys};
  const std::vector<HeadStats> want =
      ComputeHeadStats(MakeTensor(shape, values), std::nullopt, std::nullopt, {});
  for (bool fortran : {false, true}) {
    const std::vector<HeadStats> got =
        ComputeHeadStats(Float64Tensor(shape, values, fortran), std::nullopt, std::nullopt, {});
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      for (const StatField& field : StatFields()) {
        CAPTURE(fortran);
        CAPTURE(i);
        CAPTURE(field.name);
        const double a = got[i].*field.member, b = want[i].*field.member;
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
      }
    }
  }
}

TEST_CASE("MeanOverHeads averages each statistic over a layer's heads") {
  const std::vector<HeadStats> heads = ComputeHeadStats(
      MakeTensor({2, 2, 1, 2}, {1, 0, 0.5f, 0.5f, 0.6f, 0.4f, 0.8f, 0.2f}), {}, {}, {});
  const std::vector<HeadStats> layers = MeanOverHeads(heads);
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].head == -1);
  CHECK(layers[0].confidence == doctest::Approx(0.75));
  CHECK(layers[1].layer == 1);
  CHECK(layers[1].confidence == doctest::Approx(0.7));
}

TEST_CASE("a top-k below 1 and a grid with more patches than tokens are usage errors") {
  const AttentionTensor t = MakeTensor({2, 2}, {1, 0, 0.5f, 0.5f});
  CHECK_THROWS_AS(StatsOf(t, TopK(0)), Error);
  CHECK_THROWS_WITH(StatsOf(t, OnGrid(2, 2)), doctest::Contains("expected at most 2 patches"));
}

// --- Goldens from the numpy reference ---

StatsOptions OptionsOf(const nlohmann::json& o) {
  StatsOptions options;
  options.bits = o.value("bits", false);
  options.topk = o.value("topk", 3);
  if (o.contains("grid")) options.grid = PatchGrid{o["grid"][0], o["grid"][1]};
  if (o.contains("special")) options.special_tokens = o["special"].get<std::vector<std::string>>();
  if (o.contains("pad_token")) options.pad_token = o["pad_token"].get<std::string>();
  return options;
}

void CheckAgainst(const nlohmann::json& expected, const HeadStats& actual,
                  const std::string& where) {
  CHECK(expected["layer"] == actual.layer);
  for (const StatField& field : StatFields()) {
    if (expected.contains(field.name)) {
      testing::CheckGolden(expected[field.name], actual.*field.member, where + " " + field.name);
    }
  }
}

TEST_CASE("every statistic agrees with the numpy reference to 1e-6 on the fixtures") {
  const nlohmann::json golden = testing::ReadJson(kGoldens + "golden.json");
  REQUIRE(golden["cases"].size() >= 10);
  for (const nlohmann::json& c : golden["cases"]) {
    const std::string where = c["file"].get<std::string>() + " " + c["options"].dump();
    const Dump dump = LoadDump(kGoldens + c["file"].get<std::string>());
    const std::vector<HeadStats> heads = ComputeHeadStats(dump.attention, dump.query_tokens,
                                                          dump.key_tokens, OptionsOf(c["options"]));
    const std::vector<HeadStats> layers = MeanOverHeads(heads);
    REQUIRE(heads.size() == c["heads"].size());
    REQUIRE(layers.size() == c["layers"].size());
    for (size_t i = 0; i < heads.size(); ++i) {
      CHECK(c["heads"][i]["head"] == heads[i].head);
      CheckAgainst(c["heads"][i], heads[i], where + " head " + std::to_string(i));
    }
    for (size_t l = 0; l < layers.size(); ++l) {
      CheckAgainst(c["layers"][l], layers[l], where + " layer " + std::to_string(l));
    }
  }
}

}  // namespace
}  // namespace attnviz
