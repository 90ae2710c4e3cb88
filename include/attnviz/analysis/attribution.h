// Attention attribution from dumped gradients: A ⊙ G per head, its positive part averaged over
// heads and rolled out (Chefer et al. 2021), head importance (Michel et al. 2019), and
// integrated gradients over attention (Hao et al. 2021).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// A tensor and the name error messages give it (its file).
struct NamedTensor {
  const AttentionTensor& tensor;
  std::string name;
};

// Everything attnviz derives from one attribution map X per head (X = A ⊙ G, or A ⊙ Ḡ for
// integrated gradients). Maps are row-major queries x keys, in double.
struct Attribution {
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t queries = 0;
  int64_t keys = 0;
  std::vector<double> maps;           // X, layers x heads x queries x keys
  std::vector<double> mean_positive;  // Ā_l = mean over heads of max(X, 0), layers x q x k
  // Chefer et al.: R = I, then R += Ā_l R for l = 0 .. L-1; queries x queries. nullopt for
  // cross-attention (queries != keys), where a product of layers means nothing.
  std::optional<std::vector<double>> rollout;
  std::vector<double> scores;      // |sum_ij X_ij| per head, layer-major
  std::vector<double> importance;  // scores / per-layer L2 norm, then min-max over all heads

  std::span<const double> Map(int64_t layer, int64_t head) const;
  std::span<const double> MeanPositive(int64_t layer) const;
};

// X = A ⊙ G. The gradient must have the attention's extents. Throws Error(kInput) naming the
// tensor for a shape mismatch and for NaN or infinity (with layer, head, query and key).
Attribution AttributeGradients(const NamedTensor& attention, const NamedTensor& gradient);

// Integrated gradients with m steps: `steps` holds the gradient at (k/m)·A for k = 1..m as its
// m batch items (item k - 1), each of the attention's extents; X = A ⊙ (1/m) sum_k G_k, the
// right Riemann sum of Hao et al.'s integral from the zero baseline. Throws like
// AttributeGradients.
Attribution AttributeIntegratedGradients(const NamedTensor& attention, const NamedTensor& steps);

// Michel et al.'s normalisation of per-head scores (layer-major, `heads` per layer): each
// layer divided by its L2 norm (a zero layer stays 0), then (x - min) / (max - min) over all
// heads; when every head has the same value, they are returned as they are.
std::vector<double> NormalizedImportance(std::span<const double> scores, int64_t heads);

}  // namespace attnviz
