// How different two attention heads are: the Jensen-Shannon divergence of Clark et al. (2019).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// Clark et al.'s smoothing, P' = 0.999 P + 0.001 / keys: no logarithm ever meets a zero weight.
inline constexpr double kJsKeep = 0.999;
inline constexpr double kJsSpread = 0.001;

// How the per-row divergences of two heads combine: summed over query rows (Clark et al.'s
// notebook) or averaged, which keeps values comparable between sequence lengths.
enum class JsReduce { kMean, kSum };

// A head of a dump: 0-based indices.
struct HeadId {
  int64_t layer = 0;
  int64_t head = 0;

  bool operator==(const HeadId&) const = default;
};

// A symmetric matrix of distances between heads, 0 on the diagonal.
struct HeadDistances {
  std::vector<HeadId> heads;
  std::vector<double> values;  // heads.size() x heads.size(), row-major

  size_t size() const { return heads.size(); }
  double at(size_t a, size_t b) const { return values[a * heads.size() + b]; }
};

// JS = 1/2 sum_ij [P' ln(P'/M) + Q' ln(Q'/M)] with M = (P' + Q') / 2, summed over the query rows
// or divided by their number. `p` and `q` are queries x keys, row-major. Throws Error(kInput)
// for a NaN, an infinity or a negative weight, naming its query and key.
double JsDivergence(std::span<const float> p, std::span<const float> q, int64_t queries,
                    int64_t keys, JsReduce reduce);

// JS between every two heads of `tensor`, heads in layer-major order. Pairs are spread over
// `threads` threads (0: one per core); every pair is computed the same way whatever the count,
// so the result does not depend on it. Throws like JsDivergence, naming layer and head.
HeadDistances JsDistances(const AttentionTensor& tensor, JsReduce reduce, int threads = 0);

// JS between each head of `a` and the same head of `b`, layer-major. The tensors must have the
// same extents (Error(kInput) otherwise). Throws like JsDistances.
std::vector<double> PairedJsDistances(const AttentionTensor& a, const AttentionTensor& b,
                                      JsReduce reduce, int threads = 0);

}  // namespace attnviz
