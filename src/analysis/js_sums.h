// The sums behind the JS divergence between heads, a band of query rows of every head at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace attnviz {

// Query rows [first, first + count) of head `index` (queries x keys, row-major), either where
// they lie or read into `scratch`; valid until the next call with the same scratch.
using JsRowSource = std::function<std::span<const float>(
    int64_t index, int64_t first, int64_t count, std::vector<float>& scratch)>;

// How an error names head `index`: "layer 2, head 5, " (or "" for a lone pair).
using JsHeadName = std::function<std::string(int64_t index)>;

// With P' = 0.999 P + 0.001 / keys (Clark et al.'s smoothing) and M = (P' + Q') / 2:
struct JsSums {
  std::vector<double> self_terms;  // per head, sum P' ln P'
  std::vector<double> mixed;       // count x count, row-major: sum M ln M at [a][b] for a < b
};

// The sums of `count` heads of `queries` x `keys` weights. Memory stays at one band of rows of
// every head (about 512 KB) whatever the dump's size: each band is smoothed into floats, then
// every pair is summed over it while it stays in the core's cache. Pairs are spread over
// `threads` threads (0: one per core); each sum adds its bands in order, so the result does not
// depend on the thread count. Throws Error(kInput) for a NaN, an infinity or a negative weight,
// naming its head, query and key: the first such weight of the first band that holds one.
JsSums SumJsTerms(int64_t count, int64_t queries, int64_t keys, const JsRowSource& rows,
                  const JsHeadName& name, int threads);

}  // namespace attnviz
