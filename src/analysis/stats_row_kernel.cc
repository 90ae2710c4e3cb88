// The per-row pass of `stats`: eight weights at a time with GCC vector extensions, built for
// AVX-512, AVX2 and the x86-64 baseline and chosen when the program starts (target_clones), so
// the binary runs on any x86-64. The logarithm is Cephes' logf: glibc's is scalar and, in double,
// was most of the time of `stats`.
#include "analysis/stats_row_kernel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>

namespace attnviz {

namespace {

typedef float Floats __attribute__((vector_size(32)));
typedef int32_t Ints __attribute__((vector_size(32)));
typedef double Doubles __attribute__((vector_size(64)));
typedef uint64_t Words __attribute__((vector_size(32)));
// One AVX2 register of floats, two SSE2 ones. Sixteen lanes measured twice as slow here (the
// sums in double no longer fit the registers).
constexpr int kLanes = 8;

// ln x for x > 0, lane by lane, within ~2 ulp (Cephes logf). Subnormal x is taken as FLT_MIN:
// its x ln x is below 1e-36 either way.
[[gnu::always_inline]] inline void LogLanes(const Floats& in, Floats& out) {
  const Floats x = in < FLT_MIN ? Floats{} + FLT_MIN : in;
  const Ints bits = (Ints)x;
  Ints exponent = (bits >> 23) - 127;
  Floats m = (Floats)((bits & 0x7fffff) | 0x3f800000);  // in [1, 2)
  const Ints high = m > 1.41421356f;                    // -1 where true
  m = high ? m * 0.5f : m;
  exponent -= high;
  const Floats f = m - 1.0f;
  const Floats e = __builtin_convertvector(exponent, Floats);
  const Floats z = f * f;
  Floats poly = Floats{} + 7.0376836292e-2f;
  for (float c : {-1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f, 1.4249322787e-1f,
                  -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f, 3.3333331174e-1f}) {
    poly = poly * f + c;
  }
  Floats y = f * z * poly;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  out = (f + y) + 0.693359375f * e;
}

bool AnyLane(const Ints& mask) {
  const Words words = (Words)mask;
  return ((words[0] | words[1]) | (words[2] | words[3])) != 0;
}

// The k largest weights seen so far, k <= kMaxSmallTopK, largest first.
struct TopWeights {
  int64_t k = 0;  // 0: not wanted
  float best[kMaxSmallTopK];

  explicit TopWeights(int64_t wanted) : k(wanted) {
    std::fill(best, best + kMaxSmallTopK, -std::numeric_limits<float>::infinity());
  }
  void Offer(float value) {
    if (!(value > best[k - 1])) return;
    int64_t at = k - 1;
    for (; at > 0 && best[at - 1] < value; --at) best[at] = best[at - 1];
    best[at] = value;
  }
  // Most lanes fail to beat the k-th best: one comparison for all of them.
  [[gnu::always_inline]] void OfferLanes(const Floats& x, const Ints& valid) {
    if (!AnyLane((x > best[k - 1]) & valid)) return;
    for (int i = 0; i < kLanes; ++i) {
      if (valid[i]) Offer(x[i]);
    }
  }
  double Mass() const {
    double mass = 0;
    for (int64_t i = 0; i < k; ++i) mass += best[i];
    return mass;
  }
};

// The running sums of SummarizeRow, one lane per eighth of the row.
struct RowLanes {
  Doubles sum{}, nats{}, distance{};
  Doubles offset{};  // j − i of each lane
  Floats max = Floats{} - std::numeric_limits<float>::infinity();
  Ints first = Ints{} + std::numeric_limits<int32_t>::max();
  Ints last = Ints{} - 1;
  Ints bad{};
};

// Adds eight weights at keys index..index+7; lanes outside `valid` (-1 inside) hold 0.
[[gnu::always_inline]] inline void AddLanes(RowLanes& r, TopWeights& top, const Floats& x,
                                            const Ints& index, const Ints& valid) {
  const Doubles wide = __builtin_convertvector(x, Doubles);
  r.sum += wide;
  Floats logs;
  LogLanes(x, logs);
  const Floats terms = x > 0 ? x * logs : Floats{};
  r.nats -= __builtin_convertvector(terms, Doubles);
  r.distance += wide * (r.offset < 0 ? -r.offset : r.offset);
  r.offset += kLanes;
  r.max = (x > r.max) & valid ? x : r.max;
  const Ints nonzero = (x != 0) & valid;
  r.first = nonzero & (index < r.first) ? index : r.first;
  r.last = nonzero ? index : r.last;
  r.bad |= (x - x != 0) & valid;
  if (top.k > 0) top.OfferLanes(x, valid);
}

template <typename Lanes>
auto SumLanes(const Lanes& lanes) {
  auto total = lanes[0];
  for (int i = 1; i < kLanes; ++i) total += lanes[i];
  return total;
}

}  // namespace

float FastLog(float x) {
  const Floats lanes = Floats{} + x;
  Floats logs;
  LogLanes(lanes, logs);
  return logs[0];
}

__attribute__((target_clones("avx512f", "avx2", "default"))) RowSummary SummarizeRow(
    const float* row, int64_t keys, int64_t query, int64_t topk) {
  RowLanes r;
  TopWeights top(topk <= kMaxSmallTopK && topk < keys ? topk : 0);
  Ints lane;
  for (int i = 0; i < kLanes; ++i) {
    lane[i] = i;
    r.offset[i] = static_cast<double>(i - query);
  }
  const Ints all = Ints{} - 1;
  int64_t j = 0;
  for (; j + kLanes <= keys; j += kLanes) {
    Floats x;
    std::memcpy(&x, row + j, sizeof x);
    AddLanes(r, top, x, lane + static_cast<int32_t>(j), all);
  }
  if (j < keys) {
    Floats x{};
    std::memcpy(&x, row + j, static_cast<size_t>(keys - j) * sizeof(float));
    const Ints index = lane + static_cast<int32_t>(j);
    AddLanes(r, top, x, index, index < static_cast<int32_t>(keys));
  }
  RowSummary s;
  s.sum = SumLanes(r.sum);
  s.nats = SumLanes(r.nats);
  s.distance = SumLanes(r.distance);
  s.max = r.max[0];
  s.first_nonzero = keys;
  for (int i = 0; i < kLanes; ++i) {
    s.max = std::max(s.max, r.max[i]);
    if (r.first[i] < s.first_nonzero) s.first_nonzero = r.first[i];
    if (r.last[i] > s.last_nonzero) s.last_nonzero = r.last[i];
  }
  s.finite = !AnyLane(r.bad);
  s.top_mass = top.Mass();
  return s;
}

}  // namespace attnviz
