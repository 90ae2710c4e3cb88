// Causal and padding detection over all heads, combined the way Summarize combines them.
#include "analysis/stats_masking.h"

#include "analysis/stats_parallel.h"

namespace attnviz {

namespace {

HeadMasking MaskingOfHead(std::span<const float> values, int64_t queries, int64_t keys) {
  HeadMasking head;
  std::vector<bool> zero_column(static_cast<size_t>(keys), true);
  for (int64_t q = 0; q < queries; ++q) {
    const float* row = values.data() + q * keys;
    for (int64_t k = 0; k < keys; ++k) {
      if (row[k] == 0) continue;  // NaN is not 0: it is data
      zero_column[k] = false;
      if (k > q) head.causal = false;
    }
  }
  while (head.leading_zero_keys < keys && zero_column[head.leading_zero_keys]) {
    ++head.leading_zero_keys;
  }
  while (head.trailing_zero_keys < keys && zero_column[keys - 1 - head.trailing_zero_keys]) {
    ++head.trailing_zero_keys;
  }
  return head;
}

}  // namespace

bool IsCrossAttention(const AttentionTensor& tensor,
                      const std::optional<std::vector<std::string>>& query_tokens,
                      const std::optional<std::vector<std::string>>& key_tokens) {
  return tensor.queries() != tensor.keys() ||
         (query_tokens && key_tokens && *query_tokens != *key_tokens);
}

Masking CombineMasking(std::span<const HeadMasking> heads, int64_t queries, int64_t keys,
                       bool cross) {
  // A key column is zero in every head exactly when each head's zero run covers it.
  Masking masking;
  masking.queries = queries;
  masking.cross = cross;
  masking.causal = queries == keys && queries > 1;
  int64_t leading = keys, trailing = keys;
  for (const HeadMasking& head : heads) {
    masking.causal = masking.causal && head.causal;
    leading = std::min(leading, head.leading_zero_keys);
    trailing = std::min(trailing, head.trailing_zero_keys);
  }
  masking.first_key = leading;
  masking.end_key = leading == keys ? keys : keys - trailing;
  return masking;
}

bool SameMasking(const Masking& a, const Masking& b) {
  return a.queries == b.queries && a.causal == b.causal && a.cross == b.cross &&
         a.first_key == b.first_key && a.end_key == b.end_key;
}

Masking FindMasking(const AttentionTensor& tensor, bool cross, int threads) {
  const int64_t queries = tensor.queries(), keys = tensor.keys();
  std::vector<HeadMasking> heads(static_cast<size_t>(tensor.layers() * tensor.heads()));
  ForEachHead(tensor, threads, [&](int64_t index, int64_t, int64_t, std::span<const float> values) {
    heads[index] = MaskingOfHead(values, queries, keys);
  });
  return CombineMasking(heads, queries, keys, cross);
}

}  // namespace attnviz
