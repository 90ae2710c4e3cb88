// The whole-tensor summary behind `info`: one pass over every head.
#include "attnviz/analysis/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "analysis/stats_parallel.h"
#include "simd/kernels.h"
#include "simd/row_kernels.h"

namespace attnviz {

namespace {

// Running totals over rows and heads; merged into a TensorSummary at the end.
struct SummaryAccumulator {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double row_sum_min = std::numeric_limits<double>::infinity();
  double row_sum_max = -std::numeric_limits<double>::infinity();
  int64_t nan = 0;
  int64_t inf = 0;
  bool causal = true;
  // The first and last key that holds a nonzero value (NaN counts) in any row: the keys outside
  // them are exactly 0 everywhere, the way padding lies.
  int64_t first_nonzero = std::numeric_limits<int64_t>::max();
  int64_t last_nonzero = -1;

  void AddRow(std::span<const float> row, int64_t query) {
    const auto keys = static_cast<int64_t>(row.size());
    int64_t first = 0, last = keys - 1;
    while (first < keys && row[first] == 0) ++first;
    while (last > first && row[last] == 0) --last;
    if (first < keys) {
      first_nonzero = std::min(first_nonzero, first);
      last_nonzero = std::max(last_nonzero, last);
      if (last > query) causal = false;
    }
    const double sum = first <= last ? AddValues(row.subspan(first, last - first + 1)) : 0.0;
    if (first > 0 || last < keys - 1) min = std::min(min, 0.0), max = std::max(max, 0.0);
    row_sum_min = std::min(row_sum_min, sum);
    row_sum_max = std::max(row_sum_max, sum);
  }

  // Adds the finite values of `values` (nonempty) to min and max and counts the others; returns
  // their sum. A vector at a time: a sum of floats in double is finite exactly when every value
  // is, so only rows with NaN or infinity go one value at a time (the report's summary took a
  // fifth of its CPU summing one value at a time).
  double AddValues(std::span<const float> values) {
    const double sum = simd::SumFloats(values.data(), values.size());
    if (!std::isfinite(sum)) return AddValuesOneByOne(values);
    const simd::Extremes extremes = simd::FiniteExtremes(values.data(), nullptr, values.size());
    min = std::min<double>(min, extremes.lo);
    max = std::max<double>(max, extremes.hi);
    return sum;
  }

  double AddValuesOneByOne(std::span<const float> values) {
    double sum = 0;
    for (const float v : values) {
      if (std::isnan(v)) {
        ++nan;
      } else if (std::isinf(v)) {
        ++inf;
      } else {
        sum += v;
        min = std::min<double>(min, v);
        max = std::max<double>(max, v);
      }
    }
    return sum;
  }

  // Folds another head's totals in: every part is a min, max, count or flag, so the order of
  // heads does not change the result.
  void Add(const SummaryAccumulator& other) {
    min = std::min(min, other.min);
    max = std::max(max, other.max);
    row_sum_min = std::min(row_sum_min, other.row_sum_min);
    row_sum_max = std::max(row_sum_max, other.row_sum_max);
    nan += other.nan;
    inf += other.inf;
    causal = causal && other.causal;
    first_nonzero = std::min(first_nonzero, other.first_nonzero);
    last_nonzero = std::max(last_nonzero, other.last_nonzero);
  }

  // Zero columns at the start or the end.
  int64_t PaddedKeys(int64_t keys) const {
    if (last_nonzero < 0) return keys;
    return first_nonzero + (keys - 1 - last_nonzero);
  }
};

}  // namespace

TensorSummary Summarize(const AttentionTensor& tensor, int threads) {
  std::vector<SummaryAccumulator> heads(static_cast<size_t>(tensor.layers() * tensor.heads()));
  ForEachHead(tensor, threads, [&](int64_t index, int64_t, int64_t, std::span<const float> values) {
    SummaryAccumulator& head = heads[static_cast<size_t>(index)];
    for (int64_t q = 0; q < tensor.queries(); ++q) {
      head.AddRow(values.subspan(static_cast<size_t>(q * tensor.keys()),
                                 static_cast<size_t>(tensor.keys())),
                  q);
    }
  });
  SummaryAccumulator totals;
  for (const SummaryAccumulator& head : heads) totals.Add(head);
  TensorSummary summary;
  const bool any_finite = totals.min <= totals.max;
  summary.min = any_finite ? totals.min : std::nan("");
  summary.max = any_finite ? totals.max : std::nan("");
  summary.row_sum_min = totals.row_sum_min;
  summary.row_sum_max = totals.row_sum_max;
  summary.nan = totals.nan;
  summary.inf = totals.inf;
  summary.causal = totals.causal && tensor.queries() == tensor.keys() && tensor.queries() > 1;
  summary.padded_keys = totals.PaddedKeys(tensor.keys());
  return summary;
}

}  // namespace attnviz
