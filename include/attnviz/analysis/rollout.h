// Attention rollout (Abnar & Zuidema 2020): each layer's heads fused into one matrix with the
// residual stream added, and the product of those matrices down the layers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// How the heads of a layer combine, cell by cell, into one matrix F.
enum class HeadFuse { kMean, kMax, kMin };

// How layer l becomes the matrix Â_l that rollout multiplies and flow routes through:
// F, then its smallest entries discarded, then Â = (attention_weight·F + identity_weight·I)
// with every row divided by its sum (a row summing to 0 stays 0), or Â = F without residual.
struct LayerGraphOptions {
  HeadFuse fuse = HeadFuse::kMean;
  double discard = 0;  // R in [0, 1): zero the floor(R·n²) smallest entries of F, never F[0, 0]
  bool residual = true;
  double attention_weight = 1;  // (1, 1) is F + I; --residual-weight a gives (a, 1 - a)
  double identity_weight = 1;
  int64_t first_layer = 0;            // the lowest layer taken
  std::optional<int64_t> last_layer;  // the highest, inclusive; default the last one
};

// The layers `options` takes, both inclusive.
struct LayerSpan {
  int64_t first = 0;
  int64_t last = 0;

  int64_t size() const { return last - first + 1; }
};

// Checks `options` against `tensor` and returns its layers. Throws Error(kUsage) for a layer
// out of range or first > last, a discard ratio outside [0, 1), negative residual weights, and
// Error(kInput) when queries != keys (rollout and flow need self-attention).
LayerSpan CheckLayerGraph(const AttentionTensor& tensor, const LayerGraphOptions& options);

// Â_l of `layer`, n x n row-major in double. Throws Error(kInput) naming the layer, head and
// cell of the first NaN or infinity. Requires CheckLayerGraph to have passed.
std::vector<double> ResidualAdjustedLayer(const AttentionTensor& tensor, int64_t layer,
                                          const LayerGraphOptions& options);

// Rows of an output-token x input-token matrix: row r belongs to output token rows[r].
struct TokenRows {
  std::vector<int64_t> rows;
  int64_t tokens = 0;          // columns, one per input token
  std::vector<double> values;  // rows.size() x tokens, row-major

  double at(size_t row, int64_t token) const { return values[row * tokens + token]; }
};

// `rows`, or every row 0..tokens-1 when it is empty. Throws Error(kUsage) for a row out of range.
std::vector<int64_t> SelectedRows(std::span<const int64_t> rows, int64_t tokens);

// Rollout = Â_last · … · Â_first, only the rows `rows` (every row when empty): a chain of
// products from the last layer down, k x n times n x n per layer for k rows. Throws like
// CheckLayerGraph and SelectedRows.
TokenRows Rollout(const AttentionTensor& tensor, const LayerGraphOptions& options,
                  std::span<const int64_t> rows = {});

}  // namespace attnviz
