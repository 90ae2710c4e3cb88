// Jensen-Shannon divergence between heads: the sums of analysis/js_sums.h, turned into distances.
#include "attnviz/analysis/head_distance.h"

#include <algorithm>
#include <string>

#include "analysis/js_sums.h"
#include "analysis/stats_parallel.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

// JS_sum = (sum P' ln P' + sum Q' ln Q') / 2 - sum M ln M.
double Js(double self_p, double self_q, double mixed, int64_t queries, JsReduce reduce) {
  // Rounding can leave a hair below 0 for identical heads; the divergence itself never is.
  const double sum = std::max(0.0, 0.5 * (self_p + self_q) - mixed);
  return reduce == JsReduce::kSum ? sum : sum / static_cast<double>(queries);
}

std::string HeadPlace(int64_t layer, int64_t head) {
  return "layer " + std::to_string(layer) + ", head " + std::to_string(head) + ", ";
}

// The JS of two heads of queries x keys weights, on the calling thread.
double JsOfPair(std::span<const float> p, std::span<const float> q, int64_t queries, int64_t keys,
                JsReduce reduce, const std::string& where_p, const std::string& where_q) {
  const JsRowSource rows = [&](int64_t index, int64_t first, int64_t count, std::vector<float>&) {
    return (index == 0 ? p : q)
        .subspan(static_cast<size_t>(first * keys), static_cast<size_t>(count * keys));
  };
  const JsSums sums = SumJsTerms(
      2, queries, keys, rows, [&](int64_t index) { return index == 0 ? where_p : where_q; }, 1);
  return Js(sums.self_terms[0], sums.self_terms[1], sums.mixed[1], queries, reduce);
}

void CheckSameExtents(const AttentionTensor& a, const AttentionTensor& b) {
  const TensorExtents& x = a.extents();
  const TensorExtents& y = b.extents();
  if (x.layers == y.layers && x.heads == y.heads && x.queries == y.queries && x.keys == y.keys) {
    return;
  }
  auto text = [](const TensorExtents& e) {
    return std::to_string(e.layers) + " layers x " + std::to_string(e.heads) + " heads x " +
           std::to_string(e.queries) + " x " + std::to_string(e.keys);
  };
  throw Error(ErrorKind::kInput,
              "expected dumps of the same shape, found " + text(x) + " and " + text(y));
}

}  // namespace

double JsDivergence(std::span<const float> p, std::span<const float> q, int64_t queries,
                    int64_t keys, JsReduce reduce) {
  return JsOfPair(p, q, queries, keys, reduce, "", "");
}

HeadDistances JsDistances(const AttentionTensor& tensor, JsReduce reduce, int threads) {
  const int64_t count = tensor.layers() * tensor.heads();
  const int64_t keys = tensor.keys();
  // Rows in place when the dump stores float32 as it is read, else converted band by band.
  const JsRowSource rows = [&](int64_t index, int64_t first, int64_t rows_wanted,
                               std::vector<float>& scratch) -> std::span<const float> {
    const int64_t layer = index / tensor.heads(), head = index % tensor.heads();
    const std::span<const float> in_place = tensor.HeadInPlace(layer, head);
    if (!in_place.empty()) {
      return in_place.subspan(static_cast<size_t>(first * keys),
                              static_cast<size_t>(rows_wanted * keys));
    }
    scratch.resize(static_cast<size_t>(rows_wanted * keys));
    tensor.ReadRows(layer, head, first, rows_wanted, scratch);
    return scratch;
  };
  const JsSums sums = SumJsTerms(
      count, tensor.queries(), keys, rows,
      [&](int64_t index) { return HeadPlace(index / tensor.heads(), index % tensor.heads()); },
      threads);
  HeadDistances distances;
  for (int64_t layer = 0; layer < tensor.layers(); ++layer) {
    for (int64_t head = 0; head < tensor.heads(); ++head) distances.heads.push_back({layer, head});
  }
  distances.values.assign(static_cast<size_t>(count * count), 0.0);
  for (int64_t a = 0; a < count; ++a) {
    for (int64_t b = a + 1; b < count; ++b) {
      const double js =
          Js(sums.self_terms[a], sums.self_terms[b], sums.mixed[static_cast<size_t>(a * count + b)],
             tensor.queries(), reduce);
      distances.values[static_cast<size_t>(a * count + b)] = js;
      distances.values[static_cast<size_t>(b * count + a)] = js;
    }
  }
  return distances;
}

std::vector<double> PairedJsDistances(const AttentionTensor& a, const AttentionTensor& b,
                                      JsReduce reduce, int threads) {
  CheckSameExtents(a, b);
  std::vector<double> distances(static_cast<size_t>(a.layers() * a.heads()));
  ForEachHead(
      a, threads, [&](int64_t index, int64_t layer, int64_t head, std::span<const float> values) {
        const std::string where = HeadPlace(layer, head);
        const std::vector<float> other = b.ReadHead(layer, head);
        distances[index] = JsOfPair(values, other, a.queries(), a.keys(), reduce,
                                    "the first dump, " + where, "the second dump, " + where);
      });
  return distances;
}

}  // namespace attnviz
