// Attention flow (Abnar & Zuidema 2020): the maximum flow through the layered attention graph
// from each output token down to each input token.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/analysis/rollout.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

struct FlowOptions {
  LayerGraphOptions graph;    // how each layer becomes Â_l, and which layers
  std::vector<int64_t> rows;  // output tokens; empty: every token
  bool raw = false;           // keep the maximum flows; otherwise each row is divided by its sum
  int threads = 0;            // 0: one per hardware thread
};

// The graph has nodes (l, i) for l = 0..L (L the layers taken) and an edge from (l + 1, i) to
// (l, j) with capacity Â_l[i, j]; row r of the result holds the maximum flow from
// (L, rows[r]) to (0, j) for every j. Exact in double precision (Dinic's algorithm; residuals
// below 1e-14 of the largest capacity count as saturated), computed pair by pair on `threads`
// threads, with the same result whatever their number. A row whose flows are all 0 stays 0.
// Throws like Rollout, and Error(kInput) for a negative entry of some Â_l.
TokenRows AttentionFlow(const AttentionTensor& tensor, const FlowOptions& options);

}  // namespace attnviz
