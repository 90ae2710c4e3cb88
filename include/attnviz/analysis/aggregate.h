// Aggregates over many inputs: each head's statistics and labels summarised across a set of dumps.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "attnviz/analysis/classify.h"
#include "attnviz/analysis/head_stats.h"

namespace attnviz {

// The distribution of one scalar over inputs. NaN values (the statistic does not apply to that
// input) are left out, as numpy's nanmean, nanstd and nanquantile leave them out; with none left
// n is 0 and every other field NaN.
struct Summary {
  int64_t n = 0;    // the inputs with a value
  double mean = 0;  // mean
  double std = 0;   // population standard deviation (numpy's default ddof=0)
  double min = 0;   // smallest
  double q25 = 0;   // quantiles by numpy.quantile's default 'linear' method
  double median = 0;
  double q75 = 0;
  double max = 0;  // largest
};

// The summary of `values`, NaN left out.
Summary Summarize(std::span<const double> values);

// Quantile `q` in [0, 1] of ascending `sorted` (not empty) by numpy's 'linear' method: the value
// at position q (n - 1), interpolated between its neighbours.
double Quantile(std::span<const double> sorted, double q);

// One head's (or one layer mean's) statistics over inputs: a Summary per entry of StatFields(),
// in that order.
struct StatsSummary {
  int64_t layer = 0;
  int64_t head = 0;  // -1 for a layer mean
  std::vector<Summary> stats;
};

// Per-input statistics, added one input at a time, and their summaries: the inputs themselves
// need not stay in memory, only their scalars (inputs x heads x statistics).
class StatsAggregate {
 public:
  // Adds one input's heads, layer-major as ComputeHeadStats gives them. Throws Error(kInput) when
  // they are not the same heads (layers and heads) as the first input's, saying both.
  void Add(std::vector<HeadStats> heads);

  int64_t inputs() const { return static_cast<int64_t>(inputs_.size()); }

  // Every head's statistics over the inputs, layer-major; empty before the first Add.
  std::vector<StatsSummary> Heads() const;
  // The per-input means over each layer's heads (MeanOverHeads), summarised over the inputs.
  std::vector<StatsSummary> Layers() const;

 private:
  std::vector<std::vector<HeadStats>> inputs_;
};

// How often one head got each label over inputs: the primary label of ClassifyHeads, a pattern
// (offset counted as one label whatever its k) or heterogeneous.
struct LabelCounts {
  int64_t layer = 0;
  int64_t head = 0;
  int64_t inputs = 0;                           // inputs counted
  std::array<int64_t, kPatternCount> counts{};  // by pattern, in enum order
  int64_t heterogeneous = 0;                    // inputs where no pattern passed
  // The most frequent label (nullopt: heterogeneous); ties go to the pattern first in enum order,
  // heterogeneous last.
  std::optional<Pattern> most_frequent;
  int64_t most_frequent_count = 0;

  int64_t count(Pattern p) const { return counts[static_cast<size_t>(p)]; }
  double share() const { return inputs ? static_cast<double>(most_frequent_count) / inputs : 0; }
};

// Per-input labels, added one input at a time, and their counts per head.
class LabelAggregate {
 public:
  // Adds one input's heads, layer-major as ClassifyHeads gives them. Throws Error(kInput) when
  // they are not the same heads as the first input's.
  void Add(std::span<const HeadClass> heads);

  int64_t inputs() const { return inputs_; }
  // Every head's counts, layer-major; empty before the first Add.
  std::vector<LabelCounts> Heads() const;

 private:
  std::vector<LabelCounts> heads_;
  int64_t inputs_ = 0;
};

}  // namespace attnviz
