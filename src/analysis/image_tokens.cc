// Finding the image patches of a vision-language dump, and a token's strongest patches.
#include "attnviz/analysis/image_tokens.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attnviz/error.h"

namespace attnviz {
namespace {

std::string Count(int64_t n) { return std::to_string(n); }

std::string GridText(const ImageTokensRequest& r) {
  return Count(r.grid_rows) + "x" + Count(r.grid_cols) + " grid (" +
         Count(r.grid_rows * r.grid_cols) + " patches)";
}

// The text positions: every query outside [first, end).
std::vector<int64_t> TextPositions(int64_t queries, int64_t first, int64_t end) {
  std::vector<int64_t> text;
  for (int64_t q = 0; q < queries; ++q) {
    if (q < first || q >= end) text.push_back(q);
  }
  return text;
}

ImageTokens SpanTokens(const ImageTokensRequest& r, int64_t first, int64_t end) {
  ImageTokens found{PatchPlacement::kSpan, first, end, TextPositions(r.queries, first, end), {}};
  if (r.tokens && static_cast<int64_t>(r.tokens->size()) == r.queries) found.tokens = *r.tokens;
  return found;
}

int64_t ParseSpanEnd(const std::string& text, const std::string& span) {
  size_t used = 0;
  int64_t value = -1;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < 0) {
    ThrowUsageError("--image-span " + span + ": expected A:B, two positions from 0");
  }
  return value;
}

ImageTokens FromSpan(const ImageTokensRequest& r) {
  size_t colon = r.span.find(':');
  if (colon == std::string::npos) {
    ThrowUsageError("--image-span " + r.span + ": expected A:B, two positions from 0");
  }
  int64_t first = ParseSpanEnd(r.span.substr(0, colon), r.span);
  int64_t end = ParseSpanEnd(r.span.substr(colon + 1), r.span);
  if (r.queries != r.keys) {
    ThrowUsageError(r.path + ": --image-span needs self-attention over one sequence, found " +
                    Count(r.queries) + " queries and " + Count(r.keys) + " keys");
  }
  if (first >= end || end > r.queries) {
    ThrowUsageError(r.path + ": --image-span " + r.span + " is outside the sequence: expected " +
                    "A < B <= " + Count(r.queries));
  }
  if (end - first != r.grid_rows * r.grid_cols) {
    ThrowUsageError(r.path + ": --image-span " + r.span + " holds " + Count(end - first) +
                    " positions, the " + GridText(r) + " needs " +
                    Count(r.grid_rows * r.grid_cols));
  }
  return SpanTokens(r, first, end);
}

// The runs [first, end) of tokens equal to kImageToken.
std::vector<std::pair<int64_t, int64_t>> PlaceholderRuns(const std::vector<std::string>& tokens) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t i = 0; i < static_cast<int64_t>(tokens.size()); ++i) {
    if (tokens[i] != kImageToken) continue;
    if (!runs.empty() && runs.back().second == i) {
      runs.back().second = i + 1;
    } else {
      runs.push_back({i, i + 1});
    }
  }
  return runs;
}

// The one placeholder expanded to `patches` positions in the tokens.
std::vector<std::string> Expanded(const std::vector<std::string>& tokens, int64_t at,
                                  int64_t patches) {
  std::vector<std::string> expanded(tokens.begin(), tokens.begin() + at);
  expanded.insert(expanded.end(), patches, kImageToken);
  expanded.insert(expanded.end(), tokens.begin() + at + 1, tokens.end());
  return expanded;
}

ImageTokens FromPlaceholder(const ImageTokensRequest& r,
                            const std::vector<std::pair<int64_t, int64_t>>& runs) {
  const int64_t patches = r.grid_rows * r.grid_cols;
  const int64_t tokens = static_cast<int64_t>(r.tokens->size());
  if (runs.size() != 1) {
    ThrowInputError(r.path, "the tokens hold " + Count(runs.size()) + " separate runs of " +
                                kImageToken + ", expected one; give --image-span A:B");
  }
  auto [first, end] = runs[0];
  if (end - first == patches && tokens == r.queries) return SpanTokens(r, first, end);
  if (end - first == 1 && tokens + patches - 1 == r.queries) {
    ImageTokens found = SpanTokens(r, first, first + patches);
    found.tokens = Expanded(*r.tokens, first, patches);
    return found;
  }
  ThrowInputError(r.path, "the tokens hold " + Count(end - first) + " " + kImageToken +
                              " at positions " + Count(first) + ":" + Count(end) + " of " +
                              Count(tokens) + " tokens for " + Count(r.queries) + " queries; the " +
                              GridText(r) + " expects a run of " + Count(patches) +
                              " or one placeholder and " + Count(r.queries - patches + 1) +
                              " tokens");
}

ImageTokens FromKeys(const ImageTokensRequest& r) {
  if (r.keys != r.grid_rows * r.grid_cols) {
    ThrowUsageError(r.path + ": the " + Count(r.keys) + " keys are not the " + GridText(r) +
                    "; give --image-span A:B for patches inside the sequence, or the tokens "
                    "with " +
                    kImageToken + " placeholders");
  }
  ImageTokens found{PatchPlacement::kKeys, 0, r.keys, {}, {}};
  found.text.resize(r.queries);
  std::iota(found.text.begin(), found.text.end(), 0);
  if (r.tokens) found.tokens = *r.tokens;
  return found;
}

}  // namespace

ImageTokens ResolveImageTokens(const ImageTokensRequest& request) {
  if (request.grid_rows < 1 || request.grid_cols < 1) ThrowUsageError("--grid: expected ROWSxCOLS");
  if (!request.span.empty()) return FromSpan(request);
  if (request.tokens && request.queries == request.keys) {
    auto runs = PlaceholderRuns(*request.tokens);
    if (!runs.empty()) return FromPlaceholder(request, runs);
  }
  return FromKeys(request);
}

std::vector<int64_t> TopPatches(const std::vector<float>& weights, int64_t k) {
  std::vector<int64_t> order;
  for (int64_t i = 0; i < static_cast<int64_t>(weights.size()); ++i) {
    if (!std::isnan(weights[i])) order.push_back(i);
  }
  auto stronger = [&](int64_t a, int64_t b) {
    return weights[a] != weights[b] ? weights[a] > weights[b] : a < b;
  };
  int64_t kept = std::clamp<int64_t>(k, 0, static_cast<int64_t>(order.size()));
  std::partial_sort(order.begin(), order.begin() + kept, order.end(), stronger);
  order.resize(kept);
  return order;
}

std::vector<int64_t> RegionPatches(const PatchRegion& region, int64_t rows, int64_t cols) {
  const PatchRegion& g = region;
  if (g.col0 < 0 || g.row0 < 0 || g.col1 > cols || g.row1 > rows || g.col0 >= g.col1 ||
      g.row0 >= g.row1) {
    ThrowUsageError("--region " + Count(g.col0) + "," + Count(g.row0) + "," + Count(g.col1) + "," +
                    Count(g.row1) + " (patches) is empty or outside the " + Count(rows) + "x" +
                    Count(cols) + " grid: expected 0 <= x0 < x1 <= " + Count(cols) +
                    " and 0 <= y0 < y1 <= " + Count(rows));
  }
  std::vector<int64_t> patches;
  for (int64_t row = g.row0; row < g.row1; ++row) {
    for (int64_t col = g.col0; col < g.col1; ++col) patches.push_back(row * cols + col);
  }
  return patches;
}

PatchRegion PixelRegionToPatches(double x0, double y0, double x1, double y1, int64_t width,
                                 int64_t height, int64_t rows, int64_t cols) {
  // A patch is touched when the rectangle overlaps it by more than nothing.
  auto first = [](double at, int64_t side, int64_t count) {
    return static_cast<int64_t>(std::floor(at * count / side));
  };
  auto end = [](double at, int64_t side, int64_t count) {
    return static_cast<int64_t>(std::ceil(at * count / side));
  };
  return {first(x0, width, cols), first(y0, height, rows), end(x1, width, cols),
          end(y1, height, rows)};
}

}  // namespace attnviz
