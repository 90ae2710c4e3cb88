// Grouped-query heads: the key/value group of a query head, and the within- versus between-group
// statistic against scripts/reference/gqa.py (numpy) to 1e-6, permutation p-values exactly.
#include "attnviz/analysis/head_groups.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/gqa/";

TEST_CASE("consecutive query heads share a key/value head, as repeat_kv lays them out") {
  const KvGrouping llama{32, 8};  // Llama-3.2-1B
  CHECK(llama.GroupSize() == 4);
  CHECK(llama.GroupOf(0) == 0);
  CHECK(llama.GroupOf(3) == 0);
  CHECK(llama.GroupOf(4) == 1);
  CHECK(llama.GroupOf(31) == 7);
}

// Four heads of one layer: 0 and 1 at distance 1, 2 and 3 at 1, every other pair at 3.
HeadDistances TwoPairs() {
  HeadDistances d;
  for (int64_t h = 0; h < 4; ++h) d.heads.push_back({0, h});
  d.values = {0, 1, 3, 3, 1, 0, 3, 3, 3, 3, 0, 1, 3, 3, 1, 0};
  return d;
}

TEST_CASE("within and between are the mean distances of the two kinds of pairs") {
  const std::vector<int64_t> groups = {0, 0, 1, 1};
  const GroupSimilarity s = CompareGroups(TwoPairs(), groups);
  CHECK(s.within_pairs == 2);
  CHECK(s.between_pairs == 4);
  CHECK(s.within == doctest::Approx(1.0));
  CHECK(s.between == doctest::Approx(3.0));
  CHECK(s.ratio == doctest::Approx(1.0 / 3));
  // Of the 3 ways to pair 4 heads only the observed one has within-mean 1: p near 1/3.
  CHECK(s.p_value > 0.3);
  CHECK(s.p_value < 0.37);
}

TEST_CASE("heads of different layers are never paired") {
  // Heads 0 and 2 are layer 0, 1 and 3 layer 1; cross-layer pairs at 9 are never counted.
  HeadDistances d;
  d.heads = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
  d.values = {0, 9, 2, 9, 9, 0, 9, 5, 2, 9, 0, 9, 9, 5, 9, 0};
  const std::vector<int64_t> groups = {0, 0, 0, 1};
  const GroupSimilarity s = CompareGroups(d, groups);
  CHECK(s.within_pairs == 1);   // heads 0 and 2
  CHECK(s.between_pairs == 1);  // heads 1 and 3
  CHECK(s.within == doctest::Approx(2.0));
  CHECK(s.between == doctest::Approx(5.0));
}

TEST_CASE("each group's spread counts its own pairs and its pairs with the other heads") {
  const std::vector<int64_t> groups = {0, 0, 1, 1};
  const std::vector<GroupSpread> spreads = SpreadOfGroups(TwoPairs(), groups);
  REQUIRE(spreads.size() == 2);
  CHECK(spreads[1].group == 1);
  CHECK(spreads[1].heads == 2);
  CHECK(spreads[1].within == doctest::Approx(1.0));
  CHECK(spreads[1].between == doctest::Approx(3.0));
}

TEST_CASE("one head per group, or one group, leaves the statistic undefined") {
  const std::vector<int64_t> alone = {0, 1, 2, 3}, together = {0, 0, 0, 0};
  const GroupSimilarity a = CompareGroups(TwoPairs(), alone);
  CHECK(std::isnan(a.within));
  CHECK(std::isnan(a.p_value));
  CHECK(a.permutations == 0);
  CHECK(std::isnan(CompareGroups(TwoPairs(), together).between));
}

TEST_CASE("the statistic and its p-value agree with the numpy reference") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  REQUIRE(golden["cases"].size() >= 5);
  for (const nlohmann::json& c : golden["cases"]) {
    const std::string where = c["file"].get<std::string>() + " kv " + c["kv_heads"].dump() +
                              " permutations " + c["permutations"].dump();
    INFO(where);
    const Dump dump = LoadDump(kFixtures + c["file"].get<std::string>());
    const HeadDistances d = JsDistances(dump.attention, JsReduce::kMean, 1);
    const KvGrouping grouping{dump.attention.heads(), c["kv_heads"].get<int64_t>()};
    std::vector<int64_t> groups;
    for (const HeadId& id : d.heads) groups.push_back(grouping.GroupOf(id.head));
    CHECK(nlohmann::json(groups) == c["groups"]);
    const GroupSimilarity s =
        CompareGroups(d, groups, c["permutations"].get<int64_t>(), c["seed"].get<uint64_t>());
    testing::CheckGolden(c["within"], s.within, where + " within");
    testing::CheckGolden(c["between"], s.between, where + " between");
    testing::CheckGolden(c["ratio"], s.ratio, where + " ratio");
    testing::CheckGolden(c["p_value"], s.p_value, where + " p_value");
    const std::vector<GroupSpread> spreads = SpreadOfGroups(d, groups);
    REQUIRE(spreads.size() == c["per_group"].size());
    for (size_t k = 0; k < spreads.size(); ++k) {
      const nlohmann::json& e = c["per_group"][k];
      CHECK(spreads[k].group == e["group"].get<int64_t>());
      CHECK(spreads[k].heads == e["heads"].get<int64_t>());
      testing::CheckGolden(e["within"], spreads[k].within, where + " group within");
      testing::CheckGolden(e["between"], spreads[k].between, where + " group between");
    }
    CHECK(s.within_pairs == c["within_pairs"].get<int64_t>());
    CHECK(s.between_pairs == c["between_pairs"].get<int64_t>());
    CHECK(s.permutations ==
          c["permutations"].get<int64_t>() * (s.within_pairs > 0 && s.between_pairs > 0));
  }
}

}  // namespace
}  // namespace attnviz
