// Rollout and the layer matrices Â_l: hand-derived cases for each step of the formula, and the
// golden values of scripts/reference/rollout.py (numpy, float64) to 1e-6.
#include "attnviz/analysis/rollout.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "support/real_dumps.h"
#include "support/tensors.h"

namespace attnviz {
namespace {

using Json = nlohmann::json;

const std::string kGolden = ATTNVIZ_FIXTURES_DIR "/analysis/rollout/";
const std::string kData = ATTNVIZ_DATA_DIR "/";
const std::string kReal = ATTNVIZ_SHARED_REAL_DIR "/";

using testing::MakeTensor;

LayerGraphOptions NoResidual() {
  LayerGraphOptions options;
  options.residual = false;
  return options;
}

void CheckMatrix(const std::vector<double>& got, const std::vector<double>& want,
                 double tolerance = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (size_t k = 0; k < got.size(); ++k) {
    INFO("entry " << k << ": " << got[k] << " vs " << want[k]);
    CHECK(std::abs(got[k] - want[k]) <= tolerance);
  }
}

// --- Â_l, step by step ---

TEST_CASE("the residual adds the identity, then each row is divided by its sum") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.5f, 0.5f, 0.25f, 0.75f});
  // F + I = [[1.5, 0.5], [0.25, 1.75]], both rows sum to 2.
  CheckMatrix(ResidualAdjustedLayer(t, 0, {}), {0.75, 0.25, 0.125, 0.875});
}

TEST_CASE("rows that do not sum to 1 are divided by the sum of F + I, not renormalised first") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.25f, 0.0f, 0.125f, 0.375f});
  // F + I = [[1.25, 0], [0.125, 1.375]]: row sums 1.25 and 1.5.
  CheckMatrix(ResidualAdjustedLayer(t, 0, {}), {1.0, 0.0, 0.125 / 1.5, 1.375 / 1.5});
}

TEST_CASE("a residual weight a gives a·F + (1 - a)·I") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.0f, 1.0f, 1.0f, 0.0f});
  LayerGraphOptions options;
  options.attention_weight = 0.25;
  options.identity_weight = 0.75;
  CheckMatrix(ResidualAdjustedLayer(t, 0, options), {0.75, 0.25, 0.25, 0.75});
}

TEST_CASE("a row that sums to 0 stays 0 instead of becoming NaN") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.5f, 0.5f, 0.0f, 0.0f});
  LayerGraphOptions options;
  options.attention_weight = 1;
  options.identity_weight = 0;
  CheckMatrix(ResidualAdjustedLayer(t, 0, options), {0.5, 0.5, 0.0, 0.0});
}

TEST_CASE("without the residual the fused heads are used as they are") {
  // Two heads; their mean, with rows summing to 0.75 and 0.25, untouched.
  const AttentionTensor t =
      MakeTensor({1, 2, 2, 2}, {0.5f, 0.5f, 0.25f, 0.0f, 0.25f, 0.25f, 0.0f, 0.25f});
  CheckMatrix(ResidualAdjustedLayer(t, 0, NoResidual()), {0.375, 0.375, 0.125, 0.125});
}

TEST_CASE("max and min fusion take the extreme of the heads cell by cell") {
  const AttentionTensor t = MakeTensor({1, 3, 2, 2}, {0.5f, 0.5f, 0.1f, 0.9f,    //
                                                      0.25f, 0.75f, 0.6f, 0.4f,  //
                                                      0.75f, 0.25f, 0.3f, 0.7f});
  LayerGraphOptions options = NoResidual();
  options.fuse = HeadFuse::kMax;
  CheckMatrix(ResidualAdjustedLayer(t, 0, options), {0.75, 0.75, 0.6f, 0.9f});
  options.fuse = HeadFuse::kMin;
  CheckMatrix(ResidualAdjustedLayer(t, 0, options), {0.25, 0.25, 0.1f, 0.4f});
}

TEST_CASE("discard zeroes the floor(R·n²) smallest entries, earlier ones first among equals") {
  // R = 0.5 of 4 entries: the two smallest are the 0.125s at [0, 1] and [1, 0]; [1, 1] ties
  // with them in value but comes later.
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.75f, 0.125f, 0.125f, 0.125f});
  LayerGraphOptions options = NoResidual();
  options.discard = 0.5;
  CheckMatrix(ResidualAdjustedLayer(t, 0, options), {0.75, 0.0, 0.0, 0.125});
}

TEST_CASE("discard never zeroes [0, 0], even when it is among the smallest") {
  // The two smallest are [0, 0] and [1, 0]; only [1, 0] goes, as in vit-explain.
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.125f, 0.5f, 0.25f, 0.75f});
  LayerGraphOptions options = NoResidual();
  options.discard = 0.5;
  CheckMatrix(ResidualAdjustedLayer(t, 0, options), {0.125, 0.5, 0.0, 0.75});
}

TEST_CASE("discard counts floor(R·n²) in double precision: 0.29 of 100 entries is 28") {
  // 0.29 * 100 is 28.999999999999996 in double, as in Python's int(0.29 * 100).
  std::vector<float> values(100);
  std::iota(values.begin(), values.end(), 1.0f);
  values[0] = 1000;  // keep [0, 0] out of the smallest
  const AttentionTensor t = MakeTensor({1, 1, 10, 10}, values);
  LayerGraphOptions options = NoResidual();
  options.discard = 0.29;
  const std::vector<double> matrix = ResidualAdjustedLayer(t, 0, options);
  CHECK(std::count(matrix.begin(), matrix.end(), 0.0) == 28);
  CHECK(matrix[28] == 0.0);  // value 29, the 28th smallest
  CHECK(matrix[29] == 30.0);
}

// --- Rollout ---

TEST_CASE("rollout multiplies the later layer on the left") {
  // Â_0 = [[1, 0], [0.5, 0.5]], Â_1 = [[0, 1], [1, 0]]; Â_1 · Â_0 = [[0.5, 0.5], [1, 0]]
  // (Â_0 · Â_1 would be [[0, 1], [0.5, 0.5]]).
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {1, 0, 0.5f, 0.5f, 0, 1, 1, 0});
  const TokenRows rollout = Rollout(t, NoResidual());
  CHECK(rollout.rows == std::vector<int64_t>{0, 1});
  CHECK(rollout.tokens == 2);
  CheckMatrix(rollout.values, {0.5, 0.5, 1.0, 0.0});
}

TEST_CASE("rollout of chosen rows is those rows of the full product, in the order asked") {
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {1, 0, 0.5f, 0.5f, 0, 1, 1, 0});
  const std::vector<int64_t> rows{1, 0, 1};
  const TokenRows rollout = Rollout(t, NoResidual(), rows);
  CHECK(rollout.rows == rows);
  CheckMatrix(rollout.values, {1.0, 0.0, 0.5, 0.5, 1.0, 0.0});
}

TEST_CASE("the first and last layers restrict the product") {
  // Three layers Â_0, Â_1, Â_2 = swap; layers 1..1 alone is Â_1.
  const AttentionTensor t =
      MakeTensor({3, 1, 2, 2}, {1, 0, 0.5f, 0.5f, 0, 1, 1, 0, 0.25f, 0.75f, 1, 0});
  LayerGraphOptions options = NoResidual();
  options.first_layer = 1;
  options.last_layer = 1;
  CheckMatrix(Rollout(t, options).values, {0, 1, 1, 0});
  options.last_layer = 2;  // Â_2 · Â_1 = [[0.75, 0.25], [0, 1]]
  CheckMatrix(Rollout(t, options).values, {0.75, 0.25, 0.0, 1.0});
}

TEST_CASE("with the residual, rollout rows sum to 1 whatever the input rows sum to") {
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {0.1f, 0.2f, 0.3f, 0.1f, 0.05f, 0.4f, 0, 0});
  const TokenRows rollout = Rollout(t, {});
  for (size_t r = 0; r < 2; ++r) CHECK(rollout.at(r, 0) + rollout.at(r, 1) == doctest::Approx(1));
}

// --- A few rows streamed layer by layer equal the same rows of the full product ---

// Random nonnegative weights in (layer, head, query, key) order, from a fixed seed; query 5 of
// every head is all zero, so that without the identity its row sums to 0.
std::vector<float> RandomWeights(int64_t layers, int64_t heads, int64_t n) {
  std::mt19937 generator(6);
  std::uniform_real_distribution<float> weight(0.0f, 1.0f);
  std::vector<float> values(static_cast<size_t>(layers * heads * n * n));
  for (size_t cell = 0; cell < values.size(); ++cell) {
    values[cell] = (cell / n) % n == 5 ? 0.0f : weight(generator) / static_cast<float>(n);
  }
  return values;
}

// Rows `rows` of `all` (every row of an n-token rollout), row after row.
std::vector<double> PickRows(const TokenRows& all, const std::vector<int64_t>& rows) {
  std::vector<double> picked;
  for (int64_t row : rows) {
    for (int64_t j = 0; j < all.tokens; ++j) picked.push_back(all.at(static_cast<size_t>(row), j));
  }
  return picked;
}

void CheckRelative(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t k = 0; k < got.size(); ++k) {
    INFO("entry " << k << ": " << got[k] << " vs " << want[k]);
    CHECK(std::abs(got[k] - want[k]) <= 1e-12 * std::abs(want[k]));
  }
}

TEST_CASE("rollout of a few rows equals those rows of the rollout of every row to 1e-12") {
  // 260 tokens: more than the rows that are streamed, so that every row goes through the full
  // matrices and BLAS, and enough cells for the streamed layers to be split over threads.
  const int64_t n = 260;
  const AttentionTensor t = MakeTensor({3, 3, n, n}, RandomWeights(3, 3, n));
  for (HeadFuse fuse : {HeadFuse::kMean, HeadFuse::kMax, HeadFuse::kMin}) {
    for (int residual = 0; residual < 3; ++residual) {
      LayerGraphOptions options;
      options.fuse = fuse;
      options.residual = residual != 0;
      if (residual == 2) {  // the zero row keeps a zero sum: it stays as it is
        options.attention_weight = 1;
        options.identity_weight = 0;
      }
      options.first_layer = fuse == HeadFuse::kMin ? 1 : 0;
      const TokenRows all = Rollout(t, options);
      for (const std::vector<int64_t>& rows :
           {std::vector<int64_t>{0}, std::vector<int64_t>{0, 3}, std::vector<int64_t>{5, 259, 5}}) {
        INFO("fuse " << static_cast<int>(fuse) << ", residual " << residual << ", rows "
                     << rows.size());
        CheckRelative(Rollout(t, options, rows).values, PickRows(all, rows));
      }
    }
  }
}

TEST_CASE("rollout of a few rows weights the attention and the identity as every row does") {
  const int64_t n = 260;
  const AttentionTensor t = MakeTensor({2, 2, n, n}, RandomWeights(2, 2, n));
  LayerGraphOptions options;
  options.attention_weight = 0.25;
  options.identity_weight = 0.75;
  const std::vector<int64_t> rows{0, 3};
  CheckRelative(Rollout(t, options, rows).values, PickRows(Rollout(t, options), rows));
}

TEST_CASE("rollout of one row is the same in every run, to the last bit") {
  const int64_t n = 300;
  const AttentionTensor t = MakeTensor({2, 2, n, n}, RandomWeights(2, 2, n));
  const std::vector<int64_t> rows{7};
  const std::vector<double> first = Rollout(t, {}, rows).values;
  for (int run = 0; run < 5; ++run) CHECK(Rollout(t, {}, rows).values == first);
}

// --- What rollout refuses ---

TEST_CASE("cross-attention has no rollout: an input error says why") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 3}, {0.5f, 0.5f, 0, 0.25f, 0.25f, 0.5f});
  try {
    Rollout(t, {});
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(std::string(e.what()) ==
          "expected self-attention with as many queries as keys, found 2 queries x 3 keys");
  }
}

TEST_CASE("a NaN is an input error naming its layer, head and cell") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const AttentionTensor t = MakeTensor({2, 2, 2, 2}, {1, 0, 0, 1, 1, 0, 0, 1,  //
                                                      1, 0, 0, 1, 1, 0, nan, 1});
  try {
    Rollout(t, {});
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(std::string(e.what()) ==
          "expected finite attention weights, found NaN at layer 1, head 1, query 1, key 0");
  }
}

TEST_CASE("a NaN in a row that rollout of one row never weighs is still an error") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Row 0 of the last layer is [1, 0]: row 1 of that layer is never weighed.
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {1, 0, 0, 1, 1, 0, 0, nan});
  const std::vector<int64_t> row{0};
  CHECK_THROWS_WITH_AS(
      Rollout(t, {}, row),
      "expected finite attention weights, found NaN at layer 1, head 0, query 1, key 1", Error);
}

TEST_CASE("of several NaNs in a layer, the first head's first one is named") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const int64_t n = 300;  // enough cells for the layer to be split over threads
  std::vector<float> values = RandomWeights(1, 3, n);
  values[static_cast<size_t>(2 * n * n + 3)] = nan;            // head 2, query 0, key 3
  values[static_cast<size_t>(n * n + (n - 1) * n + 4)] = inf;  // head 1, query n - 1, key 4
  values[static_cast<size_t>(n * n + (n / 2) * n + 9)] = nan;  // head 1, query n / 2, key 9
  const AttentionTensor t = MakeTensor({1, 3, n, n}, values);
  const std::string message =
      "expected finite attention weights, found NaN at layer 0, head 1, query 150, key 9";
  const std::vector<int64_t> row{0};
  CHECK_THROWS_WITH_AS(Rollout(t, {}, row), message.c_str(), Error);
  CHECK_THROWS_WITH_AS(Rollout(t, {}), message.c_str(), Error);
  CHECK_THROWS_WITH_AS(ResidualAdjustedLayer(t, 0, {}), message.c_str(), Error);
}

TEST_CASE("rows and layers out of range are usage errors") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {1, 0, 0, 1});
  const std::vector<int64_t> row{2};
  CHECK_THROWS_WITH_AS(Rollout(t, {}, row), "row 2 is out of range: there are 2 tokens (0..1)",
                       Error);
  LayerGraphOptions options;
  options.last_layer = 1;
  CHECK_THROWS_WITH_AS(Rollout(t, options), "layer 1 is out of range: there are 1 layer (0)",
                       Error);
}

// --- The numpy reference's golden values ---

Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path);
  return Json::parse(in);
}

LayerGraphOptions OptionsFrom(const Json& o) {
  LayerGraphOptions options;
  const std::string fuse = o.value("fuse", "mean");
  options.fuse = fuse == "max" ? HeadFuse::kMax : fuse == "min" ? HeadFuse::kMin : HeadFuse::kMean;
  options.discard = o.value("discard", 0.0);
  options.residual = !o.value("no_residual", false);
  if (o.contains("residual_weight")) {
    options.attention_weight = o["residual_weight"].get<double>();
    options.identity_weight = 1 - options.attention_weight;
  }
  options.first_layer = o.value("start_layer", int64_t{0});
  if (o.contains("end_layer")) options.last_layer = o["end_layer"].get<int64_t>();
  return options;
}

// "dense.npy" from the fixture folder, "data:induction.npy" from data/.
Dump LoadCaseInput(const std::string& folder, const std::string& file) {
  return LoadDump(file.starts_with("data:") ? kData + file.substr(5) : folder + file);
}

std::vector<double> Flatten(const Json& matrix) {
  std::vector<double> values;
  for (const Json& row : matrix) {
    for (const Json& value : row) values.push_back(value.get<double>());
  }
  return values;
}

TEST_CASE("rollout matches the numpy reference on every golden case to 1e-6") {
  const Json golden = ReadJson(kGolden + "golden.json");
  for (const Json& c : golden["cases"]) {
    INFO(c["file"].get<std::string>()
         << " " << c["options"].dump() << " rows " << c["rows"].dump());
    const Dump dump = LoadCaseInput(kGolden, c["file"]);
    std::vector<int64_t> rows;
    if (!c["rows"].is_null()) rows = c["rows"].get<std::vector<int64_t>>();
    const TokenRows got = Rollout(dump.attention, OptionsFrom(c["options"]), rows);
    CheckMatrix(got.values, Flatten(c["rollout"]), 1e-6);
  }
}

TEST_CASE("each layer matrix matches the numpy reference on every golden case to 1e-6") {
  const Json golden = ReadJson(kGolden + "golden.json");
  for (const Json& c : golden["layers"]) {
    INFO(c["file"].get<std::string>() << " layer " << c["layer"] << " " << c["options"].dump());
    const Dump dump = LoadCaseInput(kGolden, c["file"]);
    const std::vector<double> got =
        ResidualAdjustedLayer(dump.attention, c["layer"], OptionsFrom(c["options"]));
    CheckMatrix(got, Flatten(c["matrix"]), 1e-6);
  }
}

// --- Real dumps from ../shared/real (absent in a fresh clone: skipped) ---

TEST_CASE("a real 512-token head with padded keys rolls out to rows that sum to 1, 0 on pads") {
  if (testing::SkippedWithout()) return;
  LoadOptions keep;
  keep.keep_padding = true;  // the padded keys stay, to show they get 0
  const Dump dump = LoadDump(kReal + "roberta_coqa_512.npy", keep);
  const std::vector<int64_t> rows{0, 200};
  const TokenRows rollout = Rollout(dump.attention, {}, rows);
  for (size_t r = 0; r < rows.size(); ++r) {
    double sum = 0;
    for (int64_t j = 0; j < rollout.tokens; ++j) sum += rollout.at(r, j);
    CHECK(sum == doctest::Approx(1).epsilon(1e-12));
    CHECK(rollout.at(r, 511) == 0.0);  // a padded key, and not the row's own diagonal
  }
}

}  // namespace
}  // namespace attnviz
