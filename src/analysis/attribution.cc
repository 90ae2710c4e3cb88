// Attribution maps from attention and its gradients, their head means, rollout and importance.
#include "attnviz/analysis/attribution.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "attnviz/analysis/blas.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

// The gradient of one head in double, whatever the source (one gradient, or a mean of steps).
using GradientOf = std::function<std::vector<double>(int64_t layer, int64_t head)>;

std::string Extents(const AttentionTensor& t) {
  return std::to_string(t.layers()) + " layers x " + std::to_string(t.heads()) + " heads x " +
         std::to_string(t.queries()) + " queries x " + std::to_string(t.keys()) + " keys";
}

void CheckSameExtents(const NamedTensor& attention, const NamedTensor& gradient) {
  const AttentionTensor& a = attention.tensor;
  const AttentionTensor& g = gradient.tensor;
  if (a.layers() == g.layers() && a.heads() == g.heads() && a.queries() == g.queries() &&
      a.keys() == g.keys()) {
    return;
  }
  ThrowInputError(gradient.name, "expected gradients of the attention's shape (" + Extents(a) +
                                     "), found " + Extents(g));
}

void CheckFinite(std::span<const float> head, const std::string& name, int64_t layer, int64_t h,
                 int64_t keys) {
  for (size_t cell = 0; cell < head.size(); ++cell) {
    if (std::isfinite(head[cell])) continue;
    ThrowInputError(name, "expected finite values, found " +
                              std::string(std::isnan(head[cell]) ? "NaN" : "infinity") +
                              " at layer " + std::to_string(layer) + ", head " + std::to_string(h) +
                              ", query " + std::to_string(cell / keys) + ", key " +
                              std::to_string(cell % keys));
  }
}

std::vector<float> ReadFiniteHead(const NamedTensor& named, int64_t layer, int64_t head) {
  std::vector<float> values = named.tensor.ReadHead(layer, head);
  CheckFinite(values, named.name, layer, head, named.tensor.keys());
  return values;
}

// Chefer et al.'s rule for self-attention layers: R <- R + Ā_l R, from the first layer up.
std::vector<double> AttributionRollout(const Attribution& a) {
  const auto n = static_cast<int>(a.queries);
  std::vector<double> rollout(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) rollout[static_cast<size_t>(i) * n + i] = 1;
  std::vector<double> next;
  for (int64_t layer = 0; layer < a.layers; ++layer) {
    next = rollout;  // beta = 1 adds R itself
    LoadedBlas().dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
                       a.MeanPositive(layer).data(), n, rollout.data(), n, 1.0, next.data(), n);
    rollout.swap(next);
  }
  return rollout;
}

// Head `head` of `layer`: its map X = A ⊙ G, its share of the layer's mean of X+, its score.
void AddHead(Attribution& a, int64_t layer, int64_t head, std::span<const float> attention,
             const std::vector<double>& gradient) {
  const size_t size = attention.size();
  double* map = a.maps.data() + (layer * a.heads + head) * size;
  double* mean = a.mean_positive.data() + layer * size;
  double sum = 0;
  for (size_t cell = 0; cell < size; ++cell) {
    const double x = attention[cell] * gradient[cell];
    map[cell] = x;
    mean[cell] += std::max(x, 0.0) / static_cast<double>(a.heads);
    sum += x;
  }
  a.scores.push_back(std::abs(sum));
}

Attribution Attribute(const NamedTensor& attention, const GradientOf& gradient_of) {
  const AttentionTensor& t = attention.tensor;
  Attribution a;
  a.layers = t.layers();
  a.heads = t.heads();
  a.queries = t.queries();
  a.keys = t.keys();
  const size_t head_size = static_cast<size_t>(t.HeadSize());
  a.maps.assign(static_cast<size_t>(t.layers() * t.heads()) * head_size, 0.0);
  a.mean_positive.assign(static_cast<size_t>(t.layers()) * head_size, 0.0);
  for (int64_t layer = 0; layer < t.layers(); ++layer) {
    for (int64_t head = 0; head < t.heads(); ++head) {
      AddHead(a, layer, head, ReadFiniteHead(attention, layer, head), gradient_of(layer, head));
    }
  }
  if (t.queries() == t.keys()) a.rollout = AttributionRollout(a);
  a.importance = NormalizedImportance(a.scores, t.heads());
  return a;
}

}  // namespace

std::span<const double> Attribution::Map(int64_t layer, int64_t head) const {
  const auto size = static_cast<size_t>(queries * keys);
  return {maps.data() + (layer * heads + head) * size, size};
}

std::span<const double> Attribution::MeanPositive(int64_t layer) const {
  const auto size = static_cast<size_t>(queries * keys);
  return {mean_positive.data() + layer * size, size};
}

Attribution AttributeGradients(const NamedTensor& attention, const NamedTensor& gradient) {
  CheckSameExtents(attention, gradient);
  return Attribute(attention, [&](int64_t layer, int64_t head) {
    const std::vector<float> g = ReadFiniteHead(gradient, layer, head);
    return std::vector<double>(g.begin(), g.end());
  });
}

Attribution AttributeIntegratedGradients(const NamedTensor& attention, const NamedTensor& steps) {
  CheckSameExtents(attention, steps);
  AttentionTensor step = steps.tensor;  // a view: selecting a batch item copies nothing
  const int64_t count = step.batches();
  return Attribute(attention, [&](int64_t layer, int64_t head) {
    std::vector<double> mean(static_cast<size_t>(step.HeadSize()), 0.0);
    for (int64_t k = 0; k < count; ++k) {
      step.SelectBatch(k);
      const std::vector<float> g = ReadFiniteHead({step, steps.name}, layer, head);
      for (size_t cell = 0; cell < mean.size(); ++cell) mean[cell] += g[cell];
    }
    for (double& value : mean) value /= static_cast<double>(count);
    return mean;
  });
}

std::vector<double> NormalizedImportance(std::span<const double> scores, int64_t heads) {
  std::vector<double> importance(scores.begin(), scores.end());
  for (size_t first = 0; first < importance.size(); first += static_cast<size_t>(heads)) {
    double norm = 0;
    for (int64_t h = 0; h < heads; ++h) norm += importance[first + h] * importance[first + h];
    norm = std::sqrt(norm);
    if (norm == 0) continue;
    for (int64_t h = 0; h < heads; ++h) importance[first + h] /= norm;
  }
  const auto [low, high] = std::minmax_element(importance.begin(), importance.end());
  if (low == importance.end() || *high == *low) return importance;
  const double min = *low, range = *high - *low;
  for (double& value : importance) value = (value - min) / range;
  return importance;
}

}  // namespace attnviz
