// The whole-tensor summary behind `info`: one pass over every head.
#include "attnviz/analysis/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnviz {

namespace {

// Running totals over heads; merged into a TensorSummary at the end.
struct SummaryAccumulator {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double row_sum_min = std::numeric_limits<double>::infinity();
  double row_sum_max = -std::numeric_limits<double>::infinity();
  int64_t nan = 0;
  int64_t inf = 0;
  bool causal = true;
  std::vector<bool> key_all_zero;  // per key column, over every row of every head

  void AddRow(std::span<const float> row, int64_t query) {
    double sum = 0;
    for (size_t k = 0; k < row.size(); ++k) {
      const float v = row[k];
      if (std::isnan(v)) {
        ++nan;
      } else if (std::isinf(v)) {
        ++inf;
      } else {
        sum += v;
        min = std::min<double>(min, v);
        max = std::max<double>(max, v);
      }
      if (v != 0) {
        key_all_zero[k] = false;
        if (static_cast<int64_t>(k) > query) causal = false;
      }
    }
    row_sum_min = std::min(row_sum_min, sum);
    row_sum_max = std::max(row_sum_max, sum);
  }

  // Zero columns at the start or the end, the way padding lies.
  int64_t PaddedKeys() const {
    const auto n = static_cast<int64_t>(key_all_zero.size());
    int64_t leading = 0, trailing = 0;
    while (leading < n && key_all_zero[leading]) ++leading;
    if (leading == n) return n;
    while (trailing < n && key_all_zero[n - 1 - trailing]) ++trailing;
    return leading + trailing;
  }
};

}  // namespace

TensorSummary Summarize(const AttentionTensor& tensor) {
  SummaryAccumulator totals;
  totals.key_all_zero.assign(static_cast<size_t>(tensor.keys()), true);
  std::vector<float> head(static_cast<size_t>(tensor.HeadSize()));
  for (int64_t layer = 0; layer < tensor.layers(); ++layer) {
    for (int64_t h = 0; h < tensor.heads(); ++h) {
      tensor.ReadHead(layer, h, head);
      for (int64_t q = 0; q < tensor.queries(); ++q) {
        totals.AddRow(std::span<const float>(head).subspan(q * tensor.keys(), tensor.keys()), q);
      }
    }
  }
  TensorSummary summary;
  const bool any_finite = totals.min <= totals.max;
  summary.min = any_finite ? totals.min : std::nan("");
  summary.max = any_finite ? totals.max : std::nan("");
  summary.row_sum_min = totals.row_sum_min;
  summary.row_sum_max = totals.row_sum_max;
  summary.nan = totals.nan;
  summary.inf = totals.inf;
  summary.causal = totals.causal && tensor.queries() == tensor.keys() && tensor.queries() > 1;
  summary.padded_keys = totals.PaddedKeys();
  return summary;
}

}  // namespace attnviz
