// Attention flow: the layered graph built from the residual-adjusted layers, solved pair by pair.
#include "attnviz/analysis/flow.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>

#include "analysis/max_flow.h"
#include "attnviz/error.h"
#include "attnviz/parallel.h"

namespace attnviz {

namespace {

void CheckCapacities(const std::vector<double>& matrix, int64_t layer, int64_t n) {
  for (size_t cell = 0; cell < matrix.size(); ++cell) {
    if (matrix[cell] >= 0) continue;
    throw Error(ErrorKind::kInput,
                "expected non-negative weights for flow, found " + std::to_string(matrix[cell]) +
                    " at layer " + std::to_string(layer) + ", query " +
                    std::to_string(static_cast<int64_t>(cell) / n) + ", key " +
                    std::to_string(static_cast<int64_t>(cell) % n) + " after fusing heads");
  }
}

// Â_l for each layer taken, the lowest first: capacities[l] joins graph layers l + 1 and l.
LayeredGraph BuildGraph(const AttentionTensor& tensor, const LayerGraphOptions& options,
                        LayerSpan span) {
  std::vector<std::vector<double>> capacities;
  for (int64_t layer = span.first; layer <= span.last; ++layer) {
    capacities.push_back(ResidualAdjustedLayer(tensor, layer, options));
    CheckCapacities(capacities.back(), layer, tensor.keys());
  }
  return LayeredGraph(tensor.keys(), capacities);
}

// Every pair (row r, input token j) once, on `threads` threads of RunInParallel taking the next
// pair as they finish; each pair starts from a zero flow, so the values do not depend on who
// computed them, and an error is that of the lowest pair.
void SolvePairs(const LayeredGraph& graph, TokenRows& result, int threads) {
  const size_t pairs = result.values.size();
  std::vector<std::optional<LayeredMaxFlow>> solvers(static_cast<size_t>(threads));
  RunInParallelOnWorkers(pairs, threads, [&](size_t pair, size_t worker) {
    if (!solvers[worker]) solvers[worker].emplace(graph);
    const size_t row = pair / static_cast<size_t>(result.tokens);
    const int64_t token = static_cast<int64_t>(pair % static_cast<size_t>(result.tokens));
    result.values[pair] = solvers[worker]->MaxFlow(result.rows[row], token);
  });
}

void NormalizeRows(TokenRows& result) {
  for (size_t row = 0; row < result.rows.size(); ++row) {
    double* values = result.values.data() + row * static_cast<size_t>(result.tokens);
    const double sum = std::accumulate(values, values + result.tokens, 0.0);
    if (sum == 0) continue;
    for (int64_t j = 0; j < result.tokens; ++j) values[j] /= sum;
  }
}

}  // namespace

TokenRows AttentionFlow(const AttentionTensor& tensor, const FlowOptions& options) {
  const LayerSpan span = CheckLayerGraph(tensor, options.graph);
  const int64_t n = tensor.keys();
  TokenRows result{SelectedRows(options.rows, n), n, {}};
  result.values.assign(result.rows.size() * static_cast<size_t>(n), 0.0);
  const LayeredGraph graph = BuildGraph(tensor, options.graph, span);
  SolvePairs(graph, result, ThreadsFor(options.threads, result.values.size()));
  if (!options.raw) NormalizeRows(result);
  return result;
}

}  // namespace attnviz
