// Word timing from cross-attention over audio frames, as Whisper does it (openai/whisper
// timing.py, transformers' _extract_token_timestamps): standardise each head over the tokens,
// median-filter along time, average the chosen heads, dynamic time warping on the negative.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/tensor/matrix.h"

namespace attnviz {

struct AlignmentOptions {
  int median_width = 7;         // Whisper's medfilt_width (odd)
  double frame_seconds = 0.02;  // Whisper: 20 ms per encoder frame (30 s / 1500)
};

// One token's time span, from the DTW path.
struct TokenSpan {
  int64_t token = 0;        // query row
  int64_t start_frame = 0;  // first frame on the path for this token
  // One past the last: the next token's start_frame, as Whisper ends a word where the next
  // begins (so a token may span no frame); the frame count for the last token.
  int64_t end_frame = 0;
  double start_seconds = 0;
  double end_seconds = 0;
};

struct Alignment {
  std::vector<TokenSpan> tokens;                  // one per query row, in order
  std::vector<std::pair<int64_t, int64_t>> path;  // (token, frame), monotone, from (0,0)
  Matrix fused;                                   // the averaged, filtered matrix DTW ran on
};

// `heads`: the chosen cross-attention heads, each tokens x frames (same shape, at least one).
// Standardises each frame of each head over the tokens (population std; a frame whose weights
// are all equal becomes 0, where Whisper would divide by zero), median-filters each token's row
// along the frames (torch's "reflect" padding, scipy's "mirror"; rows no longer than width / 2
// stay as they are), averages the heads and runs Whisper's dtw_cpu on the negated mean: costs
// kept in float32; the diagonal or the token step wins only when strictly cheaper than both
// others, every tie goes to the time step (same token, previous frame). Throws Error(kUsage) for no
// heads, unequal shapes, an empty matrix or an even or non-positive median width, Error(kInput) for
// a non-finite weight.
Alignment AlignTokens(const std::vector<Matrix>& heads, const AlignmentOptions& options);

// A word of the transcript: tokens [first_token, end_token) and their time span.
struct WordSpan {
  int64_t first_token = 0;
  int64_t end_token = 0;
  double start_seconds = 0;
  double end_seconds = 0;
  std::string text;
};

// The words of `tokens` (one per alignment token), for subtitles. A token starting with a space,
// "Ġ" (GPT-2, Whisper) or "▁" (SentencePiece) begins a word and the tokens after it without
// one continue it ("##" pieces always continue); when no token carries such a marker, every
// token is a word. Special tokens (<|endoftext|>, <eos>, [SEP], ...) are in no word. A word the
// path gives no time (start == end) joins the next word, the last such word the one before it.
std::vector<WordSpan> GroupWords(const Alignment& alignment,
                                 const std::vector<std::string>& tokens);

}  // namespace attnviz
