// What of each head is not attention between real tokens: the causal triangle and padded keys,
// found over the whole dump as `info` finds them, and which query rows are real.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

struct Masking {
  int64_t queries = 0;
  bool causal = false;    // square, more than one query, every head exactly 0 above the diagonal
  bool cross = false;     // cross-attention: query positions are not key positions
  int64_t first_key = 0;  // keys [first_key, end_key) are real; the rest is padding
  int64_t end_key = 0;

  // In self-attention, padded positions are padded queries too; their rows are not text.
  bool IsRealRow(int64_t row) const { return cross || (row >= first_key && row < end_key); }
  bool IsRealKey(int64_t key) const { return key >= first_key && key < end_key; }
  // The keys row `row` may attend: real keys, and for causal heads none after the query.
  int64_t KeyEnd(int64_t row) const { return causal ? std::min(end_key, row + 1) : end_key; }
  int64_t ValidKeyCount(int64_t row) const { return std::max<int64_t>(0, KeyEnd(row) - first_key); }
  bool IsValidKey(int64_t row, int64_t key) const { return key >= first_key && key < KeyEnd(row); }
};

// What one head says: zero above the diagonal, and its runs of all-zero key columns.
struct HeadMasking {
  bool causal = true;
  int64_t leading_zero_keys = 0;
  int64_t trailing_zero_keys = 0;
};

// The masking of a dump whose heads say `heads` (a key column is padding only when it is zero in
// every head; causal only when every head is).
Masking CombineMasking(std::span<const HeadMasking> heads, int64_t queries, int64_t keys,
                       bool cross);

// Whether two maskings treat every row and key alike.
bool SameMasking(const Masking& a, const Masking& b);

// Cross-attention when queries and keys differ in number, or both token lists are known and differ.
bool IsCrossAttention(const AttentionTensor& tensor,
                      const std::optional<std::vector<std::string>>& query_tokens,
                      const std::optional<std::vector<std::string>>& key_tokens);

// One pass over every head of the selected batch item.
Masking FindMasking(const AttentionTensor& tensor, bool cross, int threads);

}  // namespace attnviz
