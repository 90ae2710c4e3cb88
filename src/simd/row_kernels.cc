// The kernels of simd/row_kernels.h, written once on Highway and compiled for every target it
// offers (foreach_target includes this file once per target); HWY_DYNAMIC_DISPATCH picks one per
// call among those simd/dispatch.cc allows.
//
// The logarithms reduce x = 2^e f and take ln f either from a table of 16 (or 8) values c next to
// f (ln f = ln c + ln(1 + r), r = f / c - 1 exact by one fused multiply-add, a short series), or,
// where a lookup costs more than it saves, from Highway's Log (float: hwy/contrib/math, within
// 0.84 ulp here) or from s = (f - 1) / (f + 1) (double). Which one each target uses is written at
// kFloatLogBuckets and kLookupDoubles, with the times that chose it: thread CPU time
// per weight or term on this AMD EPYC (Zen 4), loaded. The double logarithm's times are those of
// the JS sums when they ran in double (now SumXLogX's logarithm).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/row_kernels.cc"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>
// clang-format off: after highway.h, once per target
#include <hwy/contrib/math/math-inl.h>
// clang-format on

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <utility>

#include "simd/row_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace attnviz::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
constexpr bool kAvx512 = true;
#else
constexpr bool kAvx512 = false;
#endif

// The float logarithm looks c up in a table of as many buckets as floats fill one register, one
// permute, where that is 16 (AVX-512) or 8 (AVX2); elsewhere it is Highway's Log (with SSE4 and
// the portable target a 4-entry table would leave r too wide). The float lookup, with one part of
// ln c and of ln 2 and ln(1 + r) as r (1 + r P(r)), against the 2-ulp one (two parts of each, as
// in Cephes) and Highway's Log: `cluster` of 144 heads of 512², CPU, 0.70 s against 1.04 and
// 1.49 (JS terms then in double) with AVX-512, 0.84 against 2.09 with AVX2; `stats` of
// 4 x 16 heads of 1024², 128 against 156 ms with AVX2.
constexpr int kFloatLogBuckets = kAvx512 ? 16 : HWY_TARGET == HWY_AVX2 ? 8 : 0;

// Highway's one-lane target has as many double lanes as float lanes; the others twice as many
// float lanes, whose doubles come in two halves.
constexpr bool kOneLane = HWY_TARGET == HWY_SCALAR;

// The double logarithm looks c up with AVX-512 (one two-table permute per table), where it beat
// the division (0.49 against 0.52 ns per term of the JS sums in double; Intel's AVX-512 divides
// eight doubles in twice the time). With AVX2 two gathers per four lanes took 2.8 ns per term
// against 0.69 with the division; SSE4 and the portable target have no fused multiply-add to make r
// exact. Highway's Log (within 2.2e-16) took 0.76, 1.24, 3.17 and 5.79 ns on AVX-512, AVX2, SSE4
// and the portable target against 0.49, 0.69, 2.18 and 2.25 with these.
constexpr bool kLookupDoubles = kAvx512;

// ---------------------------------------------------------------------------------------------
// The float logarithm (the stats and JS sums).

// c of 16 buckets of f in [sqrt(1/2), sqrt(2)): 1 / c, and t = -i - 16 log2(1 / c) for bucket i
// (scripts/reference/stats_log_table.py).
HWY_ALIGN constexpr float kFloatInverse[16] = {
    1.383639216e+00f, 1.326292038e+00f, 1.273509383e+00f, 1.224767089e+00f,
    1.179618359e+00f, 1.137680054e+00f, 1.098621249e+00f, 1.062155485e+00f,
    1.028032660e+00f, 1.000000000e+00f, 9.341747165e-01f, 8.826409578e-01f,
    8.364956379e-01f, 7.949355841e-01f, 7.573097944e-01f, 7.230848670e-01f};
HWY_ALIGN constexpr float kFloatUnitsOfC[16] = {
    -7.495484829e+00f, -7.518375874e+00f, -7.580953598e+00f, -7.680118561e+00f,
    -7.813122749e+00f, -7.977518082e+00f, -8.171105385e+00f, -8.391919136e+00f,
    -8.638177872e+00f, -9.000000000e+00f, -8.428229332e+00f, -8.118377686e+00f,
    -7.878878593e+00f, -7.702558041e+00f, -7.583287716e+00f, -7.515789986e+00f};

// The 8 buckets: 1 / c, and t = -i - 8 log2(1 / c).
HWY_ALIGN constexpr float kFloatInverse8[8] = {1.354358792e+00f, 1.248662710e+00f, 1.158269763e+00f,
                                               1.080080628e+00f, 1.000000000e+00f, 9.076769352e-01f,
                                               8.151862621e-01f, 7.398017049e-01f};
HWY_ALIGN constexpr float kFloatUnitsOfC8[8] = {
    -3.500879765e+00f, -3.563070536e+00f, -3.695770502e+00f, -3.889111996e+00f,
    -4.000000000e+00f, -3.882006407e+00f, -3.641613245e+00f, -3.521684170e+00f};

// a0..a4 of B log2(1 + r) = r (a0 + a1 r + ... + a4 r^4) for |r| < 0.04 and 0.057, a0 the float
// nearest B / ln 2 and the rest fitted for the least largest relative error: 1.3e-8, nearly all
// of it a0's rounding (scripts/reference/stats_log_table.py). (33 B / ln 2 is within 8.3e-10 of
// a float, but scaling j by 33 cost back two thirds of what these units save.)
HWY_ALIGN constexpr float kFloatSeries[5] = {2.308312035e+01f, -1.154156017e+01f, 7.695864201e+00f,
                                             -5.774329662e+00f, 3.713232040e+00f};
HWY_ALIGN constexpr float kFloatSeries8[5] = {1.154156017e+01f, -5.770780087e+00f, 3.847328186e+00f,
                                              -2.890777111e+00f, 2.284115314e+00f};

// table[index mod the lanes] for a table of as many floats as fill a register: AVX2's and
// AVX-512's permutes read only an index's low bits, so the index needs no mask (Highway's
// TableLookupLanes asserts in debug builds that it has none).
template <class D, class VI>
HWY_INLINE hn::Vec<D> LookUpFloat(D d, const float* table, VI index) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  return hn::Vec<D>{_mm512_permutexvar_ps(index.raw, hn::Load(d, table).raw)};
#elif HWY_ARCH_X86 && HWY_TARGET == HWY_AVX2
  return hn::Vec<D>{_mm256_permutevar8x32_ps(hn::Load(d, table).raw, index.raw)};
#else
  const auto lanes = hn::Set(hn::RebindToSigned<D>(), static_cast<int32_t>(hn::Lanes(d)) - 1);
  return hn::TableLookupLanes(hn::Load(d, table), hn::IndicesFromVec(d, hn::And(index, lanes)));
#endif
}

// The unit of LogUnits: ln 2 / B with B buckets, else 1 (Highway's Log).
constexpr double kLogUnit = kFloatLogBuckets > 0 ? std::numbers::ln2 / kFloatLogBuckets : 1.0;

// ln x / kLogUnit lane by lane for x > 0, within 2 ulp and 4e-8 of ln x once scaled: x = 2^e f
// with f in [sqrt(1/2), sqrt(2)), one of B = kFloatLogBuckets buckets of f gives c, and in units
// of ln 2 / B, ln x = j + t + B log2(1 + r). j = B e + i counts the buckets up to bucket i,
// t = -i - B log2(1 / c) is the table's, and r = f / c - 1 (|r| < 0.04 with 16 buckets, 0.057
// with 8) feeds a fitted series through r^5 (within 1.3e-8 relative). In these units the table's
// part is one addition, where e ln 2 + ln c took a multiply-add on the ports the series needs: the
// JS kernel took 10 % less time with AVX2 and AVX-512 (0.282 -> 0.253 and 0.209 -> 0.189 ns per
// term, one core of this EPYC). The bucket holding 1 has c = 1, and j + t = 0 there. Below
// FLT_MIN (subnormal) the result is near ln FLT_MIN, x ln x being below 1e-36 either way; ln 0 is
// finite, so that 0 ln 0 comes out 0.
template <class D>
HWY_INLINE hn::Vec<D> LogUnits(D d, hn::Vec<D> x) {
  if constexpr (kFloatLogBuckets > 0) {
    constexpr int kBucketShift = kFloatLogBuckets == 16 ? 19 : 20;  // the offset's top bits
    const float* inverse = kFloatLogBuckets == 16 ? kFloatInverse : kFloatInverse8;
    const float* units_of_c = kFloatLogBuckets == 16 ? kFloatUnitsOfC : kFloatUnitsOfC8;
    const float* a = kFloatLogBuckets == 16 ? kFloatSeries : kFloatSeries8;
    const hn::RebindToSigned<D> di;
    const auto bits = hn::BitCast(di, x);
    const auto offset = hn::Sub(bits, hn::Set(di, 0x3f3504f3));  // from sqrt(1/2)'s bits
    const auto j = hn::ShiftRight<kBucketShift>(offset);         // B e + i
    const auto f = hn::BitCast(
        d, hn::Sub(bits, hn::And(offset, hn::Set(di, static_cast<int32_t>(0xff800000u)))));
    const auto r = hn::MulAdd(f, LookUpFloat(d, inverse, j), hn::Set(d, -1.0f));
    auto p = hn::MulAdd(hn::Set(d, a[4]), r, hn::Set(d, a[3]));
    p = hn::MulAdd(p, r, hn::Set(d, a[2]));
    p = hn::MulAdd(p, r, hn::Set(d, a[1]));
    p = hn::MulAdd(p, r, hn::Set(d, a[0]));
    const auto to_c = hn::Add(hn::ConvertTo(d, j), LookUpFloat(d, units_of_c, j));
    return hn::MulAdd(r, p, to_c);
  } else {
    return hn::Log(d, x);
  }
}

// ln x, within 2 ulp and 4e-8 (LogFloats'; the sums of x ln x scale LogUnits' once instead).
template <class D>
HWY_INLINE hn::Vec<D> LogFloat(D d, hn::Vec<D> x) {
  if constexpr (kFloatLogBuckets > 0) {
    return hn::Mul(LogUnits(d, x), hn::Set(d, static_cast<float>(kLogUnit)));
  } else {
    return hn::Log(d, x);
  }
}

void LogFloats(const float* in, size_t count, float* out) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) hn::StoreU(LogFloat(d, hn::LoadU(d, in + i)), d, out + i);
  if (i == count) return;
  HWY_ALIGN float tail[hn::MaxLanes(d)];
  std::fill(tail, tail + hn::MaxLanes(d), 1.0f);
  std::memcpy(tail, in + i, (count - i) * sizeof(float));
  hn::Store(LogFloat(d, hn::Load(d, tail)), d, tail);
  std::memcpy(out + i, tail, (count - i) * sizeof(float));
}

// ---------------------------------------------------------------------------------------------
// The double logarithm (JS).

// f's buckets for the table (scripts/reference/js_log_table.py): 1 / c, and ln c - j ln 2 / 16
// for the bucket's j = 16 k + i.
HWY_ALIGN constexpr double kDoubleInverse[16] = {1.0,
                                                 0.934174721261053,
                                                 0.8826409191001775,
                                                 0.83649559173089,
                                                 0.7949355847108498,
                                                 0.7573098027807991,
                                                 0.7230848499609425,
                                                 0.6918195837176596,
                                                 0.6631459969936485,
                                                 0.6367546652842557,
                                                 0.6123835357028761,
                                                 0.5898091956634719,
                                                 0.5688400040840941,
                                                 0.5493106375040178,
                                                 0.5310777223642618,
                                                 0.5140163091927512};
HWY_ALIGN constexpr double kDoubleBase[16] = {0.0,
                                              0.024770091731963918,
                                              0.03819342365253982,
                                              0.04856893211147672,
                                              0.05620739799150733,
                                              0.06137436463874498,
                                              0.06429851282374742,
                                              0.06517818303313361,
                                              0.06418651613130158,
                                              0.06147554937182961,
                                              0.05717951258451483,
                                              0.051417504932110815,
                                              0.04429568687799393,
                                              0.03590908905264017,
                                              0.02634311566039062,
                                              0.015674802308420572};

// table[index] for a table of 16 and indices below 16 (unsigned 64-bit lanes).
template <class D, class VU>
HWY_INLINE hn::Vec<D> LookUpDouble(D d, const double* table, VU index) {
  const hn::RebindToSigned<D> di;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  // One two-table permute (vpermt2pd), which Highway 1.0.3 does not offer: 0.49 ns per term of
  // the JS sums in double against 0.58 with its two permutes and a blend (thread CPU time, this
  // EPYC).
  return hn::Vec<D>{_mm512_permutex2var_pd(hn::Load(d, table).raw, hn::BitCast(di, index).raw,
                                           hn::Load(d, table + 8).raw)};
#else
  return hn::GatherIndex(d, table, hn::BitCast(di, index));  // unused: kLookupDoubles
#endif
}

// The double with the value of `biased` (unsigned lanes below 2^52) minus `bias`: by way of
// 2^52 + biased, no integer conversion (which AVX2 lacks for 64-bit lanes).
template <class D, class VU>
HWY_INLINE hn::Vec<D> BiasedToDouble(D d, VU biased, double bias) {
  const hn::RebindToUnsigned<D> du;
  const auto two52_plus = hn::BitCast(d, hn::Or(biased, hn::Set(du, 0x4330000000000000ULL)));
  return hn::Sub(two52_plus, hn::Set(d, 0x1p52 + bias));
}

// ln x for positive normal x, within 4e-15 relative. x = 2^k f with f in [B, 2B), B = 0.98836 the
// start of the bucket that holds 1; the top four bits of f's offset from B pick one of 16
// buckets, each with a value c next to f (1 exactly in bucket 0), and ln x = k ln 2 + ln c +
// ln(1 + r) with r = f / c - 1 in [-0.0292, 0.0393], one multiply-add with 1 / c. The offset of
// x's bits from B's, shifted right by 48, is j = 16 k + i for bucket i, so k ln 2 + ln c =
// j L + base_i with L = ln 2 / 16: exactly 0 next to 1 (j = 0). ln(1 + r) is r (1 + r P(r)), P
// the minimax polynomial of degree 6 for (ln(1 + r) - r) / r², weighted for the relative error
// of ln(1 + r): 2.5e-15.
template <class D>
HWY_INLINE hn::Vec<D> LogDoubleByTable(D d, hn::Vec<D> x) {
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, x);
  const auto offset = hn::Sub(bits, hn::Set(du, 0x3fefa09e667f3bcdULL));
  const auto f = hn::BitCast(d, hn::Sub(bits, hn::And(offset, hn::Set(du, 0xfff0000000000000ULL))));
  // j + 2^15, in [0, 2^16): a logical shift (AVX2 has no arithmetic one for 64-bit lanes).
  const auto biased = hn::ShiftRight<48>(hn::Add(offset, hn::Set(du, 1ULL << 63)));
  const auto bucket = hn::And(biased, hn::Set(du, 15));
  const auto r = hn::MulAdd(f, LookUpDouble(d, kDoubleInverse, bucket), hn::Set(d, -1.0));
  auto p = hn::MulAdd(r, hn::Set(d, -0.1190660527125435), hn::Set(d, 0.14299511248038152));
  p = hn::MulAdd(p, r, hn::Set(d, -0.16667647449560777));
  p = hn::MulAdd(p, r, hn::Set(d, 0.19999995834080997));
  p = hn::MulAdd(p, r, hn::Set(d, -0.24999999532272446));
  p = hn::MulAdd(p, r, hn::Set(d, 0.33333333333521437));
  p = hn::MulAdd(p, r, hn::Set(d, -0.5000000000005662));
  p = hn::MulAdd(p, r, hn::Set(d, 1.0));  // ln(1 + r) = r (1 + r P(r))
  const auto j = BiasedToDouble(d, biased, 32768.0);
  const auto kl =
      hn::MulAdd(j, hn::Set(d, 0.04332169878499658), LookUpDouble(d, kDoubleBase, bucket));
  return hn::MulAdd(r, p, kl);
}

// ln x for positive normal x, within 1e-15 relative: x = 2^k f with f in [sqrt(1/2), sqrt(2)),
// ln f = 2 atanh(s) = s Q(s²) with s = (f - 1) / (f + 1), |s| < 0.172. Q is 2 + z R(z) with R the
// minimax polynomial of degree 5 for (2 atanh(s) / s - 2) / z on z = s² in [0, 0.0295], weighted
// by z / 2 (scripts/reference/js_log_series.py): 1.9e-16 of ln f.
template <class D>
HWY_INLINE hn::Vec<D> LogDoubleBySeries(D d, hn::Vec<D> x) {
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, x);
  const auto offset = hn::Sub(bits, hn::Set(du, 0x3fe6a09e667f3bcdULL));  // from sqrt(1/2)'s
  const auto f = hn::BitCast(d, hn::Sub(bits, hn::And(offset, hn::Set(du, 0xfff0000000000000ULL))));
  const auto k =
      BiasedToDouble(d, hn::ShiftRight<52>(hn::Add(offset, hn::Set(du, 1ULL << 63))), 2048.0);
  const auto one = hn::Set(d, 1.0);
  const auto s = hn::Div(hn::Sub(f, one), hn::Add(f, one));
  const auto z = hn::Mul(s, s);
  auto q = hn::MulAdd(z, hn::Set(d, 0.1681982776744535), hn::Set(d, 0.18123642075697105));
  q = hn::MulAdd(q, z, hn::Set(d, 0.22223371698553623));
  q = hn::MulAdd(q, z, hn::Set(d, 0.2857141712957719));
  q = hn::MulAdd(q, z, hn::Set(d, 0.40000000052275));
  q = hn::MulAdd(q, z, hn::Set(d, 0.666666666665872));
  q = hn::MulAdd(q, z, hn::Set(d, 2.0));
  return hn::MulAdd(k, hn::Set(d, std::numbers::ln2), hn::Mul(s, q));
}

template <class D>
HWY_INLINE hn::Vec<D> LogDouble(D d, hn::Vec<D> x) {
  if constexpr (kLookupDoubles) {
    return LogDoubleByTable(d, x);
  } else {
    return LogDoubleBySeries(d, x);
  }
}

void LogDoubles(double* values, size_t count) {
  const hn::ScalableTag<double> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    hn::StoreU(LogDouble(d, hn::LoadU(d, values + i)), d, values + i);
  }
  if (i == count) return;
  HWY_ALIGN double tail[hn::MaxLanes(d)];
  std::fill(tail, tail + hn::MaxLanes(d), 1.0);
  std::memcpy(tail, values + i, (count - i) * sizeof(double));
  hn::Store(LogDouble(d, hn::Load(d, tail)), d, tail);
  std::memcpy(values + i, tail, (count - i) * sizeof(double));
}

// Adds the float lanes of `terms` to `sum` in double (both halves; one-lane targets have one).
template <class DF, class VD>
HWY_INLINE VD AddFloatsToDoubles(DF df, hn::Vec<DF> terms, VD sum) {
  const hn::Repartition<double, DF> dd;
  const hn::Rebind<float, decltype(dd)> dh;
  HWY_ALIGN float lanes[hn::MaxLanes(DF())];
  hn::Store(terms, df, lanes);
  sum = hn::Add(sum, hn::PromoteTo(dd, hn::Load(dh, lanes)));
  if constexpr (!kOneLane)
    sum = hn::Add(sum, hn::PromoteTo(dd, hn::Load(dh, lanes + hn::Lanes(dd))));
  return sum;
}

double SumMeanLogMean(const float* p, const float* q, size_t count) {
  const hn::ScalableTag<float> df;
  const hn::Repartition<double, decltype(df)> dd;
  const size_t lanes = hn::Lanes(df);
  constexpr size_t kBlock = 8;  // vectors summed in float
  auto total = hn::Zero(dd);
  size_t i = 0;
  while (i + lanes <= count) {
    auto block = hn::Zero(df), block2 = hn::Zero(df);
    const size_t end = std::min(count - count % lanes, i + kBlock * lanes);
    for (; i + 2 * lanes <= end; i += 2 * lanes) {  // two chains of dependent steps
      const auto m = hn::Add(hn::LoadU(df, p + i), hn::LoadU(df, q + i));  // halves: a mean
      const auto m2 = hn::Add(hn::LoadU(df, p + i + lanes), hn::LoadU(df, q + i + lanes));
      block = hn::MulAdd(m, LogUnits(df, m), block);
      block2 = hn::MulAdd(m2, LogUnits(df, m2), block2);
    }
    if (i < end) {
      const auto m = hn::Add(hn::LoadU(df, p + i), hn::LoadU(df, q + i));
      block = hn::MulAdd(m, LogUnits(df, m), block);
      i += lanes;
    }
    total = AddFloatsToDoubles(df, hn::Add(block, block2), total);
  }
  if (i < count) {  // the tail, padded with m = 1 (1 ln 1 = 0)
    HWY_ALIGN float m[hn::MaxLanes(df)];
    std::fill(m, m + hn::MaxLanes(df), 1.0f);
    for (size_t k = i; k < count; ++k) m[k - i] = p[k] + q[k];
    const auto tail = hn::Load(df, m);
    total = AddFloatsToDoubles(df, hn::Mul(tail, LogUnits(df, tail)), total);
  }
  return hn::GetLane(hn::SumOfLanes(dd, total)) * kLogUnit;
}

double SumXLogX(const double* x, size_t count) {
  const hn::ScalableTag<double> d;
  const size_t lanes = hn::Lanes(d);
  const auto zero = hn::Zero(d), one = hn::Set(d, 1.0);
  auto sum = zero, sum2 = zero;
  const auto add = [&](hn::Vec<decltype(d)> v, hn::Vec<decltype(d)> to) {
    const auto positive = hn::Gt(v, zero);  // 0 ln 0 = 0: ln 1 stands in
    return hn::MulAdd(hn::IfThenElseZero(positive, v),
                      LogDouble(d, hn::IfThenElse(positive, v, one)), to);
  };
  size_t i = 0;
  for (; i + 2 * lanes <= count; i += 2 * lanes) {  // two chains of dependent steps
    sum = add(hn::LoadU(d, x + i), sum);
    sum2 = add(hn::LoadU(d, x + i + lanes), sum2);
  }
  sum = hn::Add(sum, sum2);
  for (; i + lanes <= count; i += lanes) sum = add(hn::LoadU(d, x + i), sum);
  if (i < count) {
    HWY_ALIGN double tail[hn::MaxLanes(d)] = {};
    std::copy(x + i, x + count, tail);
    sum = add(hn::Load(d, tail), sum);
  }
  return hn::GetLane(hn::SumOfLanes(d, sum));
}

double SumFloats(const float* x, size_t count) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> half;  // as many floats as d has doubles
  const size_t lanes = hn::Lanes(d);
  auto sum = hn::Zero(d), sum2 = hn::Zero(d);
  size_t i = 0;
  for (; i + 2 * lanes <= count; i += 2 * lanes) {  // two chains of dependent adds
    sum = hn::Add(sum, hn::PromoteTo(d, hn::LoadU(half, x + i)));
    sum2 = hn::Add(sum2, hn::PromoteTo(d, hn::LoadU(half, x + i + lanes)));
  }
  double total = hn::GetLane(hn::SumOfLanes(d, hn::Add(sum, sum2)));
  for (; i < count; ++i) total += x[i];
  return total;
}

bool HalveSmoothed(const float* weights, size_t count, double keep, double spread, float* out) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> half;  // as many floats as d has doubles
  const size_t lanes = hn::Lanes(d);
  const auto half_keep = hn::Set(d, 0.5 * keep), half_spread = hn::Set(d, 0.5 * spread);
  const auto zero = hn::Zero(half), largest = hn::Set(half, FLT_MAX);
  auto valid = hn::FirstN(half, lanes);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    const auto w = hn::LoadU(half, weights + i);
    valid = hn::And(valid, hn::And(hn::Ge(w, zero), hn::Le(w, largest)));  // false for NaN
    const auto smoothed = hn::MulAdd(hn::PromoteTo(d, w), half_keep, half_spread);
    hn::StoreU(hn::DemoteTo(half, smoothed), half, out + i);
  }
  bool all_valid = hn::AllTrue(half, valid);
  for (; i < count; ++i) {
    all_valid &= weights[i] >= 0 && weights[i] <= FLT_MAX;
    out[i] =
        static_cast<float>(std::fma(static_cast<double>(weights[i]), 0.5 * keep, 0.5 * spread));
  }
  return all_valid;
}

// ---------------------------------------------------------------------------------------------
// The row pass of `stats`.
//
// The row is read in blocks of eight vectors. Within a block only what each weight needs is done
// lane by lane (its sum and distance in double, its entropy term in float, its maximum, whether
// it is zero); the top-k candidates and the first and last nonzero keys are looked for once per
// block, by a scalar scan of the few blocks that have any.

// The running sums of a row, the entropy terms of the current block in float, and the K largest
// weights of each lane, largest first (the row's K largest are among them).
template <class DF, int K>
struct RowLanes {
  using VF = hn::Vec<DF>;
  using DD = hn::Repartition<double, DF>;  // half as many lanes
  using VD = hn::Vec<DD>;
  using MF = hn::Mask<DF>;

  VD sum_low, sum_high, nats, distance_low, distance_high;
  VD offset_low, offset_high;  // j − i of each lane
  VF block_nats, block_max;
  MF block_nonzero;
  VF top[K > 0 ? K : 1];

  RowLanes(DF df, int64_t query) {
    const DD dd;
    sum_low = sum_high = nats = distance_low = distance_high = hn::Zero(dd);
    const auto first = hn::Sub(hn::Iota(dd, 0), hn::Set(dd, static_cast<double>(query)));
    offset_low = first;
    offset_high = hn::Add(first, hn::Set(dd, static_cast<double>(hn::Lanes(dd))));
    for (VF& level : top) level = hn::Set(df, -std::numeric_limits<float>::infinity());
    StartBlock(df);
  }

  void StartBlock(DF df) {
    block_nats = hn::Zero(df);
    block_max = hn::Set(df, -std::numeric_limits<float>::infinity());
    block_nonzero = hn::FirstN(df, 0);
  }

  // Adds the lanes of `at` (lanes past the row hold 0, and -inf in `for_max`).
  HWY_INLINE void Add(DF df, const float* at, VF for_max) {
    const DD dd;
    const hn::Rebind<float, DD> dh;  // half of df
    const auto zero = hn::Zero(df);
    const VF x = hn::LoadU(df, at);
    const VD low = hn::PromoteTo(dd, hn::LoadU(dh, at));
    VD high = hn::Zero(dd);
    if constexpr (!kOneLane) high = hn::PromoteTo(dd, hn::LoadU(dh, at + hn::Lanes(dd)));
    sum_low = hn::Add(sum_low, low);
    sum_high = hn::Add(sum_high, high);
    distance_low = hn::MulAdd(low, hn::Abs(offset_low), distance_low);
    distance_high = hn::MulAdd(high, hn::Abs(offset_high), distance_high);
    const auto step = hn::Set(dd, static_cast<double>(hn::Lanes(df)));
    offset_low = hn::Add(offset_low, step);
    offset_high = hn::Add(offset_high, step);
    block_nats =
        hn::Add(block_nats, hn::IfThenElseZero(hn::Gt(x, zero), hn::Mul(x, LogUnits(df, x))));
    // Max and Min, whose result for a NaN differs between targets: a row with one has no
    // statistics (RowSummary::finite).
    block_max = hn::Max(for_max, block_max);
    block_nonzero = hn::Or(block_nonzero, hn::Not(hn::Eq(x, zero)));  // NaN counts
    VF falling = for_max;  // sorted into the K levels, one max and one min each
    for (int level = 0; level < K; ++level) {
      const VF larger = hn::Max(falling, top[level]);
      falling = hn::Min(falling, top[level]);
      top[level] = larger;
    }
  }

  // Folds the block's entropy terms into the row's.
  void EndBlock() {
    const DD dd;
    const hn::Rebind<float, DD> dh;
    HWY_ALIGN float terms[hn::MaxLanes(DF())];
    hn::Store(block_nats, DF(), terms);
    nats = hn::Sub(nats, hn::PromoteTo(dd, hn::Load(dh, terms)));
    if constexpr (!kOneLane) {
      nats = hn::Sub(nats, hn::PromoteTo(dd, hn::LoadU(dh, terms + hn::Lanes(dd))));
    }
  }
};

// The k largest weights offered, k <= kMaxSmallTopK, largest first.
struct TopWeights {
  int64_t k = 0;
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
  double Mass() const {
    double mass = 0;
    for (int64_t i = 0; i < k; ++i) mass += best[i];
    return mass;
  }
};

// Summarises one row with the mass of its K largest weights (none for K = 0).
template <int K>
RowSummary Summarize(const float* row, int64_t keys, int64_t query) {
  const hn::ScalableTag<float> df;
  const int64_t lanes = static_cast<int64_t>(hn::Lanes(df));
  const int64_t block = 8 * lanes;
  const auto minus_infinity = hn::Set(df, -std::numeric_limits<float>::infinity());
  RowLanes<decltype(df), K> r(df, query);
  float max = -std::numeric_limits<float>::infinity();
  int64_t first = keys, last = -1;
  for (int64_t begin = 0; begin < keys; begin += block) {
    const int64_t end = std::min(keys, begin + block);
    r.StartBlock(df);
    int64_t j = begin;
    for (; j + lanes <= end; j += lanes) r.Add(df, row + j, hn::LoadU(df, row + j));
    if (j < end) {  // the row's tail, through a buffer padded with zeros
      HWY_ALIGN float tail[hn::MaxLanes(df)] = {};
      std::memcpy(tail, row + j, static_cast<size_t>(end - j) * sizeof(float));
      const auto inside = hn::FirstN(df, static_cast<size_t>(end - j));
      r.Add(df, tail, hn::IfThenElse(inside, hn::Load(df, tail), minus_infinity));
    }
    r.EndBlock();
    max = std::max(max, hn::GetLane(hn::MaxOfLanes(df, r.block_max)));
    if (!hn::AllFalse(df, r.block_nonzero)) {
      last = end - 1;
      while (row[last] == 0) --last;
      if (first == keys) {
        first = begin;
        while (row[first] == 0) ++first;
      }
    }
  }
  const hn::Repartition<double, decltype(df)> dd;
  RowSummary s;
  s.sum = hn::GetLane(hn::SumOfLanes(dd, hn::Add(r.sum_low, r.sum_high)));
  s.nats = hn::GetLane(hn::SumOfLanes(dd, r.nats)) * kLogUnit;
  s.distance = hn::GetLane(hn::SumOfLanes(dd, hn::Add(r.distance_low, r.distance_high)));
  s.max = max;
  s.first_nonzero = first;
  s.last_nonzero = last;
  s.finite = std::isfinite(s.sum);  // a sum of finite floats in double cannot overflow
  if constexpr (K > 0) {
    TopWeights top(K);
    HWY_ALIGN float level_lanes[hn::MaxLanes(df)];
    for (const auto& level : r.top) {
      hn::Store(level, df, level_lanes);
      for (int64_t i = 0; i < lanes; ++i) top.Offer(level_lanes[i]);
    }
    s.top_mass = top.Mass();
  }
  return s;
}

// Summarize<k> for a k known only at run time.
template <size_t... K>
RowSummary SummarizeTopK(std::index_sequence<K...>, int64_t k, const float* row, int64_t keys,
                         int64_t query) {
  using Build = RowSummary (*)(const float*, int64_t, int64_t);
  static constexpr Build kBuilds[] = {Summarize<static_cast<int>(K)>...};
  return kBuilds[k](row, keys, query);
}

RowSummary SummarizeRowHere(const float* row, int64_t keys, int64_t query, int64_t topk) {
  const bool small = topk >= 1 && topk <= kMaxSmallTopK && topk < keys;
  return SummarizeTopK(std::make_index_sequence<kMaxSmallTopK + 1>(), small ? topk : 0, row, keys,
                       query);
}

}  // namespace attnviz::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace attnviz {
namespace simd {

HWY_EXPORT(LogFloats);
HWY_EXPORT(LogDoubles);
HWY_EXPORT(SumXLogX);
HWY_EXPORT(SumMeanLogMean);
HWY_EXPORT(SumFloats);
HWY_EXPORT(HalveSmoothed);
HWY_EXPORT(SummarizeRowHere);

void LogFloats(const float* in, size_t count, float* out) {
  HWY_DYNAMIC_DISPATCH(LogFloats)(in, count, out);
}

void LogDoubles(double* values, size_t count) { HWY_DYNAMIC_DISPATCH(LogDoubles)(values, count); }

double SumMeanLogMean(const float* p, const float* q, size_t count) {
  return HWY_DYNAMIC_DISPATCH(SumMeanLogMean)(p, q, count);
}

double SumXLogX(const double* x, size_t count) { return HWY_DYNAMIC_DISPATCH(SumXLogX)(x, count); }

double SumFloats(const float* x, size_t count) { return HWY_DYNAMIC_DISPATCH(SumFloats)(x, count); }

bool HalveSmoothed(const float* weights, size_t count, double keep, double spread, float* out) {
  return HWY_DYNAMIC_DISPATCH(HalveSmoothed)(weights, count, keep, spread, out);
}

RowSummary SummarizeRowOnBest(const float* row, int64_t keys, int64_t query, int64_t topk) {
  return HWY_DYNAMIC_DISPATCH(SummarizeRowHere)(row, keys, query, topk);
}

}  // namespace simd

RowSummary SummarizeRow(const float* row, int64_t keys, int64_t query, int64_t topk) {
  return simd::SummarizeRowOnBest(row, keys, query, topk);
}

}  // namespace attnviz
#endif  // HWY_ONCE
