// Jensen-Shannon divergence between heads: smoothed heads kept in double, one logarithm per cell
// and pair, four cells at a time, pairs spread over threads.
#include "attnviz/analysis/head_distance.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "analysis/js_log.h"
#include "analysis/stats_parallel.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

// sum_i m_i ln m_i with m = p + q (each array holding halves of the smoothed weights), over
// `count` values (a multiple of kJsLanes). Built for AVX-512, AVX2 and the baseline, chosen when
// the program starts; the AVX-512 build fuses multiply-adds, so the last bits may differ between
// machines, never between runs of one. (Not "arch=x86-64-v4": clang 14, which the fuzz build
// uses, drops the v3 clone and dispatches on the CPU vendor instead of its features.)
__attribute__((target_clones("avx512f", "avx2", "default"))) double SumMeanLogMean(const double* p,
                                                                                   const double* q,
                                                                                   int64_t count) {
  JsLanes sum{};
  for (int64_t i = 0; i < count; i += kJsLanes) {
    JsLanes a, b;
    std::memcpy(&a, p + i, sizeof a);
    std::memcpy(&b, q + i, sizeof b);
    const JsLanes m = a + b;  // the halves were halved exactly: this is 0.5 * (P' + Q')
    JsLanes log_m = m;
    LogInPlace(log_m);
    sum += m * log_m;
  }
  return ((sum[0] + sum[1]) + (sum[2] + sum[3])) + ((sum[4] + sum[5]) + (sum[6] + sum[7]));
}

// A head ready for JS: P' / 2 in double (so that a pair's mean is one addition), padded with
// halves (1 ln 1 = 0) to whole lanes, and sum P' ln P', so a pair costs one logarithm per cell:
// JS_sum = (T_P + T_Q) / 2 - sum M ln M.
struct SmoothedHead {
  std::vector<double> values;
  double self_term = 0;
};

int64_t PaddedSize(int64_t size) { return (size + kJsLanes - 1) / kJsLanes * kJsLanes; }

[[noreturn]] void ThrowBadWeight(float value, size_t cell, int64_t keys, const std::string& where) {
  char found[32];
  std::snprintf(found, sizeof found, "%g", static_cast<double>(value));
  const std::string text = std::isnan(value) ? "NaN" : std::isinf(value) ? "infinity" : found;
  throw Error(ErrorKind::kInput, "expected attention weights >= 0 for the JS divergence, found " +
                                     text + " at " + where + "query " +
                                     std::to_string(cell / keys) + ", key " +
                                     std::to_string(cell % keys));
}

SmoothedHead Smooth(std::span<const float> head, int64_t keys, const std::string& where) {
  SmoothedHead smoothed;
  smoothed.values.assign(static_cast<size_t>(PaddedSize(std::ssize(head))), 0.5);
  const double spread = kJsSpread / static_cast<double>(keys);
  for (size_t cell = 0; cell < head.size(); ++cell) {
    if (!(head[cell] >= 0) || std::isinf(head[cell])) ThrowBadWeight(head[cell], cell, keys, where);
    smoothed.values[cell] = 0.5 * (kJsKeep * head[cell] + spread);
  }
  const double* p = smoothed.values.data();
  smoothed.self_term = SumMeanLogMean(p, p, std::ssize(smoothed.values));
  return smoothed;
}

double Js(const SmoothedHead& p, const SmoothedHead& q, int64_t queries, JsReduce reduce) {
  const double mixed = SumMeanLogMean(p.values.data(), q.values.data(), std::ssize(p.values));
  // Rounding can leave a hair below 0 for identical heads; the divergence itself never is.
  const double sum = std::max(0.0, 0.5 * (p.self_term + q.self_term) - mixed);
  return reduce == JsReduce::kSum ? sum : sum / static_cast<double>(queries);
}

std::string HeadPlace(int64_t layer, int64_t head) {
  return "layer " + std::to_string(layer) + ", head " + std::to_string(head) + ", ";
}

std::vector<SmoothedHead> SmoothAll(const AttentionTensor& tensor, int threads) {
  std::vector<SmoothedHead> heads(static_cast<size_t>(tensor.layers() * tensor.heads()));
  ForEachHead(tensor, threads,
              [&](int64_t index, int64_t layer, int64_t head, std::span<const float> values) {
                heads[index] = Smooth(values, tensor.keys(), HeadPlace(layer, head));
              });
  return heads;
}

// Calls row(i) for i = 0..count-1 on up to `threads` threads, rows handed out in order.
template <typename Row>
void ForEachRow(int64_t count, int threads, Row row) {
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t i = next++; i < count; i = next++) row(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < WorkerCount(threads, count); ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
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
  return Js(Smooth(p, keys, ""), Smooth(q, keys, ""), queries, reduce);
}

HeadDistances JsDistances(const AttentionTensor& tensor, JsReduce reduce, int threads) {
  const std::vector<SmoothedHead> heads = SmoothAll(tensor, threads);
  const auto count = std::ssize(heads);
  HeadDistances distances;
  for (int64_t layer = 0; layer < tensor.layers(); ++layer) {
    for (int64_t head = 0; head < tensor.heads(); ++head) distances.heads.push_back({layer, head});
  }
  distances.values.assign(static_cast<size_t>(count * count), 0.0);
  ForEachRow(count, threads, [&](int64_t a) {
    for (int64_t b = a + 1; b < count; ++b) {
      const double js = Js(heads[a], heads[b], tensor.queries(), reduce);
      distances.values[a * count + b] = js;
      distances.values[b * count + a] = js;
    }
  });
  return distances;
}

std::vector<double> PairedJsDistances(const AttentionTensor& a, const AttentionTensor& b,
                                      JsReduce reduce, int threads) {
  CheckSameExtents(a, b);
  std::vector<double> distances(static_cast<size_t>(a.layers() * a.heads()));
  ForEachHead(a, threads,
              [&](int64_t index, int64_t layer, int64_t head, std::span<const float> values) {
                const std::string where = HeadPlace(layer, head);
                const std::vector<float> other = b.ReadHead(layer, head);
                distances[index] =
                    Js(Smooth(values, a.keys(), "the first dump, " + where),
                       Smooth(other, b.keys(), "the second dump, " + where), a.queries(), reduce);
              });
  return distances;
}

}  // namespace attnviz
