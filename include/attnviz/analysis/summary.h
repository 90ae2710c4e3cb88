// Whole-tensor summary for `info`: value range, row sums, NaN/Inf counts, causal and padding.
#pragma once

#include <cstdint>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

struct TensorSummary {
  double min = 0;  // over finite values
  double max = 0;
  double row_sum_min = 0;  // row sums over finite values, every head of every layer
  double row_sum_max = 0;
  int64_t nan = 0;
  int64_t inf = 0;
  bool causal = false;  // square heads, every value above the diagonal exactly 0, in every head
  // Key columns that are exactly 0 in every row of every head (padding), at either end.
  int64_t padded_keys = 0;
};

// One pass over every head of the selected batch item, on `threads` threads (0: one per core);
// the result does not depend on their number.
TensorSummary Summarize(const AttentionTensor& tensor, int threads = 0);

}  // namespace attnviz
