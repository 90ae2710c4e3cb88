// Aggregates over inputs: hand-derived summaries, label counts and their ties, and the goldens of
// scripts/reference/aggregate.py (numpy's nanmean, nanstd, nanquantile) to 1e-6.
#include "attnviz/analysis/aggregate.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "attnviz/analysis/check.h"
#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/aggregate/";

TEST_CASE("a summary of 1, 2, 3, 4 is the mean, the population std and linear quartiles") {
  const std::vector<double> values = {4, 1, 3, 2};
  const Summary s = Summarize(values);
  CHECK(s.n == 4);
  CHECK(s.mean == doctest::Approx(2.5));
  CHECK(s.std == doctest::Approx(std::sqrt(1.25)));  // sqrt((2.25 + 0.25 + 0.25 + 2.25) / 4)
  CHECK(s.min == 1);
  CHECK(s.q25 == doctest::Approx(1.75));  // position 0.75 between 1 and 2
  CHECK(s.median == doctest::Approx(2.5));
  CHECK(s.q75 == doctest::Approx(3.25));
  CHECK(s.max == 4);
}

TEST_CASE("a summary leaves NaN out, and is NaN with n 0 when nothing is left") {
  const std::vector<double> some = {kNaN, 2, kNaN, 6};
  const Summary s = Summarize(some);
  CHECK(s.n == 2);
  CHECK(s.mean == 4);
  CHECK(s.std == 2);
  CHECK(s.median == 4);
  const std::vector<double> none = {kNaN, kNaN};
  const Summary empty = Summarize(none);
  CHECK(empty.n == 0);
  CHECK(std::isnan(empty.mean));
  CHECK(std::isnan(empty.std));
  CHECK(std::isnan(empty.max));
}

TEST_CASE("a summary of one value has std 0 and every quantile that value") {
  const std::vector<double> one = {0.3};
  const Summary s = Summarize(one);
  CHECK(s.n == 1);
  CHECK(s.std == 0);
  CHECK(s.q25 == 0.3);
  CHECK(s.q75 == 0.3);
}

HeadClass Labelled(int64_t layer, int64_t head, std::optional<Pattern> label) {
  HeadClass c;
  c.layer = layer;
  c.head = head;
  c.label = label;
  c.heterogeneous = !label;
  return c;
}

TEST_CASE("label counts name the most frequent label; ties go to the earlier pattern") {
  LabelAggregate labels;
  const std::vector<std::optional<Pattern>> per_input = {Pattern::kPrevious, std::nullopt,
                                                         Pattern::kSelf,     Pattern::kPrevious,
                                                         Pattern::kSelf,     std::nullopt};
  for (const std::optional<Pattern>& label : per_input) {
    const std::vector<HeadClass> heads = {Labelled(0, 0, label), Labelled(0, 1, std::nullopt)};
    labels.Add(heads);
  }
  const std::vector<LabelCounts> heads = labels.Heads();
  REQUIRE(heads.size() == 2);
  CHECK(heads[0].inputs == 6);
  CHECK(heads[0].count(Pattern::kPrevious) == 2);
  CHECK(heads[0].count(Pattern::kSelf) == 2);
  CHECK(heads[0].heterogeneous == 2);
  CHECK(heads[0].most_frequent == Pattern::kSelf);  // self comes before previous
  CHECK(heads[0].share() == doctest::Approx(2.0 / 6));
  CHECK(!heads[1].most_frequent);  // heterogeneous in every input
  CHECK(heads[1].most_frequent_count == 6);
}

HeadStats Numbered(int64_t layer, int64_t head) {
  HeadStats stats;
  stats.layer = layer;
  stats.head = head;
  return stats;
}

TEST_CASE("an aggregate refuses an input with other heads than the first") {
  StatsAggregate stats;
  stats.Add({Numbered(0, 0), Numbered(0, 1)});
  CHECK_THROWS_WITH_AS(stats.Add({Numbered(0, 0)}),
                       doctest::Contains("expected 1 layers x 2 heads as the first input has"),
                       Error);
  LabelAggregate labels;
  const std::vector<HeadClass> first = {Labelled(0, 0, std::nullopt)};
  const std::vector<HeadClass> other = {Labelled(1, 0, std::nullopt)};
  labels.Add(first);
  CHECK_THROWS_AS(labels.Add(other), Error);
}

void CheckSummaries(const nlohmann::json& expected, const std::vector<StatsSummary>& actual) {
  REQUIRE(expected.size() == actual.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    CHECK(expected[i]["layer"] == actual[i].layer);
    if (actual[i].head >= 0) CHECK(expected[i]["head"] == actual[i].head);
    for (size_t f = 0; f < StatFields().size(); ++f) {
      const char* name = StatFields()[f].name;
      if (!expected[i].contains(name)) continue;  // distance_2d: no grid
      const nlohmann::json& want = expected[i][name];
      const Summary& s = actual[i].stats[f];
      const std::string where = "entry " + std::to_string(i) + " " + name;
      CHECK_MESSAGE(want["n"] == s.n, where);
      testing::CheckGolden(want["mean"], s.mean, where + " mean");
      testing::CheckGolden(want["std"], s.std, where + " std");
      testing::CheckGolden(want["min"], s.min, where + " min");
      testing::CheckGolden(want["q25"], s.q25, where + " q25");
      testing::CheckGolden(want["median"], s.median, where + " median");
      testing::CheckGolden(want["q75"], s.q75, where + " q75");
      testing::CheckGolden(want["max"], s.max, where + " max");
    }
  }
}

TEST_CASE("aggregates of five padded inputs match the numpy reference to 1e-6") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  REQUIRE(golden["inputs"].size() == 5);
  StatsAggregate stats;
  LabelAggregate labels;
  for (const nlohmann::json& name : golden["inputs"]) {
    const Dump dump = LoadDump(kFixtures + name.get<std::string>());
    StatsOptions options;
    options.threads = 1;
    stats.Add(ComputeHeadStats(dump.attention, dump.query_tokens, dump.key_tokens, options));
    labels.Add(ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens));
  }
  CheckSummaries(golden["heads"], stats.Heads());
  CheckSummaries(golden["layers"], stats.Layers());
  const std::vector<LabelCounts> counts = labels.Heads();
  REQUIRE(golden["labels"].size() == counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    const nlohmann::json& want = golden["labels"][i];
    INFO("head " << i);
    for (Pattern p : AllPatterns())
      CHECK(want["counts"][std::string(PatternName(p))] == counts[i].count(p));
    CHECK(want["counts"]["heterogeneous"] == counts[i].heterogeneous);
    const std::string label = counts[i].most_frequent
                                  ? std::string(PatternName(*counts[i].most_frequent))
                                  : "heterogeneous";
    CHECK(want["most_frequent"] == label);
    CHECK(want["most_frequent_count"] == counts[i].most_frequent_count);
  }
}

TEST_CASE("an aggregate baseline reads each statistic's mean, and its drift compares means") {
  const std::string text = R"({"aggregate": {"inputs": 7}, "entropy_unit": "bits", "topk_k": 2,
    "heads": [{"layer": 0, "head": 0, "prev": {"n": 7, "mean": 0.5, "std": 0.1},
               "self": {"n": 0, "mean": null}}]})";
  const StatsBaseline baseline = ParseStatsBaseline(text, "set.json");
  CHECK(baseline.aggregate);
  CHECK(baseline.inputs == 7);
  CHECK(baseline.bits);
  REQUIRE(baseline.heads.size() == 1);
  CHECK(baseline.heads[0].prev == 0.5);
  CHECK(std::isnan(baseline.heads[0].self));
  CHECK_THROWS_WITH_AS(ParseStatsBaseline(R"({"heads": [{"layer": 0, "head": 0,
    "prev": {"mean": "high"}}]})",
                                          "set.json"),
                       doctest::Contains("heads[0].prev.mean, found \"high\""), Error);

  HeadStats now = baseline.heads[0];
  now.prev = 0.5 + 0.02 + 0.05 * 0.5 + 1e-9;  // just outside the default band 0.02 + 5 %
  const std::vector<HeadStats> current = {now};
  const std::vector<CheckResult> results = CheckDrift(current, baseline.heads, CheckRules());
  const auto prev = std::find_if(results.begin(), results.end(),
                                 [](const CheckResult& r) { return r.statistic == "prev"; });
  REQUIRE(prev != results.end());
  CHECK(!prev->passed);
  CHECK(prev->group == "layer 0 head 0");
  const std::vector<HeadStats> other = {Numbered(0, 1)};
  CHECK_THROWS_WITH_AS(CheckDrift(other, baseline.heads, CheckRules()),
                       doctest::Contains("expected baseline entry 0 to be"), Error);
}

}  // namespace
}  // namespace attnviz
