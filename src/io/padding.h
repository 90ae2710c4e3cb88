// Telling the padding of a batch item from its real tokens: an attention mask, pad tokens at
// either end, or key columns that are exactly 0 in every row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/io/dump.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// Real positions [first, end) along one axis.
struct RealSpan {
  int64_t first = 0;
  int64_t end = 0;

  int64_t size() const { return end - first; }
};

// From the first real flag to the last, or nullopt when no flag is real.
std::optional<RealSpan> SpanOfFlags(const std::vector<bool>& flags);

// The tokens left when the pad tokens at the start and the end are left out; `pad_tokens` empty
// means [PAD], <pad> and <|pad|>. The whole list when every token is a pad token.
RealSpan SpanOfTokens(const std::vector<std::string>& tokens,
                      const std::vector<std::string>& pad_tokens);

// The keys left when the columns that are exactly 0 in every row of a few heads (the first and
// last head of the first and last layer, read in bands of rows) are left out at the start and the
// end. A causal triangle leaves no column zero in every row; when every column is zero the head
// is data, not padding, and the whole axis is real.
RealSpan SpanOfNonZeroKeys(const AttentionTensor& tensor);

// What is known about a dump when its padding is sought. Pointers may be null (not known).
struct PaddingEvidence {
  const AttentionTensor* tensor = nullptr;  // the selected batch item, not cropped
  const std::vector<std::vector<bool>>* attention_mask = nullptr;      // one row, or one per item
  const std::vector<std::vector<std::string>>* item_tokens = nullptr;  // one list per item
  const std::vector<std::string>* query_tokens = nullptr;              // of the selected item
  const std::vector<std::string>* key_tokens = nullptr;
  std::vector<std::string> pad_tokens;  // --pad-token, empty for the defaults
  bool cross = false;                   // cross-attention: queries are not the keys' positions
  std::string path;                     // the dump, for messages
};

// The padding of the selected item, from the first source that applies: the attention mask, pad
// tokens, zero key columns. Self-attention loses padded queries and keys alike; cross-attention
// only the axis the mask or tokens describe. Throws an input Error when the mask fits neither the
// batch nor the query or key axis.
Padding FindPadding(const PaddingEvidence& evidence);

}  // namespace attnviz
