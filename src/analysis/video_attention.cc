// Video transformer token layouts and one query's attention split into frames.
#include "attnviz/analysis/video_attention.h"

#include <algorithm>
#include <numeric>

#include "attnviz/error.h"

namespace attnviz {
namespace {

std::string Describe(int64_t frames, int64_t rows, int64_t cols) {
  int64_t patches = frames * rows * cols;
  return std::to_string(frames) + " x " + std::to_string(rows) + " x " + std::to_string(cols) +
         " = " + std::to_string(patches) + " patch tokens";
}

bool HasCls(const std::string& path, int64_t tokens, int64_t patches, ClsToken cls,
            const std::string& expected) {
  switch (cls) {
    case ClsToken::kPresent:
      if (tokens == patches + 1) return true;
      ThrowUsageError(path + ": --cls: expected " + expected + " + 1 CLS = " +
                      std::to_string(patches + 1) + " keys, found " + std::to_string(tokens));
    case ClsToken::kAbsent:
      if (tokens == patches) return false;
      ThrowUsageError(path + ": --no-cls: expected " + expected + ", found " +
                      std::to_string(tokens) + " keys");
    case ClsToken::kInfer:
      break;
  }
  if (tokens == patches || tokens == patches + 1) return tokens == patches + 1;
  ThrowUsageError(path + ": --frames and --grid: expected " + expected + " (" +
                  std::to_string(patches + 1) + " with CLS), found " + std::to_string(tokens) +
                  " keys");
}

FrameAttention WithMass(FrameAttention attention) {
  for (const std::vector<float>& map : attention.maps) {
    attention.mass.push_back(std::accumulate(map.begin(), map.end(), 0.0));
  }
  return attention;
}

}  // namespace

int64_t VideoTokens::Token(int64_t t, int64_t y, int64_t x) const {
  const int64_t first = cls ? 1 : 0;
  if (order == TokenOrder::kPatchMajor) return first + (y * cols + x) * frames + t;
  return first + (t * rows + y) * cols + x;
}

VideoTokens ResolveVideoTokens(const std::string& path, int64_t tokens, int64_t frames,
                               int64_t rows, int64_t cols, ClsToken cls, TokenOrder order) {
  if (frames < 1 || rows < 1 || cols < 1) {
    ThrowUsageError("--frames and --grid: expected positive counts, found " +
                    std::to_string(frames) + " frames of " + std::to_string(rows) + "x" +
                    std::to_string(cols));
  }
  std::string expected = Describe(frames, rows, cols);
  return {frames, rows, cols, HasCls(path, tokens, frames * rows * cols, cls, expected), order};
}

FrameAttention SplitJointRow(std::span<const float> row, const VideoTokens& tokens) {
  if (static_cast<int64_t>(row.size()) != tokens.Count()) {
    ThrowUsageError("a video attention row needs " + std::to_string(tokens.Count()) +
                    " keys, found " + std::to_string(row.size()));
  }
  FrameAttention attention;
  attention.cls_weight = tokens.cls ? row[0] : 0;
  for (int64_t t = 0; t < tokens.frames; ++t) {
    std::vector<float>& map = attention.maps.emplace_back();
    for (int64_t y = 0; y < tokens.rows; ++y) {
      for (int64_t x = 0; x < tokens.cols; ++x) map.push_back(row[tokens.Token(t, y, x)]);
    }
  }
  return WithMass(std::move(attention));
}

FrameAttention SplitSpatialRows(const std::vector<std::vector<float>>& rows,
                                const VideoTokens& tokens) {
  const int64_t keys = (tokens.cls ? 1 : 0) + tokens.PatchesPerFrame();
  if (static_cast<int64_t>(rows.size()) != tokens.frames) {
    ThrowUsageError("divided spatial attention needs a row per frame (" +
                    std::to_string(tokens.frames) + "), found " + std::to_string(rows.size()));
  }
  FrameAttention attention;
  for (const std::vector<float>& row : rows) {
    if (static_cast<int64_t>(row.size()) != keys) {
      ThrowUsageError("a spatial attention row needs " + std::to_string(keys) + " keys, found " +
                      std::to_string(row.size()));
    }
    attention.cls_weight += tokens.cls ? row[0] / static_cast<double>(tokens.frames) : 0;
    attention.maps.emplace_back(row.begin() + (tokens.cls ? 1 : 0), row.end());
  }
  return WithMass(std::move(attention));
}

std::vector<VideoPatch> ArgmaxPatches(const FrameAttention& attention, const VideoTokens& tokens) {
  std::vector<VideoPatch> patches;
  for (size_t t = 0; t < attention.maps.size(); ++t) {
    const std::vector<float>& map = attention.maps[t];
    int64_t best = std::max_element(map.begin(), map.end()) - map.begin();
    patches.push_back({static_cast<int64_t>(t), best / tokens.cols, best % tokens.cols});
  }
  return patches;
}

std::vector<double> FrameToFrameMass(std::span<const float> matrix, const VideoTokens& tokens) {
  const int64_t count = tokens.Count(), patches = tokens.PatchesPerFrame();
  if (static_cast<int64_t>(matrix.size()) != count * count) {
    ThrowUsageError("a video attention matrix needs " + std::to_string(count) + " x " +
                    std::to_string(count) + " weights, found " + std::to_string(matrix.size()));
  }
  std::vector<double> mass(tokens.frames * tokens.frames, 0.0);
  for (int64_t a = 0; a < tokens.frames; ++a) {
    for (int64_t patch = 0; patch < patches; ++patch) {
      int64_t query = tokens.Token(a, patch / tokens.cols, patch % tokens.cols);
      FrameAttention split = SplitJointRow(matrix.subspan(query * count, count), tokens);
      for (int64_t b = 0; b < tokens.frames; ++b)
        mass[a * tokens.frames + b] += split.mass[b] / patches;
    }
  }
  return mass;
}

}  // namespace attnviz
