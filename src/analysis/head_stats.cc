// Per-head statistics: one pass over each head's real query rows, heads spread over threads.
#include "attnviz/analysis/head_stats.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <numeric>

#include "analysis/stats_masking.h"
#include "analysis/stats_parallel.h"
#include "analysis/stats_tokens.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kSmallTopK = 8;

constexpr std::array<StatField, 14> kFields = {{
    {"entropy", &HeadStats::entropy, false},
    {"entropy_norm", &HeadStats::entropy_norm, true},
    {"confidence", &HeadStats::confidence, true},
    {"topk", &HeadStats::topk, true},
    {"distance", &HeadStats::distance, false},
    {"distance_2d", &HeadStats::distance_2d, false},
    {"self", &HeadStats::self, true},
    {"prev", &HeadStats::prev, true},
    {"next", &HeadStats::next, true},
    {"first_token", &HeadStats::first_token, true},
    {"special", &HeadStats::special, true},
    {"punct", &HeadStats::punct, true},
    {"padding", &HeadStats::padding, true},
    {"row_sum_dev", &HeadStats::row_sum_dev, false},
}};

// A mean taken one value at a time; NaN when no value came.
class Mean {
 public:
  void Add(double value) {
    sum_ += value;
    ++count_;
  }
  double Get() const { return count_ ? sum_ / static_cast<double>(count_) : kNaN; }

 private:
  double sum_ = 0;
  int64_t count_ = 0;
};

// The key columns of each token class; unknown without key tokens.
struct TokenColumns {
  bool known = false;
  std::vector<int64_t> special, punct, padding;
};

TokenColumns FindTokenColumns(const std::optional<std::vector<std::string>>& key_tokens,
                              const StatsOptions& options) {
  TokenColumns columns;
  if (!key_tokens) return columns;
  columns.known = true;
  for (size_t j = 0; j < key_tokens->size(); ++j) {
    const std::string& token = (*key_tokens)[j];
    const auto key = static_cast<int64_t>(j);
    if (IsSpecialToken(token, options.special_tokens)) columns.special.push_back(key);
    if (IsPunctuation(token)) columns.punct.push_back(key);
    if (IsPadToken(token, options.pad_token)) columns.padding.push_back(key);
  }
  return columns;
}

// Euclidean distances between the patches of a grid, in patch units, by (|dr|, |dc|).
class PatchDistances {
 public:
  PatchDistances(PatchGrid grid, int64_t tokens)
      : grid_(grid), extra_(tokens - grid.rows * grid.cols) {
    table_.resize(static_cast<size_t>(grid.rows * grid.cols));
    for (int64_t r = 0; r < grid.rows; ++r) {
      for (int64_t c = 0; c < grid.cols; ++c) {
        table_[r * grid.cols + c] = std::hypot(static_cast<double>(r), static_cast<double>(c));
      }
    }
  }

  int64_t first_patch() const { return extra_; }

  // Σ_j a_ij · distance(i, j) over the patch keys j of the patch query i.
  double WeightedDistance(const float* row, int64_t i, int64_t keys) const {
    const int64_t ri = (i - extra_) / grid_.cols, ci = (i - extra_) % grid_.cols;
    double total = 0;
    for (int64_t j = extra_; j < keys; ++j) {
      const int64_t rj = (j - extra_) / grid_.cols, cj = (j - extra_) % grid_.cols;
      total += row[j] * table_[std::abs(ri - rj) * grid_.cols + std::abs(ci - cj)];
    }
    return total;
  }

 private:
  PatchGrid grid_;
  int64_t extra_;
  std::vector<double> table_;
};

// What every head's pass needs to know about the dump and the options.
struct StatsContext {
  int64_t queries = 0;
  int64_t keys = 0;
  Masking masking;
  TokenColumns columns;
  std::optional<PatchDistances> patches;
  int64_t topk = 3;
  double log_base = 1;  // ln 2 for bits
};

double RowEntropy(const float* row, int64_t keys) {
  double entropy = 0;
  for (int64_t j = 0; j < keys; ++j) {
    if (row[j] > 0) entropy -= row[j] * std::log(static_cast<double>(row[j]));
  }
  return entropy;
}

// The mass of the k largest weights. Small k (the usual 1-5) keeps a sorted list of the best so
// far, which most weights fail to enter after one comparison; larger k selects on a copy.
double TopMass(const float* row, int64_t keys, int64_t k, std::vector<float>& scratch) {
  if (k >= keys) return std::accumulate(row, row + keys, 0.0);
  if (k > kSmallTopK) {
    scratch.assign(row, row + keys);
    std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<>());
    return std::accumulate(scratch.begin(), scratch.begin() + k, 0.0);
  }
  std::array<float, kSmallTopK> best;
  best.fill(-std::numeric_limits<float>::infinity());  // heads reaching here are finite
  for (int64_t j = 0; j < keys; ++j) {
    if (!(row[j] > best[k - 1])) continue;
    int64_t at = k - 1;
    for (; at > 0 && best[at - 1] < row[j]; --at) best[at] = best[at - 1];
    best[at] = row[j];
  }
  return std::accumulate(best.begin(), best.begin() + k, 0.0);
}

double MassOn(const float* row, const std::vector<int64_t>& columns) {
  double mass = 0;
  for (int64_t j : columns) mass += row[j];
  return mass;
}

double Distance(const float* row, int64_t i, int64_t keys) {
  double total = 0;
  for (int64_t j = 0; j < keys; ++j) total += row[j] * static_cast<double>(std::abs(i - j));
  return total;
}

// The running means of one head, filled row by row.
struct HeadMeans {
  Mean entropy, entropy_norm, confidence, topk, distance, distance_2d, self, prev, next, first,
      special, punct, padding;
  double row_sum_dev = kNaN;

  void AddRow(const float* row, int64_t i, const StatsContext& context,
              std::vector<float>& scratch);
  HeadStats Finish(const StatsContext& context) const;
};

void HeadMeans::AddRow(const float* row, int64_t i, const StatsContext& c,
                       std::vector<float>& scratch) {
  const Masking& m = c.masking;
  const double nats = RowEntropy(row, c.keys);
  entropy.Add(nats / c.log_base);
  if (m.ValidKeyCount(i) >= 2) entropy_norm.Add(nats / std::log(double(m.ValidKeyCount(i))));
  confidence.Add(*std::max_element(row, row + c.keys));
  topk.Add(TopMass(row, c.keys, c.topk, scratch));
  if (!m.cross) {
    distance.Add(Distance(row, i, c.keys));
    self.Add(row[i]);
    if (m.IsRealKey(i - 1)) prev.Add(row[i - 1]);
    if (m.IsRealKey(i + 1)) next.Add(row[i + 1]);
    if (c.patches && i >= c.patches->first_patch()) {
      distance_2d.Add(c.patches->WeightedDistance(row, i, c.keys));
    }
  }
  if (m.first_key < c.keys) first.Add(row[m.first_key]);
  special.Add(MassOn(row, c.columns.special));
  punct.Add(MassOn(row, c.columns.punct));
  padding.Add(MassOn(row, c.columns.padding));
  const double deviation = std::abs(std::accumulate(row, row + c.keys, 0.0) - 1);
  row_sum_dev = std::isnan(row_sum_dev) ? deviation : std::max(row_sum_dev, deviation);
}

HeadStats HeadMeans::Finish(const StatsContext& c) const {
  HeadStats s;
  s.entropy = entropy.Get();
  s.entropy_norm = entropy_norm.Get();
  s.confidence = confidence.Get();
  s.topk = topk.Get();
  s.distance = distance.Get();
  s.distance_2d = distance_2d.Get();
  s.self = self.Get();
  s.prev = prev.Get();
  s.next = next.Get();
  s.first_token = first.Get();
  s.special = c.columns.known ? special.Get() : kNaN;
  s.punct = c.columns.known ? punct.Get() : kNaN;
  s.padding = c.columns.known ? padding.Get() : kNaN;
  s.row_sum_dev = row_sum_dev;
  return s;
}

// Every statistic NaN: a head with NaN or an infinity has none.
void ClearStats(HeadStats& stats) {
  for (const StatField& field : kFields) stats.*field.member = kNaN;
}

HeadStats StatsOfHead(std::span<const float> values, const StatsContext& context) {
  const bool finite =
      std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
  HeadMeans means;
  std::vector<float> scratch;
  for (int64_t i = 0; finite && i < context.queries; ++i) {
    if (context.masking.IsRealRow(i)) {
      means.AddRow(values.data() + i * context.keys, i, context, scratch);
    }
  }
  HeadStats stats = means.Finish(context);
  if (!finite) ClearStats(stats);
  return stats;
}

void CheckOptions(const AttentionTensor& tensor, const StatsOptions& options) {
  if (options.topk < 1) {
    ThrowUsageError("topk: expected k >= 1, found " + std::to_string(options.topk));
  }
  if (!options.grid) return;
  const PatchGrid grid = *options.grid;
  if (grid.rows < 1 || grid.cols < 1 || grid.rows * grid.cols > tensor.keys()) {
    ThrowUsageError("grid " + std::to_string(grid.rows) + "x" + std::to_string(grid.cols) +
                    ": expected at most " + std::to_string(tensor.keys()) +
                    " patches (one per token), found " + std::to_string(grid.rows * grid.cols));
  }
}

StatsContext MakeContext(const AttentionTensor& tensor,
                         const std::optional<std::vector<std::string>>& query_tokens,
                         const std::optional<std::vector<std::string>>& key_tokens,
                         const StatsOptions& options) {
  StatsContext context;
  context.queries = tensor.queries();
  context.keys = tensor.keys();
  const bool cross = IsCrossAttention(tensor, query_tokens, key_tokens);
  context.masking = FindMasking(tensor, cross, options.threads);
  context.columns = FindTokenColumns(key_tokens, options);
  if (options.grid && !cross) context.patches.emplace(*options.grid, tensor.keys());
  context.topk = options.topk;
  context.log_base = options.bits ? std::numbers::ln2 : 1.0;
  return context;
}

}  // namespace

std::span<const StatField> StatFields() { return kFields; }

const StatField* FindStatField(std::string_view name) {
  for (const StatField& field : kFields) {
    if (name == field.name) return &field;
  }
  return nullptr;
}

std::vector<HeadStats> ComputeHeadStats(const AttentionTensor& tensor,
                                        const std::optional<std::vector<std::string>>& query_tokens,
                                        const std::optional<std::vector<std::string>>& key_tokens,
                                        const StatsOptions& options) {
  CheckOptions(tensor, options);
  const StatsContext context = MakeContext(tensor, query_tokens, key_tokens, options);
  std::vector<HeadStats> stats(static_cast<size_t>(tensor.layers() * tensor.heads()));
  ForEachHead(tensor, options.threads,
              [&](int64_t index, int64_t layer, int64_t head, std::span<const float> values) {
                stats[index] = StatsOfHead(values, context);
                stats[index].layer = layer;
                stats[index].head = head;
              });
  return stats;
}

std::vector<HeadStats> MeanOverHeads(std::span<const HeadStats> heads) {
  std::vector<HeadStats> layers;
  std::vector<int64_t> counts;
  for (const HeadStats& head : heads) {
    if (layers.empty() || layers.back().layer != head.layer) {
      layers.push_back(HeadStats{.layer = head.layer, .head = -1});
      counts.push_back(0);
    }
    for (const StatField& field : kFields) layers.back().*field.member += head.*field.member;
    ++counts.back();
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    for (const StatField& field : kFields) layers[l].*field.member /= double(counts[l]);
  }
  return layers;
}

}  // namespace attnviz
