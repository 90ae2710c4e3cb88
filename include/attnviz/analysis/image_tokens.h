// Where a vision-language dump keeps its image patches, and which patches a token attends to most.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnviz {

// The placeholder a LLaVA-style processor writes where the image goes.
inline constexpr const char* kImageToken = "<image>";

// How the patches sit in the attention: a run of positions inside one sequence whose queries and
// keys are the same tokens (LLaVA, Qwen-VL, InternVL), or every key of a cross-attention from text
// queries (BLIP, Flamingo).
enum class PatchPlacement { kSpan, kKeys };

struct ImageTokens {
  PatchPlacement placement = PatchPlacement::kSpan;
  int64_t first = 0;  // the patches are sequence positions [first, end) (kKeys: all keys)
  int64_t end = 0;
  std::vector<int64_t> text;  // the text positions, in order: queries outside [first, end)
  // One token per sequence position (per query for kKeys), the placeholder expanded when it was
  // one token for the whole image; empty when the dump has no tokens.
  std::vector<std::string> tokens;

  int64_t patches() const { return end - first; }
  bool patches_are_queries() const { return placement == PatchPlacement::kSpan; }
};

// What ResolveImageTokens reads: the attention's shape and tokens, and what the user said.
struct ImageTokensRequest {
  std::string path;  // the dump, for messages
  int64_t queries = 0;
  int64_t keys = 0;
  std::optional<std::vector<std::string>> tokens;  // the query tokens, when known
  std::string span;                                // --image-span "A:B", or empty
  int64_t grid_rows = 0;
  int64_t grid_cols = 0;
};

// Finds the patches, in this order:
// 1. `span` "A:B" (half-open, 0-based, as Python's slice): positions A..B-1 of a self-attention
//    (queries == keys). Usage Error (exit 2) for a span outside the sequence, an empty one, or
//    one whose length is not grid_rows * grid_cols.
// 2. Tokens containing kImageToken, in a self-attention: either one run of rows * cols equal
//    tokens (processors since transformers 4.47 expand the placeholder in input_ids), or, when
//    the sequence is rows * cols - 1 positions longer than the tokens, one single placeholder,
//    which the model expanded to the patches in its place. Input Error (exit 3) for placeholders
//    that are neither (two runs, a run of the wrong length).
// 3. Cross-attention (queries != keys or no placeholder): the keys are the patches, so their
//    count must be rows * cols (usage Error otherwise, suggesting --image-span).
ImageTokens ResolveImageTokens(const ImageTokensRequest& request);

// Up to `k` patch indexes with the largest weights, largest first; equal weights keep the lower
// index first; NaN weights are never chosen.
std::vector<int64_t> TopPatches(const std::vector<float>& weights, int64_t k);

// A rectangle of patches, half-open in patch units: columns [col0, col1), rows [row0, row1).
struct PatchRegion {
  int64_t col0 = 0, row0 = 0, col1 = 0, row1 = 0;
};

// The patch indexes (row-major) of `region` inside a rows x cols grid. Usage Error for an empty
// region or one reaching outside the grid.
std::vector<int64_t> RegionPatches(const PatchRegion& region, int64_t rows, int64_t cols);

// The patches a pixel rectangle [x0, x1) x [y0, y1) of a width x height picture touches, the
// picture divided evenly into the grid (as a stretched or already-fitted picture is).
PatchRegion PixelRegionToPatches(double x0, double y0, double x1, double y1, int64_t width,
                                 int64_t height, int64_t rows, int64_t cols);

}  // namespace attnviz
