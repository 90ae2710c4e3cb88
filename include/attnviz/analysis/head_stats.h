// Per-head statistics of attention: entropy, confidence, distance, positional and token mass.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

// A ViT patch grid: the last rows x cols tokens are the patches in row-major order; tokens before
// them ([CLS], registers) are not patches.
struct PatchGrid {
  int64_t rows = 0;
  int64_t cols = 0;
};

struct StatsOptions {
  bool bits = false;                                       // entropy in bits instead of nats
  int64_t topk = 3;                                        // the k of `topk`, at least 1
  std::optional<PatchGrid> grid;                           // adds distance_2d
  std::optional<std::vector<std::string>> special_tokens;  // replaces the default special set
  std::optional<std::string> pad_token;                    // replaces the default padding tokens
  int threads = 0;                                         // 0: one per hardware thread
};

// The statistics of one head (or, from MeanOverHeads, the mean over a layer's heads). Means run
// over the query rows of real tokens; NaN marks a statistic that does not apply: positional ones
// in cross-attention, token ones without tokens, distance_2d without a grid, and every statistic
// of a head holding NaN or an infinity. docs/analyses.md gives each formula.
struct HeadStats {
  int64_t layer = 0;
  int64_t head = 0;  // -1 for a layer mean
  double entropy = 0;
  double entropy_norm = 0;
  double confidence = 0;
  double topk = 0;
  double distance = 0;
  double distance_2d = 0;
  double self = 0;
  double prev = 0;
  double next = 0;
  double first_token = 0;
  double special = 0;
  double punct = 0;
  double padding = 0;
  double row_sum_dev = 0;
};

// One statistic by name, for tables, JSON and plots.
struct StatField {
  const char* name;  // the JSON key
  double HeadStats::*member;
  bool in_unit_interval;  // a share of attention mass, always within [0, 1]
};

// Every statistic in the order of the JSON schema (distance_2d after distance).
std::span<const StatField> StatFields();

// The field called `name`, or nullptr.
const StatField* FindStatField(std::string_view name);

// The statistics of every head, layer-major. Tokens (one per query / key) enable the token
// statistics and tell cross-attention from self-attention. Throws a usage Error for topk < 1 or a
// grid with more patches than tokens. Results do not depend on `threads`.
std::vector<HeadStats> ComputeHeadStats(const AttentionTensor& tensor,
                                        const std::optional<std::vector<std::string>>& query_tokens,
                                        const std::optional<std::vector<std::string>>& key_tokens,
                                        const StatsOptions& options);

// One entry per layer (head = -1): each statistic averaged over the layer's heads.
std::vector<HeadStats> MeanOverHeads(std::span<const HeadStats> heads);

}  // namespace attnviz
