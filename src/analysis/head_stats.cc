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
#include "simd/row_kernels.h"
#include "analysis/stats_tokens.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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
  bool cross = false;
  TokenColumns columns;
  std::optional<PatchDistances> patches;
  int64_t topk = 3;
  double log_base = 1;  // ln 2 for bits
};

// The mass of the k largest weights when SummarizeRow has not found it: all of them, or a
// selection on a copy for k > kMaxSmallTopK.
double TopMass(const float* row, int64_t keys, int64_t k, std::vector<float>& scratch) {
  if (k >= keys) return std::accumulate(row, row + keys, 0.0);
  scratch.assign(row, row + keys);
  std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<>());
  return std::accumulate(scratch.begin(), scratch.begin() + k, 0.0);
}

double MassOn(const float* row, const std::vector<int64_t>& columns) {
  double mass = 0;
  for (int64_t j : columns) mass += row[j];
  return mass;
}

// What the statistics need from one query row, read before the dump's masking is known (it
// depends on every head), so that each head is read once.
struct RowRecord {
  RowSummary summary;
  double topk = 0, distance_2d = 0, self = 0, prev = 0, next = 0;
  double first = 0;  // the weight of the row's first nonzero key
  double special = 0, punct = 0, padding = 0;
};

RowRecord RecordRow(const float* row, int64_t i, const StatsContext& c,
                    std::vector<float>& scratch) {
  RowRecord r;
  r.summary = SummarizeRow(row, c.keys, i, c.topk);
  if (!r.summary.finite) return r;  // the head's statistics will all be NaN
  const bool found = c.topk <= kMaxSmallTopK && c.topk < c.keys;
  r.topk = found ? r.summary.top_mass : TopMass(row, c.keys, c.topk, scratch);
  if (i < c.keys) r.self = row[i];
  if (i >= 1 && i - 1 < c.keys) r.prev = row[i - 1];
  if (i + 1 < c.keys) r.next = row[i + 1];
  if (r.summary.first_nonzero < c.keys) r.first = row[r.summary.first_nonzero];
  if (c.patches && i >= c.patches->first_patch() && i < c.keys) {
    r.distance_2d = c.patches->WeightedDistance(row, i, c.keys);
  }
  r.special = MassOn(row, c.columns.special);
  r.punct = MassOn(row, c.columns.punct);
  r.padding = MassOn(row, c.columns.padding);
  return r;
}

std::vector<RowRecord> RecordRows(HeadRows& head, const StatsContext& c) {
  std::vector<RowRecord> rows(static_cast<size_t>(c.queries));
  std::vector<float> scratch;
  for (int64_t i = 0; i < c.queries; ++i) rows[i] = RecordRow(head.Row(i), i, c, scratch);
  return rows;
}

// The head's own say about masking, as MaskingOfHead in stats_masking.cc finds it.
HeadMasking MaskingOfRows(const std::vector<RowRecord>& rows, int64_t keys) {
  HeadMasking head;
  int64_t first = keys, last = -1;
  for (size_t i = 0; i < rows.size(); ++i) {
    first = std::min(first, rows[i].summary.first_nonzero);
    last = std::max(last, rows[i].summary.last_nonzero);
    if (rows[i].summary.last_nonzero > static_cast<int64_t>(i)) head.causal = false;
  }
  head.leading_zero_keys = first;
  head.trailing_zero_keys = keys - 1 - last;
  return head;
}

// The running means of one head, filled row by row.
struct HeadMeans {
  Mean entropy, entropy_norm, confidence, topk, distance, distance_2d, self, prev, next, first,
      special, punct, padding;
  double row_sum_dev = kNaN;

  void AddRow(const RowRecord& row, int64_t i, const Masking& m, const StatsContext& context);
  HeadStats Finish(const StatsContext& context) const;
};

void HeadMeans::AddRow(const RowRecord& r, int64_t i, const Masking& m, const StatsContext& c) {
  const RowSummary& s = r.summary;
  entropy.Add(s.nats / c.log_base);
  if (m.ValidKeyCount(i) >= 2) entropy_norm.Add(s.nats / std::log(double(m.ValidKeyCount(i))));
  confidence.Add(s.max);
  topk.Add(r.topk);
  if (!m.cross) {
    distance.Add(s.distance);
    self.Add(r.self);
    if (m.IsRealKey(i - 1)) prev.Add(r.prev);
    if (m.IsRealKey(i + 1)) next.Add(r.next);
    if (c.patches && i >= c.patches->first_patch()) distance_2d.Add(r.distance_2d);
  }
  // Keys before the row's first nonzero one hold 0, and first_key is at most that key.
  if (m.first_key < c.keys) first.Add(s.first_nonzero == m.first_key ? r.first : 0.0);
  special.Add(r.special);
  punct.Add(r.punct);
  padding.Add(r.padding);
  const double deviation = std::abs(s.sum - 1);
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

HeadStats StatsOfRows(const std::vector<RowRecord>& rows, const Masking& masking,
                      const StatsContext& context) {
  HeadMeans means;
  bool finite = true;
  for (size_t i = 0; i < rows.size(); ++i) {
    finite = finite && rows[i].summary.finite;
    const auto query = static_cast<int64_t>(i);
    if (masking.IsRealRow(query)) means.AddRow(rows[i], query, masking, context);
  }
  HeadStats stats = means.Finish(context);
  if (!finite) ClearStats(stats);
  return stats;
}

Masking MaskingOf(const HeadMasking& head, const StatsContext& c) {
  return CombineMasking({&head, 1}, c.queries, c.keys, c.cross);
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
  context.cross = cross;
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
  const auto count = static_cast<size_t>(tensor.layers() * tensor.heads());
  std::vector<HeadStats> stats(count);
  std::vector<HeadMasking> own(count);
  // One read of each head: its statistics under its own masking, which is the dump's in every
  // dump seen so far; the heads where the two differ are read again below.
  ForEachHeadRowsOf(tensor, AllHeads(tensor), options.threads,
                    [&](int64_t index, int64_t, int64_t, HeadRows& head) {
                      const std::vector<RowRecord> rows = RecordRows(head, context);
                      own[index] = MaskingOfRows(rows, context.keys);
                      stats[index] = StatsOfRows(rows, MaskingOf(own[index], context), context);
                    });
  const Masking masking = CombineMasking(own, context.queries, context.keys, context.cross);
  std::vector<int64_t> differing;
  for (size_t index = 0; index < count; ++index) {
    if (!SameMasking(MaskingOf(own[index], context), masking)) differing.push_back(index);
  }
  ForEachHeadRowsOf(tensor, differing, options.threads,
                    [&](int64_t index, int64_t, int64_t, HeadRows& head) {
                      stats[index] = StatsOfRows(RecordRows(head, context), masking, context);
                    });
  for (size_t index = 0; index < count; ++index) {
    stats[index].layer = static_cast<int64_t>(index) / tensor.heads();
    stats[index].head = static_cast<int64_t>(index) % tensor.heads();
  }
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
