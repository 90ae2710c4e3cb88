// Comparing dumps: A − B by hand, and per-head JS, max |A − B|, statistics and series against the
// goldens of scripts/reference/diff.py (numpy).
#include "attnviz/analysis/diff.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::CheckGolden;
using testing::MakeTensor;
using Json = nlohmann::json;

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/diff/";

const Json& Golden() {
  static const Json golden = testing::ReadJson(kFixtures + "golden.json");
  return golden;
}

std::vector<HeadStats> StatsOf(const Dump& dump) {
  return ComputeHeadStats(dump.attention, dump.query_tokens, dump.key_tokens, {});
}

void CheckStats(const HeadStats& actual, const Json& expected, const std::string& side) {
  for (const auto& [name, value] : expected.items()) {
    CheckGolden(value, actual.*FindStatField(name)->member, side + " " + name);
  }
}

TEST_CASE("HeadDifference is A − B cell by cell") {
  const AttentionTensor a = MakeTensor({1, 2, 2}, {0.5f, 0.5f, 1, 0});
  const AttentionTensor b = MakeTensor({1, 2, 2}, {0.25f, 0.75f, 0.5f, 0.5f});
  CHECK(HeadDifference(a, b, 0, 0) == std::vector<float>{0.25f, -0.25f, 0.5f, -0.5f});
}

TEST_CASE("CompareHeads refuses dumps of different shapes") {
  const AttentionTensor a = MakeTensor({2, 2, 2}, std::vector<float>(8, 0.5f));
  const AttentionTensor b = MakeTensor({1, 2, 2}, std::vector<float>(4, 0.5f));
  CHECK_THROWS_WITH_AS(CompareHeads(a, b, {}, {}, JsReduce::kMean),
                       doctest::Contains("expected dumps of the same shape"), Error);
}

TEST_CASE("CompareHeads agrees with the numpy reference to 1e-6") {
  for (const Json& pair : Golden()["pairs"]) {
    INFO(pair["a"].get<std::string>(), " vs ", pair["b"].get<std::string>());
    const Dump a = LoadDump(kFixtures + pair["a"].get<std::string>());
    const Dump b = LoadDump(kFixtures + pair["b"].get<std::string>());
    const JsReduce reduce = pair["js_reduce"] == "sum" ? JsReduce::kSum : JsReduce::kMean;
    const std::vector<HeadChange> changes =
        CompareHeads(a.attention, b.attention, StatsOf(a), StatsOf(b), reduce, 2);
    REQUIRE(changes.size() == pair["heads"].size());
    for (size_t h = 0; h < changes.size(); ++h) {
      const Json& expected = pair["heads"][h];
      CHECK(changes[h].layer == expected["layer"].get<int64_t>());
      CHECK(changes[h].head == expected["head"].get<int64_t>());
      CheckGolden(expected["js"], changes[h].js, "js");
      CheckGolden(expected["max_abs_diff"], changes[h].max_abs_diff, "max_abs_diff");
      CheckStats(changes[h].a, expected["a"], "a");
      CheckStats(changes[h].b, expected["b"], "b");
    }
  }
}

TEST_CASE("A statistic over checkpoints agrees with the numpy reference to 1e-6") {
  for (const Json& s : Golden()["series"]) {
    INFO(s["stat"].get<std::string>());
    std::vector<std::vector<HeadStats>> checkpoints;
    for (const Json& file : s["files"]) {
      checkpoints.push_back(StatsOf(LoadDump(kFixtures + file.get<std::string>())));
    }
    const StatField* field = FindStatField(s["stat"].get<std::string>());
    REQUIRE(field != nullptr);
    const StatSeries series = StatOverCheckpoints(checkpoints, *field);
    CHECK(series.stat == s["stat"].get<std::string>());
    REQUIRE(series.values.size() == s["values"].size());
    CHECK(series.heads[3] == HeadId{1, 1});
    for (size_t h = 0; h < series.values.size(); ++h) {
      for (size_t k = 0; k < series.values[h].size(); ++k) {
        CheckGolden(s["values"][h][k], series.values[h][k], "head " + std::to_string(h));
      }
    }
  }
}

TEST_CASE("StatOverCheckpoints refuses checkpoints with different heads") {
  std::vector<std::vector<HeadStats>> checkpoints = {std::vector<HeadStats>(4),
                                                     std::vector<HeadStats>(2)};
  CHECK_THROWS_WITH_AS(StatOverCheckpoints(checkpoints, *FindStatField("entropy")),
                       doctest::Contains("4 heads in the first and 2 in checkpoint 1"), Error);
}

}  // namespace
}  // namespace attnviz
