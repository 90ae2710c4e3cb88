// CI diagnostics of a dump: rules with thresholds, and drift of per-head statistics from a
// baseline.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attnviz/analysis/head_distance.h"
#include "attnviz/analysis/head_stats.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// The rule names used in results, options, rules files, JSON and JUnit, in evaluation order.
inline constexpr std::string_view kCheckFinite = "finite";        // no NaN or infinity
inline constexpr std::string_view kCheckRowSum = "row_sum";       // rows sum to 1
inline constexpr std::string_view kCheckCollapse = "collapse";    // a layer's heads differ
inline constexpr std::string_view kCheckUniform = "uniform";      // no near-uniform head
inline constexpr std::string_view kCheckPadding = "padding";      // little mass on padding
inline constexpr std::string_view kCheckSink = "sink";            // no first-token sink
inline constexpr std::string_view kCheckRedundant = "redundant";  // no two heads alike
inline constexpr std::string_view kCheckDrift = "drift";          // statistics near the baseline

// Ends the message of a finite or row_sum failure in a head holding negative values.
inline constexpr std::string_view kScoresHint =
    "negative values: pre-softmax scores? (read them with --softmax)";

// How far a correct row sum may stray from 1 in a dump of `dtype`: max(base, eps(dtype)), eps the
// dtype's machine epsilon (2^-7 bfloat16, 2^-10 float16, 2^-23 float32). Rounding each weight of a
// row to the dtype moves the sum by at most u * sum(w) = eps / 2 (u the unit roundoff); a softmax
// computed in that precision (each exp and quotient rounded) by up to eps. So a correct bfloat16
// row of any length may sum to 1 +- 0.0078 and raises no alarm, while a row summing to 0.9 does.
double RowSumTolerance(DType dtype, double base = 1e-3);

// One rule: whether it runs, and its threshold (what the threshold bounds is in CheckRules).
struct CheckRule {
  bool enabled = true;
  double threshold = 0;
};

// Every rule with its default; docs/check.md explains each. A result fails when:
struct CheckRules {
  CheckRule finite{true, 0};         // a head holds more NaN / ±Inf values than this
  CheckRule row_sum{true, 1e-3};     // max_i |sum_j A_ij - 1| of a head exceeds this, at
                                     // least RowSumTolerance of the dump's dtype
  CheckRule collapse{true, 0.01};    // mean JS over the head pairs of a layer is below this
  CheckRule uniform{true, 0.98};     // a head's entropy_norm exceeds this
  CheckRule padding{true, 0.05};     // a head's padding share exceeds this (needs tokens)
  CheckRule sink{true, 0.95};        // a head's first_token share exceeds this
  CheckRule redundant{true, 0.001};  // the JS between a head and another is below this
  // A crop of a larger matrix: rows may sum to less than 1, so row_sum only fails a row sum
  // above 1 + threshold.
  bool crop = false;
  // Drift (only with a baseline): a statistic fails when |current - baseline| exceeds
  // drift_absolute + drift_relative * |baseline|, as numpy.isclose bounds it. A statistic that is
  // NaN (does not apply) on one side only fails too; NaN on both sides passes.
  double drift_absolute = 0.02;
  double drift_relative = 0.05;
  JsReduce js_reduce = JsReduce::kMean;  // for collapse and redundant
};

// The outcome of one rule on one group of heads.
struct CheckResult {
  std::string rule;       // one of the kCheck* names
  std::string group;      // "layer 3" or "layer 3 head 5"; drift results of a head share its group
  int64_t layer = -1;     // the group's layer, -1 when it spans layers
  int64_t head = -1;      // the group's head, -1 when it is a layer or more
  std::string statistic;  // drift only: the HeadStats field, e.g. "entropy"
  bool passed = true;
  bool skipped = false;  // the rule does not apply here (no tokens, NaN head); passed stays true
  std::string message;   // one line for people: what was measured against what bound
  double measured = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();
  double baseline = std::numeric_limits<double>::quiet_NaN();  // drift only
};

// The inputs of a check besides the rules.
struct CheckInput {
  const AttentionTensor* tensor = nullptr;  // must remain live during RunChecks
  std::optional<std::vector<std::string>> query_tokens;
  std::optional<std::vector<std::string>> key_tokens;
  StatsOptions stats;  // how per-head statistics are computed (threads too); as the baseline's
  // The baseline's per-head statistics (from `stats --json`), layer-major, one per head.
  std::optional<std::vector<HeadStats>> baseline;
  // The model's numbers of the tensor's layer 0 and head 0 (docs/formats.md "Layer and head
  // numbers"): results' layer, head, group and messages use them, as does the baseline.
  int64_t layer_offset = 0;
  int64_t head_offset = 0;
  // Only results about these layers (and heads), as indexes in the tensor; empty: all of them.
  // Collapse and redundant still compare with every head of the dump.
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  // Analyses another part of the caller already ran on `tensor` (the report shares them), used
  // instead of computing them again; each must be what RunChecks would compute. `stats`:
  // ComputeHeadStats with `stats` above. `distances`: JsDistances with `distances_reduce`, used
  // only when that is the rules' js_reduce and every head is free of NaN and infinity.
  const std::vector<HeadStats>* precomputed_stats = nullptr;
  const HeadDistances* precomputed_distances = nullptr;
  JsReduce distances_reduce = JsReduce::kMean;
  // When set, receives the statistics of every head the rules measured, layer-major, numbered
  // by index in the tensor (as ComputeHeadStats gives them): an aggregate check summarises them.
  std::vector<HeadStats>* head_stats = nullptr;
};

// Every enabled rule on every group it applies to, in rule order, then layer-major. Results do not
// depend on the thread count. Throws Error(kInput) when the baseline does not have one entry for
// every head of the tensor, naming the first mismatch.
std::vector<CheckResult> RunChecks(const CheckInput& input, const CheckRules& rules);

// Throws Error(kInput) unless `baseline` has one entry per head of `tensor`, layer-major, naming
// the first mismatch (the caller adds the file name).
// Its heads are numbered from `layer_offset` and `head_offset` (CheckInput).
void CheckBaselineHeads(const AttentionTensor& tensor, std::span<const HeadStats> baseline,
                        int64_t layer_offset = 0, int64_t head_offset = 0);

// The drift rule on statistics already computed, such as the means of an aggregate over inputs
// against an aggregate baseline: one result per head and statistic, groups "layer L head H" from
// the heads' own numbers. Throws Error(kInput) unless `baseline` has the heads of `current` in
// the same order, naming the first mismatch.
std::vector<CheckResult> CheckDrift(std::span<const HeadStats> current,
                                    std::span<const HeadStats> baseline, const CheckRules& rules);

// True when no result failed.
bool AllPassed(std::span<const CheckResult> results);

// A baseline as `attnviz stats --json` writes it: the heads, and the options they were computed
// with. A statistic missing or null in the file is NaN.
struct StatsBaseline {
  std::vector<HeadStats> heads;
  bool bits = false;  // "entropy_unit": "bits"
  int64_t topk = 3;   // "topk_k"
  // The output of `stats --aggregate --json`: each statistic is the mean over its inputs.
  bool aggregate = false;
  int64_t inputs = 0;  // how many inputs an aggregate summarises
};

// Parses the output of `stats --json` or `stats --aggregate --json` (each statistic an object
// whose "mean" is taken). Throws Error(kInput) naming `path` and what was expected
// versus found.
StatsBaseline ParseStatsBaseline(std::string_view text, const std::string& path);

// Applies a rules file (docs/check.md: rule name -> false, true, a threshold or {"enabled",
// "threshold"}; "crop", "drift", "js_reduce") on top of `rules`. Throws Error(kInput) naming `path`
// for invalid JSON, unknown keys, wrong types and negative thresholds.
CheckRules ParseCheckRules(std::string_view text, const std::string& path, CheckRules rules = {});

}  // namespace attnviz
