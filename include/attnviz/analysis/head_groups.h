// Grouped-query attention: which query heads share a key/value head, and whether the heads of a
// group attend more alike than heads of different groups.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "attnviz/analysis/head_distance.h"

namespace attnviz {

// `query_heads` query heads share `kv_heads` key/value heads, consecutive query heads sharing
// one as Hugging Face's repeat_kv lays them out: head h uses key/value head h / (query_heads /
// kv_heads). Requires kv_heads >= 1 dividing query_heads.
struct KvGrouping {
  int64_t query_heads = 0;
  int64_t kv_heads = 0;

  int64_t GroupSize() const { return query_heads / kv_heads; }
  int64_t GroupOf(int64_t head) const { return head / GroupSize(); }
};

inline constexpr int64_t kGroupPermutations = 9999;
inline constexpr uint64_t kGroupSeed = 0x5eed;

// Mean distance over the pairs of heads of one layer that share a group and over those that do
// not, their ratio, and a one-sided permutation p-value for "within is smaller than chance".
// NaN (and 0 permutations) where a kind of pair is missing.
struct GroupSimilarity {
  double within = std::numeric_limits<double>::quiet_NaN();
  double between = std::numeric_limits<double>::quiet_NaN();
  double ratio = std::numeric_limits<double>::quiet_NaN();  // within / between
  double p_value = std::numeric_limits<double>::quiet_NaN();
  int64_t within_pairs = 0;
  int64_t between_pairs = 0;
  int64_t permutations = 0;
};

// `groups[a]` is the group of distances.heads[a]; only heads of the same layer are paired. The
// p-value is (1 + the permutations whose within-mean is <= the observed one, 1e-9 relative) /
// (1 + permutations); each permutation reshuffles the group labels inside every layer, layers
// in order, by Fisher-Yates with j = splitmix64(seed) mod (i + 1), i from the last index down.
// Deterministic; scripts/reference/gqa.py draws the same permutations.
GroupSimilarity CompareGroups(const HeadDistances& distances, std::span<const int64_t> groups,
                              int64_t permutations = kGroupPermutations,
                              uint64_t seed = kGroupSeed);

// One group's own pairs: the mean distance between its heads (same layer), and between its
// heads and the other heads of their layers; NaN without such pairs.
struct GroupSpread {
  int64_t group = 0;
  int64_t heads = 0;
  double within = std::numeric_limits<double>::quiet_NaN();
  double between = std::numeric_limits<double>::quiet_NaN();
};

// Every group that occurs in `groups`, in increasing order.
std::vector<GroupSpread> SpreadOfGroups(const HeadDistances& distances,
                                        std::span<const int64_t> groups);

}  // namespace attnviz
