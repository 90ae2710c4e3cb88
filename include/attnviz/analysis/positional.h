// Positional versus content heads over many inputs: how much of each head's attention a fixed
// profile of relative offsets (and of the first and last key) explains, whatever the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// The positional score of one head over every input (docs/analyses.md "positional").
struct HeadPositional {
  int64_t layer = 0;
  int64_t head = 0;
  // Mean over the scored rows of every input of Σ_j min(share_ij, profile_i(j)): 1 when the head
  // attends the same way at every position of every input, lower as content decides. NaN when no
  // row was scored (cross-attention, one key per row).
  double score = 0;
  // The profile's largest class: "first", "last" or a key offset such as "-1", "0", "+2"; empty
  // without scored rows.
  std::string dominant;
  double dominant_share = 0;  // the profile's mean share on that class
  int64_t rows = 0;           // scored rows over every input
};

// The positional scores of every head over a series of inputs, read twice in the same order:
// AddProfile for each input, then AddScore for each, then Results. One input is in memory at a
// time; each head's profile takes a few numbers per key offset.
class PositionalScores {
 public:
  // `threads` spread each input's heads (0: one per hardware thread); results do not depend on it.
  explicit PositionalScores(int threads = 0) : threads_(threads) {}

  // Pass 1: adds one input to every head's profile. The first input fixes layers x heads; an
  // input of another shape is an input Error naming `name`. Tokens tell cross-attention
  // (skipped) from self-attention, as in stats.
  void AddProfile(const AttentionTensor& tensor,
                  const std::optional<std::vector<std::string>>& query_tokens,
                  const std::optional<std::vector<std::string>>& key_tokens,
                  const std::string& name);

  // Pass 2: scores each row of one input against the profiles of pass 1.
  void AddScore(const AttentionTensor& tensor,
                const std::optional<std::vector<std::string>>& query_tokens,
                const std::optional<std::vector<std::string>>& key_tokens, const std::string& name);

  // Every head, layer-major, as dump indexes.
  std::vector<HeadPositional> Results() const;

  // Sums of shares over key offsets j - i, stored at offset + radius.
  struct OffsetSums {
    std::vector<double> sum;  // pass 1: sums of shares, then (FinishProfiles) means
    std::vector<int64_t> count;
  };
  // One head's mean shares by key class: the first real key and the last real key by their
  // offset from the query, every other key by its offset; then its overlaps.
  struct Profile {
    int64_t radius = 0;  // offsets -radius..radius
    OffsetSums first, last, other;
    double overlap_sum = 0;  // pass 2
    int64_t rows = 0;
  };

 private:
  void CheckShape(const AttentionTensor& tensor, const std::string& name);
  void FinishProfiles();

  int threads_ = 0;
  int64_t layers_ = -1;
  int64_t heads_ = -1;
  std::vector<Profile> profiles_;
  bool profiles_finished_ = false;
};

}  // namespace attnviz
