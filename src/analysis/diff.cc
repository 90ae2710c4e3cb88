// Head-by-head comparison of two dumps, and one statistic followed across checkpoints.
#include "attnviz/analysis/diff.h"

#include <algorithm>
#include <cmath>

#include "attnviz/error.h"

namespace attnviz {

namespace {

double MaxAbsDifference(const std::vector<float>& difference) {
  double largest = 0;
  for (float value : difference) {
    if (std::isnan(value)) return NAN;
    largest = std::max(largest, static_cast<double>(std::abs(value)));
  }
  return largest;
}

}  // namespace

std::vector<HeadChange> CompareHeads(const AttentionTensor& a, const AttentionTensor& b,
                                     std::span<const HeadStats> stats_a,
                                     std::span<const HeadStats> stats_b, JsReduce reduce,
                                     int threads) {
  const std::vector<double> js = PairedJsDistances(a, b, reduce, threads);
  std::vector<HeadChange> changes;
  for (int64_t layer = 0; layer < a.layers(); ++layer) {
    for (int64_t head = 0; head < a.heads(); ++head) {
      const auto index = static_cast<size_t>(layer * a.heads() + head);
      changes.push_back({layer, head, js[index],
                         MaxAbsDifference(HeadDifference(a, b, layer, head)), stats_a[index],
                         stats_b[index]});
    }
  }
  return changes;
}

std::vector<float> HeadDifference(const AttentionTensor& a, const AttentionTensor& b, int64_t layer,
                                  int64_t head) {
  std::vector<float> difference = a.ReadHead(layer, head);
  const std::vector<float> other = b.ReadHead(layer, head);
  for (size_t cell = 0; cell < difference.size(); ++cell) difference[cell] -= other[cell];
  return difference;
}

StatSeries StatOverCheckpoints(std::span<const std::vector<HeadStats>> checkpoints,
                               const StatField& field) {
  StatSeries series{field.name, {}, {}};
  if (checkpoints.empty()) return series;
  const size_t heads = checkpoints.front().size();
  for (size_t k = 0; k < checkpoints.size(); ++k) {
    if (checkpoints[k].size() != heads) {
      ThrowUsageError("expected checkpoints with the same heads, found " + std::to_string(heads) +
                      " heads in the first and " + std::to_string(checkpoints[k].size()) +
                      " in checkpoint " + std::to_string(k));
    }
  }
  for (size_t h = 0; h < heads; ++h) {
    series.heads.push_back({checkpoints.front()[h].layer, checkpoints.front()[h].head});
    series.values.emplace_back();
    for (const auto& checkpoint : checkpoints) {
      series.values.back().push_back(checkpoint[h].*field.member);
    }
  }
  return series;
}

}  // namespace attnviz
