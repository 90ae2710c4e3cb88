// Graph attention analyses: per-node entropy against the uniform distribution over incoming
// edges, per-head summaries, head selection and fusion, k-hop neighbourhoods and thinning.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attnviz/io/graph_dump.h"

namespace attnviz {

// One node's attention over its incoming edges (self-loop included) in one head. Weights are
// normalised by their sum (`mass`, 1 for PyG's softmax) before the entropy is taken; entropies in
// nats. A node without incoming edges has NaN entropy, ratio and KL.
struct NodeAttentionStats {
  int64_t node = 0;
  int64_t head = 0;
  int64_t in_degree = 0;
  double mass = 0;             // sum of alpha over the incoming edges
  double entropy = 0;          // H(p) = -sum p log p
  double uniform_entropy = 0;  // log(in_degree): the entropy of uniform attention
  double ratio = 0;            // H / log(in_degree); NaN when in_degree < 2
  double kl_to_uniform = 0;    // KL(p || uniform) = log(in_degree) - H
  int64_t top_edge = -1;       // the incoming edge with the most attention (lowest index on ties)
  int64_t top_source = -1;
  double top_weight = 0;     // its normalised weight
  double received = 0;       // sum of alpha over the node's outgoing edges (as a source)
  double marked_weight = 0;  // normalised weight of the dump's marked edge; NaN without one
};

struct HeadAttentionSummary {
  int64_t head = 0;
  int64_t nodes = 0;  // with at least two incoming edges: the nodes the means cover
  double mean_entropy = 0;
  double mean_uniform_entropy = 0;
  double mean_ratio = 0;
  double mean_kl = 0;
  double near_uniform_share = 0;  // of those nodes, the share with ratio >= the threshold
  // With a marked edge per node (sample data): the mean normalised weight on it, the mean 1/deg
  // uniform attention would give it, and the share of nodes whose top edge it is; else NaN.
  int64_t marked_nodes = 0;
  double marked_share = 0;
  double uniform_marked_share = 0;
  double marked_is_top = 0;
};

struct GraphStatsOptions {
  double near_uniform = 0.9;  // ratio H / log(deg) at or above which attention counts as uniform
};

struct GraphStats {
  std::vector<NodeAttentionStats> nodes;  // head-major: every node of head 0, then head 1, ...
  std::vector<HeadAttentionSummary> heads;
};

// Statistics of every node in each head of `graph`.
GraphStats ComputeGraphStats(const GraphAttention& graph, const GraphStatsOptions& options = {});

// One weight per edge: head `head`'s alpha.
std::vector<double> HeadWeights(const GraphAttention& graph, int64_t head);

enum class EdgeFusion { kMean, kMax };

// One weight per edge: the mean or the max of alpha over the heads.
std::vector<double> FusedWeights(const GraphAttention& graph, EdgeFusion fusion);

// The nodes whose messages reach `node` within `hops` steps along the edges (PyG's k_hop_subgraph
// with flow source_to_target), `node` included, in increasing order. A usage Error when `node` is
// not a node of the graph.
std::vector<int64_t> KHopNodes(const GraphAttention& graph, int64_t node, int64_t hops);

// The edges with both ends among `nodes` (sorted), in increasing order.
std::vector<int64_t> EdgesAmong(const GraphAttention& graph, const std::vector<int64_t>& nodes);

// Of `edges`, the `k` incoming edges of each target with the most weight (ties: lower edge index
// first), self-loops included, in increasing order.
std::vector<int64_t> TopIncomingEdges(const GraphAttention& graph,
                                      const std::vector<double>& weight,
                                      const std::vector<int64_t>& edges, int64_t k);

}  // namespace attnviz
