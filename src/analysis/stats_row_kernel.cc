// The per-row pass of `stats`, with GCC vector extensions: sixteen weights at a time built for
// AVX-512, eight for AVX2 and for the x86-64 baseline, the build chosen when the program starts,
// so the binary runs on any x86-64. The logarithm is Cephes' logf: glibc's is scalar and, in
// double, was most of the time of `stats`.
//
// The row is read in blocks of eight vectors. Within a block only what each weight needs is done
// lane by lane (its sum and distance in double, its entropy term in float, its maximum, whether
// it is zero); the top-k candidates and the first and last nonzero keys are looked for once per
// block, by a scalar scan of the few blocks that have any.
#include "analysis/stats_row_kernel.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

namespace attnviz {

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// W lanes of float and int32 fill one register (W = 16 with AVX-512, 8 with AVX2, 4 with SSE2);
// doubles come in two halves of W / 2 lanes each, one register each.
template <int W>
struct Lanes {
  typedef float Floats __attribute__((vector_size(4 * W)));
  typedef int32_t Ints __attribute__((vector_size(4 * W)));
  typedef float HalfFloats __attribute__((vector_size(2 * W)));
  typedef double Doubles __attribute__((vector_size(4 * W)));
  typedef uint64_t Words __attribute__((vector_size(4 * W)));
};

// Lanes of half H (0 or 1) of `x`, as doubles. Built lane by lane, which GCC 12 turns into one
// conversion; its __builtin_convertvector took four instructions for eight lanes.
template <int H, int W, size_t... I>
[[gnu::always_inline]] inline void HalfOf(const typename Lanes<W>::Floats& x,
                                          typename Lanes<W>::Doubles& out,
                                          std::index_sequence<I...>) {
  out = typename Lanes<W>::Doubles{static_cast<double>(x[H * W / 2 + I])...};
}

template <int H, int W>
[[gnu::always_inline]] inline void HalfOf(const typename Lanes<W>::Floats& x,
                                          typename Lanes<W>::Doubles& out) {
  HalfOf<H, W>(x, out, std::make_index_sequence<W / 2>());
}

template <typename Vector>
[[gnu::always_inline]] inline auto SumLanes(const Vector& lanes) {
  auto total = lanes[0];
  for (size_t i = 1; i < sizeof lanes / sizeof lanes[0]; ++i) total += lanes[i];
  return total;
}

// Whether any lane of a comparison's result is set, by halving the vector down to one lane.
template <typename Ints>
[[gnu::always_inline]] inline bool AnyLane(const Ints& mask) {
  if constexpr (sizeof mask == 64) {
    return AnyLane(__builtin_shufflevector(mask, mask, 0, 1, 2, 3, 4, 5, 6, 7) |
                   __builtin_shufflevector(mask, mask, 8, 9, 10, 11, 12, 13, 14, 15));
  } else if constexpr (sizeof mask == 32) {
    return AnyLane(__builtin_shufflevector(mask, mask, 0, 1, 2, 3) |
                   __builtin_shufflevector(mask, mask, 4, 5, 6, 7));
  } else {
    static_assert(sizeof mask == 16);
    return ((mask[0] | mask[1]) | (mask[2] | mask[3])) != 0;
  }
}

// out = table[index mod 16], lane by lane, for a table of sixteen: one permute with GCC's variable
// shuffle; clang (the fuzz build) has none, so there it goes lane by lane.
template <typename Floats, typename Ints>
[[gnu::always_inline]] inline void Lookup(const Floats& table, const Ints& index, Floats& out) {
#if defined(__clang__)
  for (size_t i = 0; i < sizeof(Floats) / sizeof(float); ++i) out[i] = table[index[i] & 15];
#else
  out = __builtin_shuffle(table, index);
#endif
}

// a b - 1 lane by lane with one rounding (a fused multiply-add), at every optimisation level: r
// below must be exact to the last bit, and GCC fuses a * b - 1 by itself only from -O2 (at -O1,
// the sanitizer build, the logarithm was 47 ulp off).
template <typename Floats>
[[gnu::always_inline]] inline void FusedMultiplyMinusOne(const Floats& a, const Floats& b,
                                                         Floats& out) {
  for (size_t i = 0; i < sizeof(Floats) / sizeof(float); ++i) {
    out[i] = __builtin_fmaf(a[i], b[i], -1.0f);
  }
}

// ln x for x > 0, lane by lane, within 2 ulp. Subnormal x is taken as FLT_MIN: its x ln x is
// below 1e-36 either way. (Results by reference: a vector return value from a function built for
// the baseline draws GCC's ABI warning, although these are always inlined.)
//
// Sixteen lanes (AVX-512): x = 2^e f with f in [sqrt(1/2), sqrt(2)), one of 16 buckets of f gives
// a table value c next to f, held in one register and looked up with one permute, and ln x =
// e ln 2 + ln c + ln(1 + r) with r = f / c - 1 (|r| < 0.04, a multiply-add with 1 / c) from five
// terms of the series (scripts/reference/stats_log_table.py; within 1.5 ulp). Fewer lanes: Cephes'
// logf (within 2 ulp), as a table of sixteen needs several registers there.
template <typename Floats, typename Ints>
[[gnu::always_inline]] inline void LogLanes(const Floats& in, Floats& out) {
  if constexpr (sizeof(Floats) == 64) {
    const Floats x = in < FLT_MIN ? Floats{} + FLT_MIN : in;
    const Ints bits = (Ints)x;
    const Ints offset = bits - 0x3f3504f3;  // from sqrt(1/2)'s bits
    const Floats e = __builtin_convertvector(offset >> 23, Floats);
    const Floats f = (Floats)(bits - (offset & static_cast<int32_t>(0xff800000)));
    const Ints bucket = offset >> 19;  // taken modulo 16 by Lookup
    const Floats inverse = {1.383639216e+00f, 1.326292038e+00f, 1.273509383e+00f, 1.224767089e+00f,
                            1.179618359e+00f, 1.137680054e+00f, 1.098621249e+00f, 1.062155485e+00f,
                            1.028032660e+00f, 1.000000000e+00f, 9.341747165e-01f, 8.826409578e-01f,
                            8.364956379e-01f, 7.949355841e-01f, 7.573097944e-01f, 7.230848670e-01f};
    const Floats ln_c = {-3.247171342e-01f, -2.823871076e-01f,
                         -2.417763770e-01f, -2.027506977e-01f,
                         -1.651909649e-01f, -1.289911419e-01f,
                         -9.405598044e-02f, -6.030032039e-02f,
                         -2.764693834e-02f, 0.0f,
                         6.809179485e-02f,  1.248367801e-01f,
                         1.785339713e-01f,  2.294941992e-01f,
                         2.779828608e-01f,  3.242286742e-01f};
    const Floats ln_c_rest = {-7.199524532e-09f, 3.044993147e-10f,
                              -6.489656812e-09f, 3.330875575e-09f,
                              3.677784521e-09f,  -6.377917305e-09f,
                              -3.366111834e-09f, 4.181899826e-10f,
                              9.114486388e-10f,  0.0f,
                              7.943554148e-10f,  -2.790454090e-09f,
                              1.970876795e-09f,  -5.216961085e-09f,
                              8.792378381e-09f,  7.795174284e-09f};
    Floats inverse_c, ln_c_here, ln_c_rest_here;
    Lookup(inverse, bucket, inverse_c);
    Lookup(ln_c, bucket, ln_c_here);
    Lookup(ln_c_rest, bucket, ln_c_rest_here);
    Floats r;
    FusedMultiplyMinusOne(f, inverse_c, r);
    Floats series = Floats{} + 0.2f;  // ln(1 + r) - r = r^2 (-1/2 + r (1/3 + r (-1/4 + r / 5)))
    series = series * r - 0.25f;
    series = series * r + (1.0f / 3);
    series = series * r - 0.5f;
    series = series * r * r;
    // ln 2 as 0.693359375 (exact times e) plus a small rest, as in Cephes.
    out = (e * 0.693359375f + ln_c_here) + (r + (series + (e * -2.12194440e-4f + ln_c_rest_here)));
    return;
  }
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
  // Written out: a loop over the coefficients stayed a loop.
  Floats poly = Floats{} + 7.0376836292e-2f;
  poly = poly * f - 1.1514610310e-1f;
  poly = poly * f + 1.1676998740e-1f;
  poly = poly * f - 1.2420140846e-1f;
  poly = poly * f + 1.4249322787e-1f;
  poly = poly * f - 1.6668057665e-1f;
  poly = poly * f + 2.0000714765e-1f;
  poly = poly * f - 2.4999993993e-1f;
  poly = poly * f + 3.3333331174e-1f;
  Floats y = f * z * poly;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  out = (f + y) + 0.693359375f * e;
}

// The k largest weights seen so far, k <= kMaxSmallTopK, largest first.
struct TopWeights {
  int64_t k = 0;  // 0: not wanted
  float best[kMaxSmallTopK];

  explicit TopWeights(int64_t wanted) : k(wanted) {
    std::fill(best, best + kMaxSmallTopK, -kInfinity);
  }
  void Offer(float value) {
    if (!(value > best[k - 1])) return;
    int64_t at = k - 1;
    for (; at > 0 && best[at - 1] < value; --at) best[at] = best[at - 1];
    best[at] = value;
  }
  double Mass() const {
    double mass = 0;
    for (int64_t i = 0; i < k; ++i) mass += best[i];
    return mass;
  }
};

// The running sums of a row, W lanes wide; the entropy terms of the current block in float; the
// K largest weights of each lane, largest first (the row's K largest are among them).
template <int W, int K>
struct RowLanes {
  using Floats = typename Lanes<W>::Floats;
  using Ints = typename Lanes<W>::Ints;
  using Doubles = typename Lanes<W>::Doubles;

  Doubles sum[2] = {}, nats[2] = {}, distance[2] = {};
  Doubles offset[2] = {};  // j − i of each lane
  Floats block_nats{};
  Floats block_max{};
  Ints block_nonzero{};
  Floats top[K > 0 ? K : 1];

  RowLanes() {
    for (Floats& level : top) level = Floats{} - kInfinity;
  }

  template <int H>
  [[gnu::always_inline]] void AddDoubles(const Floats& x) {
    using Words = typename Lanes<W>::Words;
    Doubles wide;
    HalfOf<H, W>(x, wide);
    sum[H] += wide;
    distance[H] += wide * (Doubles)((Words)offset[H] & 0x7fffffffffffffffULL);  // |j − i|
    offset[H] += W;
  }

  // Adds W weights; lanes past the row hold 0 (and -inf in `for_max`).
  [[gnu::always_inline]] void Add(const Floats& x, const Floats& for_max) {
    AddDoubles<0>(x);
    AddDoubles<1>(x);
    Floats logs;
    LogLanes<Floats, Ints>(x, logs);
    block_nats += x > 0 ? x * logs : Floats{};
    block_max = for_max > block_max ? for_max : block_max;
    block_nonzero |= x != 0;
    Floats falling = for_max;  // sorted into the K levels, one max and one min each
#pragma GCC unroll 8
    for (int level = 0; level < K; ++level) {
      const Floats larger = falling > top[level] ? falling : top[level];
      falling = falling > top[level] ? top[level] : falling;
      top[level] = larger;
    }
  }

  // Folds the block's entropy terms into the row's.
  [[gnu::always_inline]] void EndBlock() {
    Doubles half;
    HalfOf<0, W>(block_nats, half);
    nats[0] -= half;
    HalfOf<1, W>(block_nats, half);
    nats[1] -= half;
  }
};

// Summarises one row with the mass of its K largest weights (none for K = 0); always inlined
// into each build below so that each is compiled for its CPU.
template <int W, int K>
[[gnu::always_inline]] inline RowSummary Summarize(const float* row, int64_t keys, int64_t query) {
  using Floats = typename Lanes<W>::Floats;
  using Ints = typename Lanes<W>::Ints;
  constexpr int64_t kBlock = 8 * W;
  RowLanes<W, K> r;
  for (int i = 0; i < W; ++i) r.offset[2 * i / W][i % (W / 2)] = i - query;
  float max = -kInfinity;
  int64_t first = keys, last = -1;
  for (int64_t begin = 0; begin < keys; begin += kBlock) {
    const int64_t end = std::min(keys, begin + kBlock);
    r.block_nats = Floats{};
    r.block_max = Floats{} - kInfinity;
    r.block_nonzero = Ints{};
    int64_t j = begin;
    for (; j + W <= end; j += W) {
      Floats x;
      std::memcpy(&x, row + j, sizeof x);
      r.Add(x, x);
    }
    if (j < end) {
      Floats x{};
      std::memcpy(&x, row + j, static_cast<size_t>(end - j) * sizeof(float));
      Ints lane;
      for (int i = 0; i < W; ++i) lane[i] = i;
      r.Add(x, lane < static_cast<int32_t>(end - j) ? x : Floats{} - kInfinity);
    }
    r.EndBlock();
    float block_max = r.block_max[0];
    for (int i = 1; i < W; ++i) block_max = std::max(block_max, r.block_max[i]);
    max = std::max(max, block_max);
    if (AnyLane(r.block_nonzero)) {  // NaN counts as nonzero, as `!(x == 0)` below
      last = end - 1;
      while (row[last] == 0) --last;
      if (first == keys) {
        first = begin;
        while (row[first] == 0) ++first;
      }
    }
  }
  RowSummary s;
  for (int h = 0; h < 2; ++h) {
    s.sum += SumLanes(r.sum[h]);
    s.nats += SumLanes(r.nats[h]);
    s.distance += SumLanes(r.distance[h]);
  }
  s.max = max;
  s.first_nonzero = first;
  s.last_nonzero = last;
  s.finite = std::isfinite(s.sum);  // a sum of finite floats in double cannot overflow
  if constexpr (K > 0) {
    TopWeights top(K);
    for (const Floats& level : r.top) {
      for (int i = 0; i < W; ++i) top.Offer(level[i]);
    }
    s.top_mass = top.Mass();
  }
  return s;
}

template <int K>
ATTNVIZ_BUILD_AVX512 RowSummary SummarizeAvx512(const float* row, int64_t keys,
                                                          int64_t query) {
  return Summarize<16, K>(row, keys, query);
}

template <int K>
ATTNVIZ_BUILD_AVX2 RowSummary SummarizeAvx2(const float* row, int64_t keys,
                                                     int64_t query) {
  return Summarize<8, K>(row, keys, query);
}

template <int K>
RowSummary SummarizeBaseline(const float* row, int64_t keys, int64_t query) {
  return Summarize<4, K>(row, keys, query);
}

template <int K>
RowSummary SummarizeOn(KernelIsa isa, const float* row, int64_t keys, int64_t query) {
  switch (isa) {
    case KernelIsa::kAvx512:
      return SummarizeAvx512<K>(row, keys, query);
    case KernelIsa::kAvx2:
      return SummarizeAvx2<K>(row, keys, query);
    case KernelIsa::kBaseline:
      break;
  }
  return SummarizeBaseline<K>(row, keys, query);
}

// SummarizeOn<k> for a k known only at run time.
template <size_t... K>
RowSummary SummarizeTopK(std::index_sequence<K...>, int64_t k, KernelIsa isa, const float* row,
                         int64_t keys, int64_t query) {
  using Build = RowSummary (*)(KernelIsa, const float*, int64_t, int64_t);
  static constexpr Build kBuilds[] = {SummarizeOn<static_cast<int>(K)>...};
  return kBuilds[k](isa, row, keys, query);
}

}  // namespace

namespace {

template <int W>
[[gnu::always_inline]] inline float LogOfOne(float x) {
  typename Lanes<W>::Floats logs;
  LogLanes<typename Lanes<W>::Floats, typename Lanes<W>::Ints>(typename Lanes<W>::Floats{} + x,
                                                               logs);
  return logs[0];
}

ATTNVIZ_BUILD_AVX512 float FastLogAvx512(float x) { return LogOfOne<16>(x); }
ATTNVIZ_BUILD_AVX2 float FastLogAvx2(float x) { return LogOfOne<8>(x); }

}  // namespace

float FastLog(KernelIsa isa, float x) {
  switch (isa) {
    case KernelIsa::kAvx512:
      return FastLogAvx512(x);
    case KernelIsa::kAvx2:
      return FastLogAvx2(x);
    case KernelIsa::kBaseline:
      break;
  }
  return LogOfOne<4>(x);
}

RowSummary SummarizeRowOn(KernelIsa isa, const float* row, int64_t keys, int64_t query,
                          int64_t topk) {
  const bool small = topk >= 1 && topk <= kMaxSmallTopK && topk < keys;
  return SummarizeTopK(std::make_index_sequence<kMaxSmallTopK + 1>(), small ? topk : 0, isa, row,
                       keys, query);
}

RowSummary SummarizeRow(const float* row, int64_t keys, int64_t query, int64_t topk) {
  return SummarizeRowOn(BestKernelIsa(), row, keys, query, topk);
}

}  // namespace attnviz
