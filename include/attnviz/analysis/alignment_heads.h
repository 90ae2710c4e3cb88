// How well a cross-attention head aligns text tokens with audio frames: the scores that help
// choose Whisper's alignment heads (docs/analyses.md "Alignment heads").
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "attnviz/analysis/alignment.h"
#include "attnviz/tensor/matrix.h"

namespace attnviz {

// A token's true time span, in seconds (a reference timing file's row).
struct ReferenceSpan {
  double start_seconds = 0;
  double end_seconds = 0;
};

struct AlignmentHeadScore {
  int64_t layer = 0;
  int64_t head = 0;
  // The share of token pairs (a before b) whose centres of mass over the frames come in the same
  // order, a tie counting half: 1 when the attention moves forward in time token by token, about
  // 0.5 when the centres do not follow the tokens, 0 when they run backwards.
  double monotonicity = 0.5;
  // 1 - the mean over tokens of the row's entropy divided by log(frames): 0 for uniform rows, 1
  // when each token puts all its weight on one frame.
  double peakedness = 0;
  // max(0, 2 * monotonicity - 1) * peakedness: 0 for a head that does not move forward.
  double score = 0;
  // With a reference: the mean absolute difference between this head's own AlignTokens starts
  // and ends and the reference's, over every token's start and end; NaN without one.
  double boundary_error_seconds = std::numeric_limits<double>::quiet_NaN();
};

// Monotonicity, peakedness and score of one head, tokens x frames (layer and head left 0). Each
// row is divided by its sum first; rows that hold a non-finite weight or do not sum to a positive
// number take no part (with no pair of rows left, monotonicity is 0.5; with no row, peakedness 0).
AlignmentHeadScore ScoreAlignmentHead(const Matrix& head);

// The mean absolute error of `alignment`'s token starts and ends against `reference`, one span
// per token (a usage Error when the counts differ).
double BoundaryError(const Alignment& alignment, const std::vector<ReferenceSpan>& reference);

}  // namespace attnviz
