// The score of every classify pattern for one head: shares of each real row's own mass on the
// keys a pattern names, averaged over rows.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/stats_masking.h"
#include "attnviz/analysis/classify.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// What scoring needs to know about the dump: masking and the token facts, the same for every head.
struct PatternContext {
  int64_t queries = 0;
  int64_t keys = 0;
  Masking masking;
  std::optional<std::vector<int64_t>>
      special_keys;  // special tokens and separators, not the first key
  // Self-attention with tokens: per query row, the valid keys holding an earlier copy of its
  // token, and the valid keys right after those copies. Empty without tokens.
  std::vector<std::vector<int64_t>> copies;
  std::vector<std::vector<int64_t>> after_copies;
};

PatternContext MakePatternContext(const AttentionTensor& tensor,
                                  const std::optional<std::vector<std::string>>& query_tokens,
                                  const std::optional<std::vector<std::string>>& key_tokens,
                                  const std::optional<std::vector<std::string>>& special_tokens,
                                  int threads);

struct PatternScores {
  std::array<double, kPatternCount> scores{};  // NaN: does not apply
  std::optional<int64_t> offset;               // the k of the best offset, when scored
  std::optional<int64_t> width;                // the half-width w of the best local band
};

// Requires head.size() == queries * keys.
PatternScores ScorePatterns(std::span<const float> head, const PatternContext& context);

}  // namespace attnviz
