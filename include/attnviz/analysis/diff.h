// Comparing dumps head by head: two checkpoints or models (A − B, JS, every statistic), or one
// statistic over a sequence of checkpoints (training dynamics).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attnviz/analysis/head_distance.h"
#include "attnviz/analysis/head_stats.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// How one head changed from B to A. Every change is A − B, like the difference maps.
struct HeadChange {
  int64_t layer = 0;
  int64_t head = 0;
  double js = 0;            // JsDivergence(A_h, B_h)
  double max_abs_diff = 0;  // max_ij |A_ij − B_ij|
  HeadStats a;
  HeadStats b;
};

// Every head of `a` against the same head of `b`; `stats_a` and `stats_b` are ComputeHeadStats of
// each (layer-major, one per head). Throws Error(kInput) when the dumps differ in shape, and like
// PairedJsDistances for weights the JS divergence cannot take.
std::vector<HeadChange> CompareHeads(const AttentionTensor& a, const AttentionTensor& b,
                                     std::span<const HeadStats> stats_a,
                                     std::span<const HeadStats> stats_b, JsReduce reduce,
                                     int threads = 0);

// A − B of one head, queries x keys row-major (NaN where either is NaN).
std::vector<float> HeadDifference(const AttentionTensor& a, const AttentionTensor& b, int64_t layer,
                                  int64_t head);

// One statistic of every head across checkpoints.
struct StatSeries {
  std::string stat;
  std::vector<HeadId> heads;                // layer-major
  std::vector<std::vector<double>> values;  // values[head][checkpoint]
};

// `field` of each head over `checkpoints` (each the ComputeHeadStats of one dump, in order).
// Throws Error(kUsage) when the checkpoints differ in their number of heads.
StatSeries StatOverCheckpoints(std::span<const std::vector<HeadStats>> checkpoints,
                               const StatField& field);

}  // namespace attnviz
