// Within- versus between-group distances of grouped-query heads and their permutation test.
#include "attnviz/analysis/head_groups.h"

#include <algorithm>
#include <utility>

namespace attnviz {

namespace {

// Sebastiano Vigna's splitmix64: a tiny generator whose output Python reproduces exactly.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// The pairs (a < b) of heads in the same layer.
std::vector<std::pair<size_t, size_t>> SameLayerPairs(const HeadDistances& d) {
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t a = 0; a < d.size(); ++a) {
    for (size_t b = a + 1; b < d.size(); ++b) {
      if (d.heads[a].layer == d.heads[b].layer) pairs.emplace_back(a, b);
    }
  }
  return pairs;
}

struct PairSums {
  double within = 0;
  double between = 0;
  int64_t within_pairs = 0;
  int64_t between_pairs = 0;
};

PairSums SumPairs(const HeadDistances& d, const std::vector<std::pair<size_t, size_t>>& pairs,
                  std::span<const int64_t> groups) {
  PairSums sums;
  for (const auto& [a, b] : pairs) {
    if (groups[a] == groups[b]) {
      sums.within += d.at(a, b);
      ++sums.within_pairs;
    } else {
      sums.between += d.at(a, b);
      ++sums.between_pairs;
    }
  }
  return sums;
}

// The head indexes of each layer, layers in order of first appearance.
std::vector<std::vector<size_t>> HeadsByLayer(const HeadDistances& d) {
  std::vector<std::vector<size_t>> layers;
  std::vector<int64_t> seen;
  for (size_t a = 0; a < d.size(); ++a) {
    size_t k = 0;
    while (k < seen.size() && seen[k] != d.heads[a].layer) ++k;
    if (k == seen.size()) {
      seen.push_back(d.heads[a].layer);
      layers.emplace_back();
    }
    layers[k].push_back(a);
  }
  return layers;
}

void ShuffleWithinLayers(const std::vector<std::vector<size_t>>& layers, SplitMix64& random,
                         std::vector<int64_t>& groups) {
  for (const std::vector<size_t>& heads : layers) {
    for (size_t i = heads.size(); i-- > 1;) {
      const size_t j = random.Next() % (i + 1);
      std::swap(groups[heads[i]], groups[heads[j]]);
    }
  }
}

double MeanOrNaN(double sum, int64_t count) {
  return count ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

GroupSpread SpreadOf(const HeadDistances& d, const std::vector<std::pair<size_t, size_t>>& pairs,
                     std::span<const int64_t> groups, int64_t group) {
  GroupSpread spread;
  spread.group = group;
  spread.heads = std::count(groups.begin(), groups.end(), group);
  double within = 0, between = 0;
  int64_t within_pairs = 0, between_pairs = 0;
  for (const auto& [a, b] : pairs) {
    const int inside = (groups[a] == group) + (groups[b] == group);
    if (inside == 2) {
      within += d.at(a, b);
      ++within_pairs;
    } else if (inside == 1) {
      between += d.at(a, b);
      ++between_pairs;
    }
  }
  spread.within = MeanOrNaN(within, within_pairs);
  spread.between = MeanOrNaN(between, between_pairs);
  return spread;
}

}  // namespace

std::vector<GroupSpread> SpreadOfGroups(const HeadDistances& distances,
                                        std::span<const int64_t> groups) {
  std::vector<int64_t> names(groups.begin(), groups.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const auto pairs = SameLayerPairs(distances);
  std::vector<GroupSpread> spreads;
  for (int64_t group : names) spreads.push_back(SpreadOf(distances, pairs, groups, group));
  return spreads;
}

GroupSimilarity CompareGroups(const HeadDistances& distances, std::span<const int64_t> groups,
                              int64_t permutations, uint64_t seed) {
  const auto pairs = SameLayerPairs(distances);
  const PairSums observed = SumPairs(distances, pairs, groups);
  GroupSimilarity result;
  result.within_pairs = observed.within_pairs;
  result.between_pairs = observed.between_pairs;
  if (observed.within_pairs == 0 || observed.between_pairs == 0) return result;
  result.within = observed.within / static_cast<double>(observed.within_pairs);
  result.between = observed.between / static_cast<double>(observed.between_pairs);
  result.ratio = result.within / result.between;
  // The number of within pairs stays the same under a shuffle inside layers: compare sums.
  const double bound = observed.within * (1 + 1e-9);
  const auto layers = HeadsByLayer(distances);
  std::vector<int64_t> shuffled(groups.begin(), groups.end());
  SplitMix64 random(seed);
  int64_t as_small = 0;
  for (int64_t k = 0; k < permutations; ++k) {
    ShuffleWithinLayers(layers, random, shuffled);
    if (SumPairs(distances, pairs, shuffled).within <= bound) ++as_small;
  }
  result.permutations = permutations;
  result.p_value = static_cast<double>(1 + as_small) / static_cast<double>(1 + permutations);
  return result;
}

}  // namespace attnviz
