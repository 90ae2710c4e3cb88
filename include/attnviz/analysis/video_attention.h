// Video transformer tokens: where frame t's patch (y, x) sits, and one query's attention split
// into per-frame patch maps with the attention mass each frame receives.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace attnviz {

// Whether the sequence starts with a CLS token: given by the user, or inferred from its length.
enum class ClsToken { kInfer, kPresent, kAbsent };

// The order of the patch tokens in the sequence.
enum class TokenOrder {
  kFrameMajor,  // t, y, x: frame by frame, each row by row (VideoMAE, ViViT)
  kPatchMajor,  // y, x, t: patch position by position, its frames innermost (TimeSformer)
};

// T x H x W patch tokens in `order`, after a CLS token when `cls`.
struct VideoTokens {
  int64_t frames = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  bool cls = false;
  TokenOrder order = TokenOrder::kFrameMajor;

  int64_t PatchesPerFrame() const { return rows * cols; }
  int64_t Count() const { return (cls ? 1 : 0) + frames * rows * cols; }
  // The token of frame t's patch (y, x): cls + (t * rows + y) * cols + x frame-major,
  // cls + (y * cols + x) * frames + t patch-major.
  int64_t Token(int64_t t, int64_t y, int64_t x) const;
};

// The layout of `tokens` keys for --frames `frames` --grid `rows`x`cols`: with kInfer, a CLS token
// exactly when tokens == frames * rows * cols + 1. Throws a usage Error naming `path` that says
// which count was expected (e.g. "expected 8 x 4 x 4 = 128 patch tokens (129 with CLS), found
// 130").
VideoTokens ResolveVideoTokens(const std::string& path, int64_t tokens, int64_t frames,
                               int64_t rows, int64_t cols, ClsToken cls,
                               TokenOrder order = TokenOrder::kFrameMajor);

// A patch of the video: frame t, row y, column x.
struct VideoPatch {
  int64_t t = 0;
  int64_t y = 0;
  int64_t x = 0;
};

// One query's attention over the video, frame by frame.
struct FrameAttention {
  std::vector<std::vector<float>> maps;  // per frame, rows * cols weights, row-major
  std::vector<double> mass;              // per frame, the sum of its map
  double cls_weight = 0;                 // the weight on the CLS key (0 without one)
};

// A joint space-time attention row (Count() keys) split into frames.
FrameAttention SplitJointRow(std::span<const float> row, const VideoTokens& tokens);

// Divided (TimeSformer) spatial attention: one row per frame over that frame's patches (after
// its CLS key when tokens.cls). mass[t] is the frame's patch total (1 minus its CLS weight);
// cls_weight is the mean CLS weight over frames.
FrameAttention SplitSpatialRows(const std::vector<std::vector<float>>& rows,
                                const VideoTokens& tokens);

// The patch of the largest weight in each frame (the first in row-major order on ties).
std::vector<VideoPatch> ArgmaxPatches(const FrameAttention& attention, const VideoTokens& tokens);

// Joint attention between frames: entry (a, b) is the mean over frame a's patch queries of the
// attention they pay to frame b's patch keys, so a row sums to 1 minus its mean CLS weight.
// `matrix` is one head's Count() x Count() weights, row-major. Returns frames x frames, row-major.
std::vector<double> FrameToFrameMass(std::span<const float> matrix, const VideoTokens& tokens);

}  // namespace attnviz
