// Jensen-Shannon divergence between heads: smoothed heads kept in double, one logarithm per cell
// and pair, four cells at a time, pairs spread over threads.
#include "attnviz/analysis/head_distance.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <string>
#include <thread>

#include "analysis/stats_parallel.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

// Eight doubles: one AVX-512 register, two AVX2 ones, four SSE2 ones (GCC vector extensions).
typedef double Lanes __attribute__((vector_size(64)));
typedef int64_t IntLanes __attribute__((vector_size(64)));
typedef uint64_t BitLanes __attribute__((vector_size(64)));
constexpr int kLanes = 8;

// ln x for positive normal x, to within a few units in the last place: x = 2^k f with f in
// [sqrt(1/2), sqrt(2)), ln f = 2 atanh(s), s = (f - 1) / (f + 1), |s| < 0.172. Eight terms of
// the series leave an error below 1e-14. glibc's log is scalar and four times slower here.
// Always inlined: a call from the AVX-512 build into this baseline function would stay a call.
[[gnu::always_inline]] inline void LogInPlace(Lanes& x) {
  constexpr uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcdULL;
  const BitLanes bits = (BitLanes)x;
  const BitLanes offset = bits - kSqrtHalfBits;
  const IntLanes k = (IntLanes)offset >> 52;
  const BitLanes f_bits = bits - (offset & 0xfff0000000000000ULL);
  const Lanes f = (Lanes)f_bits;
  // k as a double without an int64 conversion instruction: 1.5 * 2^52 + k, minus 1.5 * 2^52.
  const BitLanes k_bits = (BitLanes)k + 0x4338000000000000ULL;
  const Lanes k_double = (Lanes)k_bits - 6755399441055744.0;
  const Lanes s = (f - 1.0) / (f + 1.0);
  const Lanes z = s * s;
  Lanes series = Lanes{} + 2.0 / 15;
  for (double c : {2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3, 2.0}) {
    series = series * z + c;
  }
  x = k_double * std::numbers::ln2 + s * series;
}

// sum_i m_i ln m_i with m = (p + q) / 2, over `count` values (a multiple of kLanes). Built for
// AVX-512, AVX2 and the baseline, chosen when the program starts; the AVX-512 build fuses
// multiply-adds, so the last bits may differ between machines, never between runs of one.
__attribute__((target_clones("avx512f", "avx2", "default"))) double SumMeanLogMean(const double* p,
                                                                                   const double* q,
                                                                                   int64_t count) {
  Lanes sum{};
  for (int64_t i = 0; i < count; i += kLanes) {
    Lanes a, b;
    std::memcpy(&a, p + i, sizeof a);
    std::memcpy(&b, q + i, sizeof b);
    Lanes m = 0.5 * (a + b);
    Lanes log_m = m;
    LogInPlace(log_m);
    sum += m * log_m;
  }
  return ((sum[0] + sum[1]) + (sum[2] + sum[3])) + ((sum[4] + sum[5]) + (sum[6] + sum[7]));
}

// A head ready for JS: P' in double, padded with ones (1 ln 1 = 0) to whole lanes, and
// sum P' ln P', so a pair costs one logarithm per cell: JS_sum = (T_P + T_Q) / 2 - sum M ln M.
struct SmoothedHead {
  std::vector<double> values;
  double self_term = 0;
};

int64_t PaddedSize(int64_t size) { return (size + kLanes - 1) / kLanes * kLanes; }

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
  smoothed.values.assign(static_cast<size_t>(PaddedSize(std::ssize(head))), 1.0);
  const double spread = kJsSpread / static_cast<double>(keys);
  for (size_t cell = 0; cell < head.size(); ++cell) {
    if (!(head[cell] >= 0) || std::isinf(head[cell])) ThrowBadWeight(head[cell], cell, keys, where);
    smoothed.values[cell] = kJsKeep * head[cell] + spread;
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
