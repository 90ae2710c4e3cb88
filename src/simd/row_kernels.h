// The per-row kernels of `stats` (one pass over an attention row) and of the JS divergence (sum
// of m ln m), with the logarithms they use, on Highway: one source for every instruction set, the
// best one this CPU runs (narrowed by simd/dispatch.h) chosen at each call.
#pragma once

#include <cstddef>
#include <cstdint>

namespace attnviz {

// What one query row holds, independent of masking: the sums run over every key.
struct RowSummary {
  double sum = 0;             // Σ_j a_j
  double nats = 0;            // −Σ_j a_j ln a_j over a_j > 0
  double distance = 0;        // Σ_j a_j |i − j|
  float max = 0;              // max_j a_j
  int64_t first_nonzero = 0;  // the first j with a_j != 0 (NaN counts), or keys
  int64_t last_nonzero = -1;  // the last such j, or -1
  bool finite = true;         // no NaN or infinity in the row
  double top_mass = 0;        // the mass of the k largest weights, when asked for
};

// The largest k SummarizeRow finds the top-k mass for.
constexpr int64_t kMaxSmallTopK = 8;

// Summarises row `row` (query index `query`) of `keys` weights in one read, with the top-k mass
// when 1 <= topk <= kMaxSmallTopK and topk < keys (else top_mass is 0). Logarithms in float to
// 2 ulp and 4e-8, entropy terms summed in float within blocks of eight vectors and in double across
// them, the other sums in double.
RowSummary SummarizeRow(const float* row, int64_t keys, int64_t query, int64_t topk = 0);

namespace simd {

// out[i] = ln in[i] in float, within 2 ulp and 4e-8, for finite in[i] > 0 (the logarithm of the
// stats and JS sums), i < count.
void LogFloats(const float* in, size_t count, float* out);

// values[i] = ln values[i] for positive normal values[i], within 1e-14 relative (the logarithm of
// SumXLogX), i < count.
void LogDoubles(double* values, size_t count);

// sum_i m_i ln m_i with m = p + q over i < count, each array holding halves of smoothed weights
// (so that m is a mean): terms in float (LogFloats' logarithm before its last scaling, which the
// sum does once), each within 2e-7 of its size, summed in float within blocks of eight vectors
// and in double across them; the instruction sets' last bits differ.
double SumMeanLogMean(const float* p, const float* q, size_t count);

// sum_i x_i ln x_i over i < count for x_i >= 0 (0 ln 0 = 0), in double (LogDoubles' logarithm).
double SumXLogX(const double* x, size_t count);

// sum_i x_i in double over i < count, in an order of the instruction set's (the last bits may
// differ between sets).
double SumFloats(const float* x, size_t count);

// out[i] = (keep weights[i] + spread) / 2 in float, rounded once from one fused multiply-add in
// double, i < count: the halves of the JS sums' smoothed weights. True when every weight is
// finite and >= 0 (NaN is not).
bool HalveSmoothed(const float* weights, size_t count, double keep, double spread, float* out);

}  // namespace simd
}  // namespace attnviz
