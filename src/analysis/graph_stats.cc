// Graph attention analyses: entropies over incoming edges, head fusion, neighbourhoods, thinning.
#include "attnviz/analysis/graph_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The incoming edges of each node, in edge order.
std::vector<std::vector<int64_t>> IncomingEdges(const GraphAttention& graph) {
  std::vector<std::vector<int64_t>> incoming(static_cast<size_t>(graph.nodes));
  for (int64_t e = 0; e < graph.edges(); ++e) incoming[graph.target[e]].push_back(e);
  return incoming;
}

NodeAttentionStats NodeStats(const GraphAttention& graph, int64_t node, int64_t head,
                             const std::vector<int64_t>& incoming) {
  NodeAttentionStats stats{node, head, static_cast<int64_t>(incoming.size())};
  for (int64_t e : incoming) stats.mass += graph.Alpha(e, head);
  stats.uniform_entropy =
      stats.in_degree > 0 ? std::log(static_cast<double>(stats.in_degree)) : kNaN;
  stats.marked_weight = kNaN;
  if (!(stats.mass > 0)) {
    stats.entropy = stats.ratio = stats.kl_to_uniform = kNaN;
    return stats;
  }
  for (int64_t e : incoming) {
    const double p = graph.Alpha(e, head) / stats.mass;
    if (p > 0) stats.entropy -= p * std::log(p);
    if (stats.top_edge < 0 || p > stats.top_weight) {
      stats.top_edge = e;
      stats.top_weight = p;
    }
  }
  stats.top_source = graph.source[stats.top_edge];
  stats.ratio = stats.in_degree >= 2 ? stats.entropy / stats.uniform_entropy : kNaN;
  stats.kl_to_uniform = stats.uniform_entropy - stats.entropy;
  if (!graph.marked_edge.empty() && graph.marked_edge[node] >= 0) {
    stats.marked_weight = graph.Alpha(graph.marked_edge[node], head) / stats.mass;
  }
  return stats;
}

void AddMarked(HeadAttentionSummary& summary, const NodeAttentionStats& node,
               const GraphAttention& graph) {
  if (std::isnan(node.marked_weight)) return;
  ++summary.marked_nodes;
  summary.marked_share += node.marked_weight;
  summary.uniform_marked_share += 1.0 / static_cast<double>(node.in_degree);
  summary.marked_is_top += node.top_edge == graph.marked_edge[node.node] ? 1 : 0;
}

HeadAttentionSummary Summarize(const GraphAttention& graph, int64_t head,
                               std::span<const NodeAttentionStats> nodes,
                               const GraphStatsOptions& options) {
  HeadAttentionSummary summary{head};
  for (const NodeAttentionStats& node : nodes) {
    AddMarked(summary, node, graph);
    if (node.in_degree < 2 || std::isnan(node.ratio)) continue;
    ++summary.nodes;
    summary.mean_entropy += node.entropy;
    summary.mean_uniform_entropy += node.uniform_entropy;
    summary.mean_ratio += node.ratio;
    summary.mean_kl += node.kl_to_uniform;
    summary.near_uniform_share += node.ratio >= options.near_uniform ? 1 : 0;
  }
  const double count = summary.nodes > 0 ? static_cast<double>(summary.nodes) : kNaN;
  for (double* mean : {&summary.mean_entropy, &summary.mean_uniform_entropy, &summary.mean_ratio,
                       &summary.mean_kl, &summary.near_uniform_share}) {
    *mean /= count;
  }
  const double marked = summary.marked_nodes > 0 ? static_cast<double>(summary.marked_nodes) : kNaN;
  for (double* mean :
       {&summary.marked_share, &summary.uniform_marked_share, &summary.marked_is_top}) {
    *mean /= marked;
  }
  return summary;
}

}  // namespace

GraphStats ComputeGraphStats(const GraphAttention& graph, const GraphStatsOptions& options) {
  const std::vector<std::vector<int64_t>> incoming = IncomingEdges(graph);
  GraphStats stats;
  for (int64_t h = 0; h < graph.heads; ++h) {
    const size_t first = stats.nodes.size();
    for (int64_t node = 0; node < graph.nodes; ++node) {
      stats.nodes.push_back(NodeStats(graph, node, h, incoming[node]));
    }
    for (int64_t e = 0; e < graph.edges(); ++e) {
      stats.nodes[first + graph.source[e]].received += graph.Alpha(e, h);
    }
    stats.heads.push_back(
        Summarize(graph, h, std::span(stats.nodes).subspan(first, static_cast<size_t>(graph.nodes)),
                  options));
  }
  return stats;
}

std::vector<double> HeadWeights(const GraphAttention& graph, int64_t head) {
  std::vector<double> weights;
  for (int64_t e = 0; e < graph.edges(); ++e) weights.push_back(graph.Alpha(e, head));
  return weights;
}

std::vector<double> FusedWeights(const GraphAttention& graph, EdgeFusion fusion) {
  std::vector<double> weights;
  for (int64_t e = 0; e < graph.edges(); ++e) {
    double fused = fusion == EdgeFusion::kMax ? graph.Alpha(e, 0) : 0;
    for (int64_t h = 0; h < graph.heads; ++h) {
      fused = fusion == EdgeFusion::kMax ? std::max(fused, graph.Alpha(e, h))
                                         : fused + graph.Alpha(e, h);
    }
    weights.push_back(fusion == EdgeFusion::kMax ? fused
                                                 : fused / static_cast<double>(graph.heads));
  }
  return weights;
}

std::vector<int64_t> KHopNodes(const GraphAttention& graph, int64_t node, int64_t hops) {
  if (node < 0 || node >= graph.nodes) {
    ThrowUsageError("--node " + std::to_string(node) + " is not a node of " + graph.path +
                    ", which has nodes 0 to " + std::to_string(graph.nodes - 1));
  }
  std::vector<bool> kept(static_cast<size_t>(graph.nodes), false);
  kept[node] = true;
  std::vector<int64_t> frontier = {node};
  const std::vector<std::vector<int64_t>> incoming = IncomingEdges(graph);
  for (int64_t hop = 0; hop < hops && !frontier.empty(); ++hop) {
    std::vector<int64_t> next;
    for (int64_t target : frontier) {
      for (int64_t e : incoming[target]) {
        if (kept[graph.source[e]]) continue;
        kept[graph.source[e]] = true;
        next.push_back(graph.source[e]);
      }
    }
    frontier = std::move(next);
  }
  std::vector<int64_t> nodes;
  for (int64_t n = 0; n < graph.nodes; ++n) {
    if (kept[n]) nodes.push_back(n);
  }
  return nodes;
}

std::vector<int64_t> EdgesAmong(const GraphAttention& graph, const std::vector<int64_t>& nodes) {
  std::vector<int64_t> edges;
  for (int64_t e = 0; e < graph.edges(); ++e) {
    if (std::binary_search(nodes.begin(), nodes.end(), graph.source[e]) &&
        std::binary_search(nodes.begin(), nodes.end(), graph.target[e])) {
      edges.push_back(e);
    }
  }
  return edges;
}

std::vector<int64_t> TopIncomingEdges(const GraphAttention& graph,
                                      const std::vector<double>& weight,
                                      const std::vector<int64_t>& edges, int64_t k) {
  std::vector<int64_t> order = edges;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    if (graph.target[a] != graph.target[b]) return graph.target[a] < graph.target[b];
    return weight[a] > weight[b];
  });
  std::vector<int64_t> kept;
  int64_t taken = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || graph.target[order[i]] != graph.target[order[i - 1]]) taken = 0;
    if (taken++ < k) kept.push_back(order[i]);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace attnviz
