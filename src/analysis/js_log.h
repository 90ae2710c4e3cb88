// The logarithm of eight doubles at once, and the sum of m ln m it serves, for the JS divergence
// between heads.
#pragma once

#include <cstdint>
#include <numbers>
#include <span>

#include "simd/dispatch.h"

namespace attnviz {

// Eight doubles: one AVX-512 register, two AVX2 ones, four SSE2 ones (GCC vector extensions).
typedef double JsLanes __attribute__((vector_size(64)));
typedef int64_t JsIntLanes __attribute__((vector_size(64)));
typedef uint64_t JsBitLanes __attribute__((vector_size(64)));
constexpr int kJsLanes = 8;

// ln x for positive normal x, within 1e-15 relative, for AVX2 and the baseline (glibc's log is
// scalar and four times slower here): x = 2^k f with f in [sqrt(1/2), sqrt(2)), ln f = 2 atanh(s)
// = s Q(s²) with s = (f - 1) / (f + 1), |s| < 0.172. Q is 2 + z R(z) with R the minimax
// polynomial of degree 5 for (2 atanh(s) / s - 2) / z on z = s² in [0, 0.0295], weighted by z / 2
// (scripts/reference/js_log_series.py): 1.9e-16 of ln f, where the Taylor series needs nine terms
// for 1e-15. Horner's steps are written out, as a loop over the coefficients was not always
// unrolled. Always inlined: a call from a function built for another target would stay a call.
[[gnu::always_inline]] inline void LogBySeries(JsLanes& x) {
  constexpr uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcdULL;
  const JsBitLanes bits = (JsBitLanes)x;
  const JsBitLanes offset = bits - kSqrtHalfBits;
  const JsIntLanes k = (JsIntLanes)offset >> 52;
  const JsLanes f = (JsLanes)(bits - (offset & 0xfff0000000000000ULL));
  // k as a double without an int64 conversion instruction: 1.5 * 2^52 + k, minus 1.5 * 2^52.
  const JsLanes k_double = (JsLanes)((JsBitLanes)k + 0x4338000000000000ULL) - 6755399441055744.0;
  const JsLanes s = (f - 1.0) / (f + 1.0);
  const JsLanes z = s * s;
  JsLanes q = z * 0.1681982776744535 + 0.18123642075697105;
  q = q * z + 0.22223371698553623;
  q = q * z + 0.2857141712957719;
  q = q * z + 0.40000000052275;
  q = q * z + 0.666666666665872;
  q = q * z + 2.0;
  x = k_double * std::numbers::ln2 + s * q;
}

// out = table[index mod 16] lane by lane, the table in two halves of eight: one permute with
// GCC's variable shuffle (vpermt2pd); clang (the fuzz build) has none, so there lane by lane.
[[gnu::always_inline]] inline void LookUp16(const JsLanes& low, const JsLanes& high,
                                            const JsIntLanes& index, JsLanes& out) {
#if defined(__clang__)
  for (int i = 0; i < kJsLanes; ++i) {
    const int64_t at = index[i] & 15;
    out[i] = at < 8 ? low[at] : high[at - 8];
  }
#else
  out = __builtin_shuffle(low, high, index);  // modulo 16, as vpermt2pd takes it
#endif
}

// ln x for positive normal x, within 4e-15 relative, for AVX-512, where two permutes cost less
// than LogBySeries's division. x = 2^k f with f in [B, 2B), B = 0.98836 the start of the bucket
// that holds 1; the top four bits of f's offset from B pick one of 16 buckets, each with a value c
// next to f (1 exactly in bucket 0), and ln x = k ln 2 + ln c + ln(1 + r) with r = f / c - 1 in
// [-0.0292, 0.0393], one multiply-add with 1 / c. The offset of x's bits from B's, shifted right by
// 48, is j = 16 k + i for bucket i, so k ln 2 + ln c = j L + base_i with L = ln 2 / 16: one
// conversion and one multiply-add, exactly 0 next to 1 (j = 0). ln(1 + r) is r (1 + r P(r)), P the
// minimax polynomial of degree 6 for (ln(1 + r) - r) / r², weighted for the relative error of
// ln(1 + r): 2.5e-15 (degree 7 gives 1.3e-16 for 5% more time in cluster).
// scripts/reference/js_log_table.py prints B, L, both tables and P.
[[gnu::always_inline]] inline void LogByTable(JsLanes& x) {
  constexpr uint64_t kBucketStartBits = 0x3fefa09e667f3bcdULL;
  constexpr double kLn2Over16 = 0.04332169878499658;
  const JsLanes inverse_low = {1.0,
                               0.934174721261053,
                               0.8826409191001775,
                               0.83649559173089,
                               0.7949355847108498,
                               0.7573098027807991,
                               0.7230848499609425,
                               0.6918195837176596};
  const JsLanes inverse_high = {0.6631459969936485, 0.6367546652842557, 0.6123835357028761,
                                0.5898091956634719, 0.5688400040840941, 0.5493106375040178,
                                0.5310777223642618, 0.5140163091927512};
  const JsLanes base_low = {0.0,
                            0.024770091731963918,
                            0.03819342365253982,
                            0.04856893211147672,
                            0.05620739799150733,
                            0.06137436463874498,
                            0.06429851282374742,
                            0.06517818303313361};
  const JsLanes base_high = {0.06418651613130158,  0.06147554937182961, 0.05717951258451483,
                             0.051417504932110815, 0.04429568687799393, 0.03590908905264017,
                             0.02634311566039062,  0.015674802308420572};
  const JsBitLanes bits = (JsBitLanes)x;
  const JsBitLanes offset = bits - kBucketStartBits;
  const JsLanes f = (JsLanes)(bits - (offset & 0xfff0000000000000ULL));
  const JsIntLanes j = (JsIntLanes)offset >> 48;
  JsLanes inverse_c, base;
  LookUp16(inverse_low, inverse_high, j, inverse_c);
  LookUp16(base_low, base_high, j, base);
  // One rounding at every optimisation level (GCC fuses f * inverse_c - 1 by itself only from
  // -O2): r must be exact to the last bit.
  JsLanes r;
  for (int i = 0; i < kJsLanes; ++i) r[i] = __builtin_fma(f[i], inverse_c[i], -1.0);
  JsLanes p = r * -0.1190660527125435 + 0.14299511248038152;
  p = p * r - 0.16667647449560777;
  p = p * r + 0.19999995834080997;
  p = p * r - 0.24999999532272446;
  p = p * r + 0.33333333333521437;
  p = p * r - 0.5000000000005662;
  p = p * r + 1.0;  // ln(1 + r) = r (1 + r P(r))
  x = r * p + (__builtin_convertvector(j, JsLanes) * kLn2Over16 + base);
}

// ln x of each of `values` (a multiple of kJsLanes of them, each positive and normal) by the
// logarithm of build `isa` (one KernelIsas lists: LogByTable for AVX-512, LogBySeries otherwise),
// for tests.
void LogEach(KernelIsa isa, std::span<double> values);

// sum_i m_i ln m_i with m = p + q over `count` values (a multiple of kJsLanes), each array holding
// halves of smoothed weights, by build `isa`; the builds' last bits may differ.
double SumMeanLogMean(KernelIsa isa, const double* p, const double* q, int64_t count);

}  // namespace attnviz
