// SinkMasses: the masses and sinks of scripts/reference/sinks.py (numpy) to 1e-6, and the layer
// spreads the sinks figure draws.
#include "attnviz/analysis/sinks.h"

#include <doctest/doctest.h>

#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::CheckGolden;

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/sinks/";

SinkMasses SinksOf(const nlohmann::json& golden_case, int threads = 1) {
  SinksOptions options;
  options.threads = threads;
  if (!golden_case["special"].is_null()) {
    options.special_tokens = golden_case["special"].get<std::vector<std::string>>();
  }
  SinkMasses masses(options);
  for (const std::string& file : golden_case["files"].get<std::vector<std::string>>()) {
    const Dump dump = LoadDump(kFixtures + file);
    masses.Add(dump.attention, dump.query_tokens, dump.key_tokens, file);
  }
  return masses;
}

void CheckHead(const nlohmann::json& want, const HeadSinks& head, const std::string& what) {
  CHECK(head.layer == want["layer"].get<int64_t>());
  CHECK(head.head == want["head"].get<int64_t>());
  CheckGolden(want["first"], head.first, what + " first");
  CheckGolden(want["special"], head.special, what + " special");
  CheckGolden(want["punct"], head.punct, what + " punct");
  REQUIRE(head.by_token.size() == want["by_token"].size());
  for (const auto& [token, mass] : want["by_token"].items()) {
    CheckGolden(mass, head.by_token.at(token), what + " " + token);
  }
  CHECK_MESSAGE(head.sink == want["sink"].get<std::string>(), what);
  CheckGolden(want["sink_inputs"], head.sink_inputs, what + " sink_inputs");
  CheckGolden(want["sink_mass"], head.sink_mass, what + " sink_mass");
  CHECK(head.rows == want["rows"].get<int64_t>());
  CHECK(head.inputs == want["inputs"].get<int64_t>());
}

TEST_CASE("sink masses equal the numpy reference to 1e-6 on every fixture case") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  for (const nlohmann::json& golden_case : golden["cases"]) {
    const std::string name = golden_case["name"];
    const SinkMasses masses = SinksOf(golden_case);
    const std::vector<HeadSinks> heads = masses.Results();
    REQUIRE(heads.size() == golden_case["heads"].size());
    for (size_t k = 0; k < heads.size(); ++k) {
      CheckHead(golden_case["heads"][k], heads[k], name + " head " + std::to_string(k));
    }
    CHECK(masses.SpecialTokens() == golden_case["special_tokens"].get<std::vector<std::string>>());
    CHECK(masses.FirstTokenText() == golden_case["first_token"].get<std::string>());
  }
}

TEST_CASE("the layer spreads are numpy's mean and linear quartiles over each layer's heads") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  const nlohmann::json& golden_case = golden["cases"][0];
  const std::vector<HeadSinks> heads = SinksOf(golden_case).Results();
  for (const char* measure : {"first", "special"}) {
    std::vector<double> values;
    for (const HeadSinks& head : heads)
      values.push_back(std::string(measure) == "first" ? head.first : head.special);
    const std::vector<LayerSpread> layers = SpreadByLayer(values, 4);
    REQUIRE(layers.size() == golden_case["spread"][measure].size());
    for (size_t l = 0; l < layers.size(); ++l) {
      const nlohmann::json& want = golden_case["spread"][measure][l];
      CheckGolden(want["mean"], layers[l].mean, std::string(measure) + " mean");
      CheckGolden(want["q25"], layers[l].q25, std::string(measure) + " q25");
      CheckGolden(want["q75"], layers[l].q75, std::string(measure) + " q75");
    }
  }
}

TEST_CASE("planted sinks are found: [CLS] for the first-token head, [SEP] for the last-key head") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  const std::vector<HeadSinks> heads = SinksOf(golden["cases"][0], 3).Results();
  CHECK(heads[1].sink == "[CLS]");
  CHECK(heads[1].sink_inputs == 1.0);
  CHECK(heads[1].first > 0.7);  // planted 0.7 plus its share of the noise
  CHECK(heads[5].sink == "[SEP]");
  CHECK(heads[5].by_token.at("[SEP]") > 0.6);
}

}  // namespace
}  // namespace attnviz
