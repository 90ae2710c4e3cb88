// Graph attention statistics against scripts/reference/graph_stats.py (numpy) to 1e-6, and the
// neighbourhoods and thinning against hand-derived answers on the 5-node fixture.
#include "attnviz/analysis/graph_stats.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include "attnviz/error.h"

#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::CheckGolden;

const std::string kGraph = ATTNVIZ_FIXTURES_DIR "/graph/";

nlohmann::json Golden() {
  std::ifstream in(kGraph + "golden.json");
  return nlohmann::json::parse(in);
}

void CheckNode(const nlohmann::json& want, const NodeAttentionStats& node) {
  const std::string what =
      "node " + std::to_string(node.node) + " head " + std::to_string(node.head);
  CHECK(node.node == want["node"].get<int64_t>());
  CHECK(node.head == want["head"].get<int64_t>());
  CHECK(node.in_degree == want["in_degree"].get<int64_t>());
  CheckGolden(want["mass"], node.mass, what + " mass");
  CheckGolden(want["entropy"], node.entropy, what + " entropy");
  CheckGolden(want["uniform_entropy"], node.uniform_entropy, what + " uniform entropy");
  CheckGolden(want["ratio"], node.ratio, what + " ratio");
  CheckGolden(want["kl_to_uniform"], node.kl_to_uniform, what + " kl");
  CheckGolden(want["received"], node.received, what + " received");
  CHECK(node.top_edge == want["top_edge"].get<int64_t>());
  CheckGolden(want["top_weight"], node.top_weight, what + " top weight");
}

void CheckHead(const nlohmann::json& want, const HeadAttentionSummary& head) {
  const std::string what = "head " + std::to_string(head.head);
  CHECK(head.nodes == want["nodes"].get<int64_t>());
  CheckGolden(want["mean_entropy"], head.mean_entropy, what + " mean entropy");
  CheckGolden(want["mean_uniform_entropy"], head.mean_uniform_entropy, what + " mean uniform");
  CheckGolden(want["mean_ratio"], head.mean_ratio, what + " mean ratio");
  CheckGolden(want["mean_kl"], head.mean_kl, what + " mean kl");
  CheckGolden(want["near_uniform_share"], head.near_uniform_share, what + " near uniform");
}

TEST_CASE("graph statistics agree with the numpy reference") {
  const nlohmann::json golden = Golden();
  for (const nlohmann::json& golden_case : golden["cases"]) {
    const std::string file = golden_case["file"].get<std::string>();
    INFO(file);
    const GraphStats stats = ComputeGraphStats(LoadGraphAttention(kGraph + file),
                                               {golden["near_uniform"].get<double>()});
    REQUIRE(stats.nodes.size() == golden_case["nodes"].size());
    for (size_t i = 0; i < stats.nodes.size(); ++i)
      CheckNode(golden_case["nodes"][i], stats.nodes[i]);
    REQUIRE(stats.heads.size() == golden_case["heads"].size());
    for (size_t h = 0; h < stats.heads.size(); ++h)
      CheckHead(golden_case["heads"][h], stats.heads[h]);
  }
}

TEST_CASE("uniform attention has entropy log(deg) and no KL; one-hot has entropy 0") {
  GraphAttention graph;
  graph.nodes = 4;
  graph.heads = 2;
  graph.source = {1, 2, 3, 0};
  graph.target = {0, 0, 0, 0};
  graph.alpha = {1.0 / 3, 1, 1.0 / 3, 0, 1.0 / 3, 0, 0, 0};
  const GraphStats stats = ComputeGraphStats(graph);
  CHECK(stats.nodes[0].entropy == doctest::Approx(std::log(3.0)));
  CHECK(stats.nodes[0].uniform_entropy == doctest::Approx(std::log(4.0)));
  CHECK(stats.nodes[4].entropy == doctest::Approx(0));
  CHECK(stats.nodes[4].kl_to_uniform == doctest::Approx(std::log(4.0)));
  CHECK(stats.nodes[4].top_source == 1);
  CHECK(std::isnan(stats.nodes[1].entropy));  // node 1 receives nothing
}

TEST_CASE("the k-hop neighbourhood follows incoming edges (hand-derived on the fixture)") {
  const GraphAttention graph = LoadGraphAttention(kGraph + "tiny.npz");
  // Into 1: 0 and 2. Into 2: 1 and 3. Into 0: only its self-loop. Into 3: 4. Into 4: 3 and 0.
  CHECK(KHopNodes(graph, 1, 0) == std::vector<int64_t>{1});
  CHECK(KHopNodes(graph, 1, 1) == std::vector<int64_t>{0, 1, 2});
  CHECK(KHopNodes(graph, 1, 2) == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(KHopNodes(graph, 1, 3) == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(KHopNodes(graph, 0, 5) == std::vector<int64_t>{0});
  // Edges among {0, 1, 2}: 0->1, 2->1, 1->2 and the three self-loops (indices 7, 8, 9).
  CHECK(EdgesAmong(graph, {0, 1, 2}) == std::vector<int64_t>{0, 1, 2, 7, 8, 9});
  CHECK_THROWS_AS(KHopNodes(graph, 5, 1), Error);
}

TEST_CASE("thinning keeps each node's k heaviest incoming edges") {
  GraphAttention graph;
  graph.nodes = 3;
  graph.source = {1, 2, 0, 0, 1, 2};
  graph.target = {0, 0, 0, 1, 1, 2};
  const std::vector<double> weight = {0.2, 0.5, 0.3, 0.4, 0.6, 1.0};
  const std::vector<int64_t> all = {0, 1, 2, 3, 4, 5};
  CHECK(TopIncomingEdges(graph, weight, all, 1) == std::vector<int64_t>{1, 4, 5});
  CHECK(TopIncomingEdges(graph, weight, all, 2) == std::vector<int64_t>{1, 2, 3, 4, 5});
  CHECK(TopIncomingEdges(graph, weight, {0, 2, 5}, 1) == std::vector<int64_t>{2, 5});
}

TEST_CASE("fusion takes the mean or the max over heads") {
  GraphAttention graph;
  graph.nodes = 2;
  graph.heads = 2;
  graph.source = {0, 1};
  graph.target = {1, 1};
  graph.alpha = {0.2, 0.6, 0.8, 0.4};
  const std::vector<double> mean = FusedWeights(graph, EdgeFusion::kMean);
  CHECK(mean[0] == doctest::Approx(0.4));
  CHECK(mean[1] == doctest::Approx(0.6));
  CHECK(FusedWeights(graph, EdgeFusion::kMax) == std::vector<double>{0.6, 0.8});
  CHECK(HeadWeights(graph, 1) == std::vector<double>{0.6, 0.4});
}

}  // namespace
}  // namespace attnviz
