// The natural logarithm of eight doubles at once, for the JS divergence between heads.
#pragma once

#include <cstdint>
#include <numbers>
#include <span>

namespace attnviz {

// Eight doubles: one AVX-512 register, two AVX2 ones, four SSE2 ones (GCC vector extensions).
typedef double JsLanes __attribute__((vector_size(64)));
typedef int64_t JsIntLanes __attribute__((vector_size(64)));
typedef uint64_t JsBitLanes __attribute__((vector_size(64)));
constexpr int kJsLanes = 8;

// ln x for positive normal x, within 1e-15 relative (glibc's log is scalar and four times slower
// here): x = 2^k f with f in [sqrt(1/2), sqrt(2)), ln f = 2 atanh(s) = s Q(s²) with s = (f - 1) /
// (f + 1), |s| < 0.172. Q is 2 + z R(z) with R the minimax polynomial of degree 5 for
// (2 atanh(s) / s - 2) / z on z = s² in [0, 0.0295], weighted by z / 2
// (scripts/reference/js_log_series.py): 1.9e-16 of ln f, where the Taylor series needs nine terms
// for 1e-15. Horner's steps are written out, as a loop over the coefficients was not always
// unrolled. Always inlined: a call from a target clone into this baseline function would stay a
// call.
[[gnu::always_inline]] inline void LogInPlace(JsLanes& x) {
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

// LogInPlace on each of `values` (a multiple of kJsLanes of them, each positive and normal), in
// the build SumMeanLogMean runs: for tests.
void LogEach(std::span<double> values);

}  // namespace attnviz
