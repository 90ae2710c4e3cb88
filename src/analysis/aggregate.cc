// Summaries over inputs: NaN-aware mean, population standard deviation and linear quantiles, as
// numpy's nanmean, nanstd and nanquantile compute them; label counts with their most frequent.
#include "attnviz/analysis/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// "12 layers x 12 heads" of per-head results, layer-major.
template <typename PerHead>
std::string Shape(std::span<const PerHead> heads) {
  if (heads.empty()) return "no heads";
  const int64_t layers = heads.back().layer + 1;
  return std::to_string(layers) + " layers x " + std::to_string(heads.back().head + 1) + " heads";
}

// Throws unless `heads` number their layers and heads as `first` does.
template <typename A, typename B>
void CheckSameHeads(std::span<const A> first, std::span<const B> heads) {
  bool same = first.size() == heads.size();
  for (size_t i = 0; same && i < heads.size(); ++i) {
    same = first[i].layer == heads[i].layer && first[i].head == heads[i].head;
  }
  if (!same) {
    throw Error(ErrorKind::kInput, "expected " + Shape(first) + " as the first input has, found " +
                                       Shape(heads) + "; an aggregate needs one model");
  }
}

double Mean(std::span<const double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// sqrt(mean((x - mean)^2)): numpy's two-pass formula.
double PopulationStd(std::span<const double> values, double mean) {
  double sum = 0;
  for (double v : values) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(values.size()));
}

// Each entry of the inputs (all alike) with each statistic summarised over the inputs.
std::vector<StatsSummary> Summaries(const std::vector<std::vector<HeadStats>>& inputs) {
  std::vector<StatsSummary> summaries;
  if (inputs.empty()) return summaries;
  for (size_t i = 0; i < inputs.front().size(); ++i) {
    StatsSummary summary{inputs.front()[i].layer, inputs.front()[i].head, {}};
    for (const StatField& field : StatFields()) {
      std::vector<double> values;
      for (const std::vector<HeadStats>& input : inputs) values.push_back(input[i].*field.member);
      summary.stats.push_back(Summarize(values));
    }
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

// Counts the primary label of one input's head.
void Count(LabelCounts& counts, const HeadClass& head) {
  ++counts.inputs;
  if (head.label) {
    ++counts.counts[static_cast<size_t>(*head.label)];
  } else {
    ++counts.heterogeneous;
  }
}

void FindMostFrequent(LabelCounts& counts) {
  counts.most_frequent.reset();
  counts.most_frequent_count = counts.heterogeneous;
  // Backwards with >=: among equal counts the pattern first in enum order wins, and any pattern
  // wins over heterogeneous.
  for (size_t p = kPatternCount; p-- > 0;) {
    if (counts.counts[p] > 0 && counts.counts[p] >= counts.most_frequent_count) {
      counts.most_frequent = AllPatterns()[p];
      counts.most_frequent_count = counts.counts[p];
    }
  }
}

}  // namespace

double Quantile(std::span<const double> sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  // numpy's _lerp: a + (b - a) t, computed from the far end when t >= 0.5 for exact endpoints.
  const double a = sorted[below], b = sorted[above];
  return fraction >= 0.5 ? b - (b - a) * (1 - fraction) : a + (b - a) * fraction;
}

Summary Summarize(std::span<const double> values) {
  std::vector<double> kept;
  for (double v : values) {
    if (!std::isnan(v)) kept.push_back(v);
  }
  Summary s;
  s.n = static_cast<int64_t>(kept.size());
  if (kept.empty()) {
    s.mean = s.std = s.min = s.q25 = s.median = s.q75 = s.max = kNaN;
    return s;
  }
  std::sort(kept.begin(), kept.end());
  s.mean = Mean(kept);
  s.std = PopulationStd(kept, s.mean);
  s.min = kept.front();
  s.q25 = Quantile(kept, 0.25);
  s.median = Quantile(kept, 0.5);
  s.q75 = Quantile(kept, 0.75);
  s.max = kept.back();
  return s;
}

void StatsAggregate::Add(std::vector<HeadStats> heads) {
  if (!inputs_.empty()) {
    CheckSameHeads(std::span<const HeadStats>(inputs_.front()), std::span<const HeadStats>(heads));
  }
  inputs_.push_back(std::move(heads));
}

std::vector<StatsSummary> StatsAggregate::Heads() const { return Summaries(inputs_); }

std::vector<StatsSummary> StatsAggregate::Layers() const {
  std::vector<std::vector<HeadStats>> layer_means;
  for (const std::vector<HeadStats>& input : inputs_) layer_means.push_back(MeanOverHeads(input));
  return Summaries(layer_means);
}

void LabelAggregate::Add(std::span<const HeadClass> heads) {
  if (inputs_ == 0) {
    for (const HeadClass& head : heads) {
      LabelCounts counts;
      counts.layer = head.layer;
      counts.head = head.head;
      heads_.push_back(counts);
    }
  } else {
    CheckSameHeads(std::span<const LabelCounts>(heads_), heads);
  }
  for (size_t i = 0; i < heads.size(); ++i) Count(heads_[i], heads[i]);
  ++inputs_;
}

std::vector<LabelCounts> LabelAggregate::Heads() const {
  std::vector<LabelCounts> heads = heads_;
  for (LabelCounts& counts : heads) FindMostFrequent(counts);
  return heads;
}

}  // namespace attnviz
