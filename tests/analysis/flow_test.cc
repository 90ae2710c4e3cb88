// Attention flow: maximum flows worked out by hand on tiny graphs, the golden values of
// scripts/reference/flow.py (networkx, two algorithms that agree) to 1e-6, and determinism.
#include "attnviz/analysis/flow.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "support/real_dumps.h"
#include "attnviz/io/load.h"
#include "support/tensors.h"

namespace attnviz {
namespace {

using Json = nlohmann::json;

const std::string kGolden = ATTNVIZ_FIXTURES_DIR "/analysis/flow/";
const std::string kData = ATTNVIZ_DATA_DIR "/";
const std::string kReal = ATTNVIZ_SHARED_REAL_DIR "/";

using testing::MakeTensor;

// Raw maximum flows through the layers as given: no residual, no normalisation.
FlowOptions RawGraph() {
  FlowOptions options;
  options.graph.residual = false;
  options.raw = true;
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

// --- By hand ---

TEST_CASE("through one layer the flow from i to j is the edge Â[i, j]") {
  const AttentionTensor t = MakeTensor({1, 1, 2, 2}, {0.75f, 0.25f, 0.5f, 0.5f});
  CheckMatrix(AttentionFlow(t, RawGraph()).values, {0.75, 0.25, 0.5, 0.5});
}

TEST_CASE("a path carries no more than its narrowest edge; parallel paths add up") {
  // Â_1 (top) = [[0.5, 0.5], [0, 0]], Â_0 = [[0.25, 0.125], [0.0625, 0]]: output 0 reaches
  // input 0 over (1, 0) with min(0.5, 0.25) and over (1, 1) with min(0.5, 0.0625).
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {0.25f, 0.125f, 0.0625f, 0, 0.5f, 0.5f, 0, 0});
  const TokenRows flow = AttentionFlow(t, RawGraph());
  CHECK(flow.at(0, 0) == 0.3125);
  CHECK(flow.at(0, 1) == 0.125);
  CHECK(flow.at(1, 0) == 0.0);  // output 1 has no edges at all
}

TEST_CASE("flow that the first, downward-only phase misroutes is rerouted to the maximum") {
  // From (3, 0): the depth-first first phase sends 0.5 over (2, 0) -> (1, 0) -> (0, 0), which
  // blocks (2, 1), whose only way down is (1, 0). The maximum, 1.0, sends (2, 0) over (1, 1)
  // instead: it needs a path that goes back up the edge (2, 0) -> (1, 0).
  const AttentionTensor t = MakeTensor({3, 1, 2, 2}, {0.5f, 0, 0.5f, 0,     // Â_0
                                                      0.5f, 0.5f, 0.5f, 0,  // Â_1
                                                      0.5f, 0.5f, 0, 0});   // Â_2
  const TokenRows flow = AttentionFlow(t, RawGraph());
  CHECK(flow.at(0, 0) == 1.0);
  CHECK(flow.at(0, 1) == 0.0);
}

TEST_CASE("rows are divided by their sum unless raw; a row without flow stays 0") {
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {0.25f, 0.125f, 0.0625f, 0, 0.5f, 0.5f, 0, 0});
  FlowOptions options = RawGraph();
  options.raw = false;
  // Raw row 0 is (0.3125, 0.125), summing to 0.4375.
  CheckMatrix(AttentionFlow(t, options).values, {0.3125 / 0.4375, 0.125 / 0.4375, 0, 0});
}

TEST_CASE("chosen rows are those rows of the full result, in the order asked") {
  const Dump dump = LoadDump(kGolden + "dense.npy");
  const TokenRows all = AttentionFlow(dump.attention, {});
  FlowOptions options;
  options.rows = {4, 1};
  const TokenRows some = AttentionFlow(dump.attention, options);
  CHECK(some.rows == options.rows);
  for (size_t r = 0; r < 2; ++r) {
    for (int64_t j = 0; j < some.tokens; ++j) {
      CHECK(some.at(r, j) == all.at(static_cast<size_t>(options.rows[r]), j));
    }
  }
}

TEST_CASE("the number of threads does not change a single bit") {
  const Dump dump = LoadDump(kGolden + "sharp.npy");
  FlowOptions options = RawGraph();
  options.threads = 1;
  const TokenRows one = AttentionFlow(dump.attention, options);
  options.threads = 3;
  const TokenRows three = AttentionFlow(dump.attention, options);
  CHECK(one.values == three.values);
}

TEST_CASE("a negative weight has no flow: an input error names where it is") {
  const AttentionTensor t = MakeTensor({2, 1, 2, 2}, {0.5f, 0.5f, 1, 0, 0.5f, -0.5f, 0, 1});
  try {
    AttentionFlow(t, RawGraph());
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(std::string(e.what()).find("found -0.5") != std::string::npos);
    CHECK(std::string(e.what()).find("layer 1, query 0, key 1") != std::string::npos);
  }
}

// --- The networkx reference's golden values ---

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

std::vector<double> Flatten(const Json& matrix) {
  std::vector<double> values;
  for (const Json& row : matrix) {
    for (const Json& value : row) values.push_back(value.get<double>());
  }
  return values;
}

TEST_CASE("flow matches networkx's maximum flow on every golden case to 1e-6") {
  const Json golden = ReadJson(kGolden + "golden.json");
  for (const Json& c : golden["cases"]) {
    const std::string file = c["file"];
    INFO(file << " " << c["options"].dump() << " rows " << c["rows"].dump() << " raw " << c["raw"]);
    const Dump dump = LoadDump(file.starts_with("data:") ? kData + file.substr(5) : kGolden + file);
    FlowOptions options;
    options.graph = OptionsFrom(c["options"]);
    if (!c["rows"].is_null()) options.rows = c["rows"].get<std::vector<int64_t>>();
    options.raw = c["raw"];
    CheckMatrix(AttentionFlow(dump.attention, options).values, Flatten(c["flow"]), 1e-6);
  }
}

// --- Real dumps from ../shared/real (absent in a fresh clone: skipped) ---

TEST_CASE("a real one-layer dump's raw flow is its residual-adjusted matrix") {
  if (testing::SkippedWithout()) return;
  for (const char* name : {"finbert_l11h0.json", "llama31_l31h0_crop.json"}) {
    INFO(name);
    const Dump dump = LoadDump(kReal + name);
    FlowOptions options;
    options.raw = true;
    const TokenRows flow = AttentionFlow(dump.attention, options);
    CheckMatrix(flow.values, ResidualAdjustedLayer(dump.attention, 0, {}), 1e-12);
  }
}

}  // namespace
}  // namespace attnviz
