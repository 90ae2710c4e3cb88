// One pass over one attention row computing every row-level quantity the statistics need.
#pragma once

#include <cstdint>
#include <vector>

#include "simd/dispatch.h"

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
// when 1 <= topk <= kMaxSmallTopK and topk < keys (else top_mass is 0). Vectorised with the best
// build this CPU runs; logarithms in float to 2 ulp, entropy terms summed in float within blocks
// of 64 or 128 keys and in double across them, the other sums in double.
RowSummary SummarizeRow(const float* row, int64_t keys, int64_t query, int64_t topk = 0);

// SummarizeRow with a given build (sixteen lanes with AVX-512, eight with AVX2 and on the
// baseline), for tests: `isa` must be one KernelIsas lists.
RowSummary SummarizeRowOn(KernelIsa isa, const float* row, int64_t keys, int64_t query,
                          int64_t topk = 0);

// ln x for finite x > 0 in float, by the vectorised logarithm of build `isa` (one KernelIsas
// lists), for tests.
float FastLog(KernelIsa isa, float x);

}  // namespace attnviz
