// RunChecks on analyses its caller already ran (the report shares them): the same results as
// computing them itself, and the precomputed values are what it judges.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "attnviz/analysis/check.h"
#include "attnviz/analysis/head_distance.h"
#include "attnviz/analysis/head_stats.h"
#include "support/tensors.h"

namespace attnviz {
namespace {

using testing::MakeTensor;

// Two layers of three 4 x 4 heads: rows of exp(sin(...)) normalised, so no two heads are alike;
// layer 0 head 1 puts 0.97 of every row on the first key (a sink above check's 0.95).
AttentionTensor SampleTensor() {
  std::vector<float> values;
  for (int h = 0; h < 6; ++h) {
    for (int i = 0; i < 4; ++i) {
      std::vector<double> row(4);
      double sum = 0;
      for (int j = 0; j < 4; ++j) sum += row[j] = std::exp(std::sin(1.7 * h + 0.9 * i + 2.3 * j));
      for (int j = 0; j < 4; ++j) {
        values.push_back(h == 1 ? (j == 0 ? 0.97f : 0.01f) : static_cast<float>(row[j] / sum));
      }
    }
  }
  return MakeTensor({2, 3, 4, 4}, values);
}

bool SameResults(const std::vector<CheckResult>& a, const std::vector<CheckResult>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].rule != b[i].rule || a[i].group != b[i].group || a[i].passed != b[i].passed ||
        a[i].message != b[i].message) {
      return false;
    }
  }
  return true;
}

TEST_CASE("checks on precomputed statistics and distances match checks that compute them") {
  const AttentionTensor tensor = SampleTensor();
  CheckInput input;
  input.tensor = &tensor;
  const std::vector<CheckResult> own = RunChecks(input, {});
  const std::vector<HeadStats> stats = ComputeHeadStats(tensor, std::nullopt, std::nullopt, {});
  const HeadDistances distances = JsDistances(tensor, JsReduce::kMean, 1);
  input.precomputed_stats = &stats;
  input.precomputed_distances = &distances;
  const std::vector<CheckResult> shared = RunChecks(input, {});
  CHECK(SameResults(own, shared));
  CHECK(!AllPassed(shared));  // the sink
}

TEST_CASE("checks judge the precomputed values they are given") {
  // Distances of 0 between every two heads: every layer collapsed, every head redundant, which
  // the tensor's own distances are not. Statistics with every first_token share 0: no sink.
  const AttentionTensor tensor = SampleTensor();
  std::vector<HeadStats> stats = ComputeHeadStats(tensor, std::nullopt, std::nullopt, {});
  for (HeadStats& s : stats) s.first_token = 0;
  HeadDistances zero = JsDistances(tensor, JsReduce::kMean, 1);
  std::fill(zero.values.begin(), zero.values.end(), 0.0);
  CheckInput input;
  input.tensor = &tensor;
  input.precomputed_stats = &stats;
  input.precomputed_distances = &zero;
  for (const CheckResult& r : RunChecks(input, {})) {
    if (r.rule == kCheckCollapse || r.rule == kCheckRedundant) CHECK_MESSAGE(!r.passed, r.group);
    if (r.rule == kCheckSink) CHECK_MESSAGE(r.passed, r.group);
  }
  SUBCASE("distances of another reduction are not used") {
    input.distances_reduce = JsReduce::kSum;
    for (const CheckResult& r : RunChecks(input, {})) {
      if (r.rule == kCheckCollapse || r.rule == kCheckRedundant) CHECK(r.passed);
    }
  }
}

}  // namespace
}  // namespace attnviz
