// What kind of head is this: scores for the attention patterns of the literature, and a label.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// The patterns, specific ones first; kPeaked and kDiffuse describe a shape, not a rule, and
// label a head only when no specific pattern does. docs/analyses.md defines each score.
enum class Pattern {
  kSelf,       // the query's own position
  kPrevious,   // the position before
  kNext,       // the position after
  kFirst,      // the first (real) key: a BOS / [CLS] sink
  kSpecial,    // special tokens and separators other than the first key
  kOffset,     // a fixed relative offset k, |k| >= 2
  kReorder,    // an anti-diagonal: the sequence read backwards
  kBlock,      // contiguous blocks attending within themselves (phrases)
  kLocal,      // a band |i - j| <= w around the diagonal, w >= 2 (sliding-window heads)
  kAlign,      // cross-attention that moves forward through the source (alignment)
  kDuplicate,  // earlier copies of the query's token
  kInduction,  // the tokens right after earlier copies
  kPeaked,     // one or two keys per row
  kDiffuse,    // near-uniform rows
};
inline constexpr size_t kPatternCount = 14;

// "self", "previous", ..., "diffuse".
std::string_view PatternName(Pattern pattern);
std::optional<Pattern> ParsePattern(std::string_view name);
// Every pattern in enum order.
const std::array<Pattern, kPatternCount>& AllPatterns();

// A head is labelled with a pattern when its score reaches the pattern's threshold.
struct ClassifyThresholds {
  std::array<double, kPatternCount> score;

  ClassifyThresholds();  // the documented defaults: 0.5; local 0.4, peaked 0.7, diffuse 0.85
  double& operator[](Pattern p) { return score[static_cast<size_t>(p)]; }
  double operator[](Pattern p) const { return score[static_cast<size_t>(p)]; }
};

// Overrides the defaults with a JSON object of pattern names and thresholds in [0, 1], e.g.
// {"previous": 0.6, "diffuse": 0.9}. Throws an input Error naming `path` for anything else.
ClassifyThresholds ParseClassifyThresholds(std::string_view json, const std::string& path);

struct ClassifyOptions {
  ClassifyThresholds thresholds;
  std::optional<std::vector<std::string>> special_tokens;  // replaces the default special set
  int threads = 0;                                         // 0: one per hardware thread
};

struct HeadClass {
  int64_t layer = 0;
  int64_t head = 0;
  // The specific pattern with the highest score at or above its threshold, else the best of
  // peaked and diffuse that passes; nullopt when none does (heterogeneous).
  std::optional<Pattern> label;
  double confidence = 0;        // the label's score; for a heterogeneous head the best score
  std::vector<Pattern> labels;  // every pattern at or above its threshold, best first
  // Each pattern's score in [0, 1]; NaN where it does not apply (positional patterns in
  // cross-attention, token patterns without tokens or repeats, next in causal heads).
  std::array<double, kPatternCount> scores{};
  std::optional<int64_t> offset;  // k of the offset pattern when it passes its threshold
  std::optional<int64_t> width;   // half-width w of the local band when it passes its threshold
  bool causal = false;            // the dump is causal (as `info` says)
  bool heterogeneous = false;     // no pattern passes its threshold

  double score(Pattern p) const { return scores[static_cast<size_t>(p)]; }
};

// "previous", "offset -3", "local 4" (band half-width), or "heterogeneous": a caption for tables
// and figures.
std::string LabelText(const HeadClass& head);

// Scores and labels every head, layer-major. Tokens (one per query / key) enable special,
// duplicate and induction and tell cross-attention from self-attention. Results do not depend
// on `threads`.
std::vector<HeadClass> ClassifyHeads(const AttentionTensor& tensor,
                                     const std::optional<std::vector<std::string>>& query_tokens,
                                     const std::optional<std::vector<std::string>>& key_tokens,
                                     const ClassifyOptions& options = {});

}  // namespace attnviz
