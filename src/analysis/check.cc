// CI diagnostics: each rule turns per-head measurements (stats, row sums, JS) into results.
#include "attnviz/analysis/check.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/stats_masking.h"
#include "analysis/stats_parallel.h"
#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "simd/kernels.h"
#include "simd/row_kernels.h"

namespace attnviz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What one pass over a head finds: bad values, and its row sums over the real query rows.
struct HeadScan {
  int64_t nan = 0;
  int64_t inf = 0;
  bool negative = false;
  double max_deviation = kNaN;  // max |row sum - 1|
  double max_row_sum = kNaN;

  bool Clean() const { return nan == 0 && inf == 0 && !negative; }
};

std::string HeadGroup(int64_t layer, int64_t head) {
  return "layer " + std::to_string(layer) + " head " + std::to_string(head);
}

CheckResult HeadResult(std::string_view rule, int64_t layer, int64_t head) {
  CheckResult result;
  result.rule = rule;
  result.group = HeadGroup(layer, head);
  result.layer = layer;
  result.head = head;
  return result;
}

CheckResult Skipped(CheckResult result, std::string why) {
  result.skipped = true;
  result.message = "skipped: " + why;
  return result;
}

// `passed` when `measured` is on the allowed side of the threshold; the message says which.
CheckResult Judged(CheckResult result, std::string_view what, double measured, double threshold,
                   bool fails_above) {
  result.measured = measured;
  result.threshold = threshold;
  result.passed = fails_above ? !(measured > threshold) : !(measured < threshold);
  const char* relation =
      fails_above ? (result.passed ? " <= " : " > ") : (result.passed ? " >= " : " < ");
  result.message = std::string(what) + " " + Number(measured) + relation + Number(threshold);
  return result;
}

// A head with NaN or infinity, one value at a time: how many of each (and no row sums).
HeadScan ScanBadValues(std::span<const float> values) {
  HeadScan scan;
  for (float v : values) {
    scan.nan += std::isnan(v);
    scan.inf += std::isinf(v);
    scan.negative = scan.negative || v < 0;
  }
  return scan;
}

// Row sums a vector at a time (a sum of floats in double is finite exactly when every term is):
// a third of the report's checks went to summing one value at a time.
HeadScan ScanHead(std::span<const float> values, int64_t keys, const Masking& masking) {
  const int64_t rows = keys > 0 ? std::ssize(values) / keys : 0;
  std::vector<double> sums(static_cast<size_t>(rows));
  for (int64_t row = 0; row < rows; ++row) {
    sums[row] = simd::SumFloats(values.data() + row * keys, static_cast<size_t>(keys));
    if (!std::isfinite(sums[row])) return ScanBadValues(values);
  }
  HeadScan scan;
  scan.negative = simd::FiniteExtremes(values.data(), nullptr, values.size()).lo < 0;
  for (int64_t row = 0; row < rows; ++row) {
    if (!masking.IsRealRow(row)) continue;
    const double sum = sums[row];
    scan.max_deviation = std::isnan(scan.max_deviation)
                             ? std::abs(sum - 1)
                             : std::max(scan.max_deviation, std::abs(sum - 1));
    scan.max_row_sum = std::isnan(scan.max_row_sum) ? sum : std::max(scan.max_row_sum, sum);
  }
  return scan;
}

std::vector<HeadScan> ScanHeads(const CheckInput& input) {
  const AttentionTensor& tensor = *input.tensor;
  const bool cross = IsCrossAttention(tensor, input.query_tokens, input.key_tokens);
  const Masking masking = FindMasking(tensor, cross, input.stats.threads);
  std::vector<HeadScan> scans(static_cast<size_t>(tensor.layers() * tensor.heads()));
  ForEachHead(tensor, input.stats.threads,
              [&](int64_t index, int64_t, int64_t, std::span<const float> values) {
                scans[index] = ScanHead(values, tensor.keys(), masking);
              });
  return scans;
}

std::string BadValues(const HeadScan& scan) {
  return std::to_string(scan.nan) + " NaN and " + std::to_string(scan.inf) + " infinite values";
}

// Negative values with -inf or huge negative masks are scores before the softmax, not weights.
std::string ScoresHint(const HeadScan& scan) {
  return scan.negative ? "; " + std::string(kScoresHint) : "";
}

CheckResult FiniteResult(const HeadScan& scan, int64_t layer, int64_t head, double threshold) {
  CheckResult result = HeadResult(kCheckFinite, layer, head);
  result = Judged(result, "NaN and infinite values:", double(scan.nan + scan.inf), threshold, true);
  if (!result.passed) {
    result.message = BadValues(scan) + ", expected at most " + Number(threshold) + ScoresHint(scan);
  }
  return result;
}

CheckResult RowSumResult(const HeadScan& scan, int64_t layer, int64_t head, const CheckRules& rules,
                         DType dtype) {
  CheckResult result = HeadResult(kCheckRowSum, layer, head);
  const double tolerance = RowSumTolerance(dtype, rules.row_sum.threshold);
  if (scan.nan + scan.inf > 0) return Skipped(result, BadValues(scan));
  if (std::isnan(scan.max_row_sum)) return Skipped(result, "no real query rows");
  if (rules.crop) {
    // A crop keeps part of each row: only a sum above 1 is impossible.
    return Judged(result, "crop: largest row sum - 1 =", scan.max_row_sum - 1, tolerance, true);
  }
  result = Judged(result, "max |row sum - 1| =", scan.max_deviation, tolerance, true);
  if (!result.passed) result.message += ScoresHint(scan);
  return result;
}

// A per-head statistic that fails above its threshold: uniform, padding and sink.
void AddStatBound(std::vector<CheckResult>& results, std::string_view rule, const CheckRule& bound,
                  std::span<const HeadStats> stats, double HeadStats::*member,
                  std::string_view what, const char* missing) {
  if (!bound.enabled) return;
  for (const HeadStats& s : stats) {
    CheckResult result = HeadResult(rule, s.layer, s.head);
    const double value = s.*member;
    results.push_back(std::isnan(value) ? Skipped(result, missing)
                                        : Judged(result, what, value, bound.threshold, true));
  }
}

// The JS divergence between clean heads; NaN where either head is not clean.
class HeadJs {
 public:
  HeadJs(const CheckInput& input, const std::vector<HeadScan>& scans, JsReduce reduce)
      : tensor_(*input.tensor), count_(std::ssize(scans)) {
    const bool all_clean =
        std::all_of(scans.begin(), scans.end(), [](const HeadScan& s) { return s.Clean(); });
    if (all_clean && input.precomputed_distances && input.distances_reduce == reduce) {
      values_ = input.precomputed_distances->values;
    } else if (all_clean) {
      values_ = JsDistances(tensor_, reduce, input.stats.threads).values;
    } else {
      ComputeCleanPairs(scans, reduce);
    }
  }

  double at(int64_t a, int64_t b) const { return values_[a * count_ + b]; }

 private:
  // Only for dumps with bad heads, which fail anyway: one pair at a time, no threads.
  void ComputeCleanPairs(const std::vector<HeadScan>& scans, JsReduce reduce) {
    values_.assign(static_cast<size_t>(count_ * count_), kNaN);
    const int64_t heads = tensor_.heads();
    for (int64_t a = 0; a < count_; ++a) {
      if (!scans[a].Clean()) continue;
      const std::vector<float> p = tensor_.ReadHead(a / heads, a % heads);
      values_[a * count_ + a] = 0;
      for (int64_t b = a + 1; b < count_; ++b) {
        if (!scans[b].Clean()) continue;
        const std::vector<float> q = tensor_.ReadHead(b / heads, b % heads);
        const double js = JsDivergence(p, q, tensor_.queries(), tensor_.keys(), reduce);
        values_[a * count_ + b] = values_[b * count_ + a] = js;
      }
    }
  }

  const AttentionTensor& tensor_;
  int64_t count_;
  std::vector<double> values_;
};

CheckResult CollapseResult(const HeadJs& js, const std::vector<HeadScan>& scans, int64_t layer,
                           int64_t heads, double threshold) {
  CheckResult result;
  result.rule = kCheckCollapse;
  result.group = "layer " + std::to_string(layer);
  result.layer = layer;
  if (heads < 2) return Skipped(result, "the layer has one head");
  double total = 0;
  int64_t pairs = 0;
  for (int64_t a = layer * heads; a < (layer + 1) * heads; ++a) {
    for (int64_t b = a + 1; b < (layer + 1) * heads; ++b) {
      if (scans[a].Clean() && scans[b].Clean()) {
        total += js.at(a, b);
        ++pairs;
      }
    }
  }
  if (pairs == 0) return Skipped(result, "fewer than two heads without NaN or infinity");
  return Judged(result, "mean JS over " + std::to_string(pairs) + " head pairs =", total / pairs,
                threshold, false);
}

CheckResult RedundantResult(const HeadJs& js, const std::vector<HeadScan>& scans, int64_t index,
                            const CheckInput& input, double threshold) {
  const int64_t heads = input.tensor->heads();
  CheckResult result = HeadResult(kCheckRedundant, index / heads, index % heads);
  if (!scans[index].Clean()) return Skipped(result, "the head holds NaN, infinity or < 0");
  int64_t nearest = -1;
  for (int64_t b = 0; b < std::ssize(scans); ++b) {
    if (b == index || !scans[b].Clean()) continue;
    if (nearest < 0 || js.at(index, b) < js.at(index, nearest)) nearest = b;
  }
  if (nearest < 0) return Skipped(result, "no other head without NaN or infinity");
  const std::string other =
      HeadGroup(nearest / heads + input.layer_offset, nearest % heads + input.head_offset);
  return Judged(result, "JS to " + other + " =", js.at(index, nearest), threshold, false);
}

void AddCollapse(std::vector<CheckResult>& results, const HeadJs& js, const CheckInput& input,
                 const std::vector<HeadScan>& scans, const CheckRule& rule) {
  const int64_t heads = input.tensor->heads();
  for (int64_t layer = 0; layer < input.tensor->layers(); ++layer) {
    results.push_back(CollapseResult(js, scans, layer, heads, rule.threshold));
  }
}

void AddRedundant(std::vector<CheckResult>& results, const HeadJs& js, const CheckInput& input,
                  const std::vector<HeadScan>& scans, const CheckRule& rule) {
  for (int64_t index = 0; index < std::ssize(scans); ++index) {
    results.push_back(RedundantResult(js, scans, index, input, rule.threshold));
  }
}

CheckResult DriftResult(const HeadStats& current, const HeadStats& baseline, const StatField& field,
                        const CheckRules& rules) {
  CheckResult result = HeadResult(kCheckDrift, current.layer, current.head);
  result.statistic = field.name;
  const double now = current.*field.member;
  const double before = baseline.*field.member;
  result.measured = now;
  result.baseline = before;
  result.threshold = rules.drift_absolute + rules.drift_relative * std::abs(before);
  const std::string change = result.statistic + " " + Number(before) + " -> " + Number(now);
  if (std::isnan(now) || std::isnan(before)) {
    result.passed = result.skipped = std::isnan(now) && std::isnan(before);
    if (result.skipped) return Skipped(result, change + " (does not apply)");
    result.message = change + " (applies on one side only)";
    return result;
  }
  result.passed = !(std::abs(now - before) > result.threshold);
  result.message = change + (result.passed ? ", within " : ", outside ") + Number(before) + " +- " +
                   Number(result.threshold);
  return result;
}

void AddDrift(std::vector<CheckResult>& results, std::span<const HeadStats> current,
              std::span<const HeadStats> baseline, const CheckRules& rules) {
  for (size_t i = 0; i < current.size(); ++i) {
    for (const StatField& field : StatFields()) {
      results.push_back(DriftResult(current[i], baseline[i], field, rules));
    }
  }
}

void AddScanRules(std::vector<CheckResult>& results, const std::vector<HeadScan>& scans,
                  const AttentionTensor& tensor, const CheckRules& rules) {
  const int64_t heads = tensor.heads();
  for (int64_t index = 0; rules.finite.enabled && index < std::ssize(scans); ++index) {
    results.push_back(
        FiniteResult(scans[index], index / heads, index % heads, rules.finite.threshold));
  }
  for (int64_t index = 0; rules.row_sum.enabled && index < std::ssize(scans); ++index) {
    results.push_back(
        RowSumResult(scans[index], index / heads, index % heads, rules, tensor.dtype()));
  }
}

void AddStatRules(std::vector<CheckResult>& results, std::span<const HeadStats> stats,
                  const CheckRules& rules) {
  const char* bad_head = "the head holds NaN or infinity";
  AddStatBound(results, kCheckUniform, rules.uniform, stats, &HeadStats::entropy_norm,
               "entropy_norm", bad_head);
  AddStatBound(results, kCheckPadding, rules.padding, stats, &HeadStats::padding, "padding share",
               "no tokens, or the head holds NaN or infinity");
  AddStatBound(results, kCheckSink, rules.sink, stats, &HeadStats::first_token, "first_token share",
               bad_head);
}

bool Selected(const std::vector<int64_t>& chosen, int64_t index) {
  return index < 0 || chosen.empty() ||
         std::find(chosen.begin(), chosen.end(), index) != chosen.end();
}

// Keeps the results about the chosen layers and heads, then names them in the model's numbers.
std::vector<CheckResult> Renumbered(std::vector<CheckResult> results, const CheckInput& input) {
  std::erase_if(results, [&](const CheckResult& r) {
    return !Selected(input.layers, r.layer) || !Selected(input.heads, r.head);
  });
  for (CheckResult& r : results) {
    if (r.layer >= 0) r.layer += input.layer_offset;
    if (r.head >= 0) r.head += input.head_offset;
    r.group = r.head >= 0 ? HeadGroup(r.layer, r.head) : "layer " + std::to_string(r.layer);
  }
  return results;
}

}  // namespace

double RowSumTolerance(DType dtype, double base) {
  const double epsilon = dtype == DType::kBF16  ? 0x1p-7
                         : dtype == DType::kF16 ? 0x1p-10
                         : dtype == DType::kF32 ? 0x1p-23
                                                : 0x1p-52;
  return std::max(base, epsilon);
}

std::vector<CheckResult> RunChecks(const CheckInput& input, const CheckRules& rules) {
  const AttentionTensor& tensor = *input.tensor;
  if (input.baseline) {
    CheckBaselineHeads(tensor, *input.baseline, input.layer_offset, input.head_offset);
  }
  const std::vector<HeadScan> scans = ScanHeads(input);
  std::vector<CheckResult> results;
  AddScanRules(results, scans, tensor, rules);
  std::optional<HeadJs> js;
  if (rules.collapse.enabled || rules.redundant.enabled) js.emplace(input, scans, rules.js_reduce);
  if (rules.collapse.enabled) AddCollapse(results, *js, input, scans, rules.collapse);
  const std::vector<HeadStats> stats =
      input.precomputed_stats
          ? *input.precomputed_stats
          : ComputeHeadStats(tensor, input.query_tokens, input.key_tokens, input.stats);
  AddStatRules(results, stats, rules);
  if (rules.redundant.enabled) AddRedundant(results, *js, input, scans, rules.redundant);
  if (input.baseline) AddDrift(results, stats, *input.baseline, rules);
  if (input.head_stats) *input.head_stats = stats;
  return Renumbered(std::move(results), input);
}

void CheckBaselineHeads(const AttentionTensor& tensor, std::span<const HeadStats> baseline,
                        int64_t layer_offset, int64_t head_offset) {
  const int64_t count = tensor.layers() * tensor.heads();
  if (std::ssize(baseline) != count) {
    throw Error(ErrorKind::kInput, "expected a baseline of " + std::to_string(count) + " heads (" +
                                       std::to_string(tensor.layers()) + " layers x " +
                                       std::to_string(tensor.heads()) +
                                       ") as the dump has, found " +
                                       std::to_string(baseline.size()));
  }
  for (int64_t i = 0; i < count; ++i) {
    const int64_t layer = i / tensor.heads() + layer_offset;
    const int64_t head = i % tensor.heads() + head_offset;
    if (baseline[i].layer != layer || baseline[i].head != head) {
      throw Error(ErrorKind::kInput, "expected baseline entry " + std::to_string(i) + " to be " +
                                         HeadGroup(layer, head) + ", found " +
                                         HeadGroup(baseline[i].layer, baseline[i].head));
    }
  }
}

std::vector<CheckResult> CheckDrift(std::span<const HeadStats> current,
                                    std::span<const HeadStats> baseline, const CheckRules& rules) {
  if (current.size() != baseline.size()) {
    throw Error(ErrorKind::kInput, "expected a baseline of " + std::to_string(current.size()) +
                                       " heads as the inputs have, found " +
                                       std::to_string(baseline.size()));
  }
  for (size_t i = 0; i < current.size(); ++i) {
    if (current[i].layer != baseline[i].layer || current[i].head != baseline[i].head) {
      throw Error(ErrorKind::kInput, "expected baseline entry " + std::to_string(i) + " to be " +
                                         HeadGroup(current[i].layer, current[i].head) + ", found " +
                                         HeadGroup(baseline[i].layer, baseline[i].head));
    }
  }
  std::vector<CheckResult> results;
  AddDrift(results, current, baseline, rules);
  for (CheckResult& r : results) r.group = HeadGroup(r.layer, r.head);
  return results;
}

bool AllPassed(std::span<const CheckResult> results) {
  return std::all_of(results.begin(), results.end(), [](const CheckResult& r) { return r.passed; });
}

}  // namespace attnviz
