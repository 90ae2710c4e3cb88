// Word timing as Whisper computes it: standardise, median filter, average heads, DTW, jumps.
#include "attnviz/analysis/alignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "analysis/stats_tokens.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

// rows x cols doubles, row-major, as the stages between the heads and the DTW hold them.
struct Grid {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> values;

  double& at(int64_t row, int64_t col) { return values[row * cols + col]; }
  double at(int64_t row, int64_t col) const { return values[row * cols + col]; }
};

void CheckHeads(const std::vector<Matrix>& heads, const AlignmentOptions& options) {
  if (heads.empty()) ThrowUsageError("alignment needs at least one head");
  if (options.median_width < 1 || options.median_width % 2 == 0) {
    ThrowUsageError("--median-width must be odd and at least 1, got " +
                    std::to_string(options.median_width));
  }
  const Matrix& first = heads.front();
  if (first.rows < 1 || first.cols < 1)
    ThrowUsageError("alignment needs at least 1 token and 1 frame");
  for (size_t h = 0; h < heads.size(); ++h) {
    if (heads[h].rows != first.rows || heads[h].cols != first.cols) {
      ThrowUsageError("alignment heads differ in shape: " + std::to_string(first.rows) + "x" +
                      std::to_string(first.cols) + " and " + std::to_string(heads[h].rows) + "x" +
                      std::to_string(heads[h].cols));
    }
  }
}

void CheckFinite(const Matrix& head, size_t index) {
  for (int64_t i = 0; i < head.rows; ++i) {
    for (int64_t j = 0; j < head.cols; ++j) {
      if (!std::isfinite(head.at(i, j))) {
        throw Error(ErrorKind::kInput, "alignment head " + std::to_string(index) + " has weight " +
                                           std::to_string(head.at(i, j)) + " at token " +
                                           std::to_string(i) + ", frame " + std::to_string(j) +
                                           "; expected a finite number");
      }
    }
  }
}

// Each frame (column) as z-scores over the tokens: (x - mean) / std, population std.
Grid Standardized(const Matrix& head) {
  Grid z{head.rows, head.cols, std::vector<double>(head.values.size())};
  for (int64_t j = 0; j < head.cols; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < head.rows; ++i) sum += head.at(i, j);
    const double mean = sum / static_cast<double>(head.rows);
    double squares = 0;
    for (int64_t i = 0; i < head.rows; ++i)
      squares += (head.at(i, j) - mean) * (head.at(i, j) - mean);
    const double std = std::sqrt(squares / static_cast<double>(head.rows));
    for (int64_t i = 0; i < head.rows; ++i) z.at(i, j) = std > 0 ? (head.at(i, j) - mean) / std : 0;
  }
  return z;
}

// torch.nn.functional.pad(mode="reflect"): the edge is not repeated (c b | a b c d | c b).
int64_t Reflect(int64_t index, int64_t size) {
  if (index < 0) return -index;
  if (index >= size) return 2 * (size - 1) - index;
  return index;
}

// Each row's running median of `width` frames, as Whisper's median_filter.
Grid MedianFiltered(Grid grid, int width) {
  const int64_t half = width / 2;
  if (grid.cols <= half || width == 1) return grid;
  Grid out = grid;
  std::vector<double> window(static_cast<size_t>(width));
  for (int64_t i = 0; i < grid.rows; ++i) {
    for (int64_t j = 0; j < grid.cols; ++j) {
      for (int64_t k = -half; k <= half; ++k)
        window[k + half] = grid.at(i, Reflect(j + k, grid.cols));
      std::nth_element(window.begin(), window.begin() + half, window.end());
      out.at(i, j) = window[half];
    }
  }
  return out;
}

Grid FusedHeads(const std::vector<Matrix>& heads, int median_width) {
  Grid sum{heads.front().rows, heads.front().cols,
           std::vector<double>(heads.front().values.size(), 0.0)};
  for (size_t h = 0; h < heads.size(); ++h) {
    CheckFinite(heads[h], h);
    const Grid filtered = MedianFiltered(Standardized(heads[h]), median_width);
    for (size_t k = 0; k < sum.values.size(); ++k) sum.values[k] += filtered.values[k];
  }
  for (double& value : sum.values) value /= static_cast<double>(heads.size());
  return sum;
}

enum Step : int8_t { kDiagonal = 0, kToken = 1, kTime = 2 };

// Whisper's dtw_cpu over `cost` (tokens x frames): the cheapest monotone path from (0, 0) to the
// last cell; the accumulated costs are stored in float32 as Whisper stores them.
std::vector<std::pair<int64_t, int64_t>> WarpPath(const Grid& cost) {
  const int64_t n = cost.rows, m = cost.cols;
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> total(static_cast<size_t>((n + 1) * (m + 1)), inf);
  std::vector<int8_t> trace(total.size(), kTime);
  auto cell = [m](int64_t i, int64_t j) { return i * (m + 1) + j; };
  total[0] = 0;
  for (int64_t j = 1; j <= m; ++j) {
    for (int64_t i = 1; i <= n; ++i) {
      const float c0 = total[cell(i - 1, j - 1)], c1 = total[cell(i - 1, j)],
                  c2 = total[cell(i, j - 1)];
      Step step = kTime;
      float best = c2;
      if (c0 < c1 && c0 < c2) {
        step = kDiagonal, best = c0;
      } else if (c1 < c0 && c1 < c2) {
        step = kToken, best = c1;
      }
      total[cell(i, j)] = static_cast<float>(cost.at(i - 1, j - 1) + static_cast<double>(best));
      trace[cell(i, j)] = step;
    }
  }
  for (int64_t j = 0; j <= m; ++j) trace[cell(0, j)] = kTime;
  for (int64_t i = 0; i <= n; ++i) trace[cell(i, 0)] = kToken;
  std::vector<std::pair<int64_t, int64_t>> path;
  for (int64_t i = n, j = m; i > 0 || j > 0;) {
    path.emplace_back(i - 1, j - 1);
    const int8_t step = trace[cell(i, j)];
    if (step != kTime) --i;
    if (step != kToken) --j;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// Each token starts at the first frame where the path reaches it and ends where the next starts.
std::vector<TokenSpan> SpansFromPath(const std::vector<std::pair<int64_t, int64_t>>& path,
                                     int64_t tokens, int64_t frames, double frame_seconds) {
  std::vector<TokenSpan> spans(static_cast<size_t>(tokens));
  int64_t previous = -1;
  for (const auto& [token, frame] : path) {
    if (token != previous && token >= 0) spans[token].start_frame = frame;
    previous = token;
  }
  for (int64_t t = 0; t < tokens; ++t) {
    TokenSpan& span = spans[t];
    span.token = t;
    span.end_frame = t + 1 < tokens ? spans[t + 1].start_frame : frames;
    // Divided by frames per second, as Whisper's time_indices / TOKENS_PER_SECOND: 3 frames of
    // 0.02 s are 0.06 s, not 0.06000000000000001.
    span.start_seconds = static_cast<double>(span.start_frame) / (1.0 / frame_seconds);
    span.end_seconds = static_cast<double>(span.end_frame) / (1.0 / frame_seconds);
  }
  return spans;
}

Matrix ToMatrix(const Grid& grid) {
  std::vector<float> values(grid.values.begin(), grid.values.end());
  return Matrix(grid.rows, grid.cols, std::move(values));
}

bool StartsWord(std::string_view token) {
  return token.starts_with(" ") || token.starts_with("\xC4\xA0") ||
         token.starts_with("\xE2\x96\x81");
}

bool AnyStartsWord(const std::vector<std::string>& tokens) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [](const std::string& token) { return StartsWord(token); });
}

// Each word as its tokens and text, before the words of no time are merged.
std::vector<WordSpan> SplitWords(const Alignment& alignment,
                                 const std::vector<std::string>& tokens) {
  const bool by_marker = AnyStartsWord(tokens);
  std::vector<WordSpan> words;
  bool open = false;  // the last word may take the next token
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (IsSpecialToken(tokens[t], std::nullopt)) {
      open = false;
      continue;
    }
    const bool continues =
        open && (tokens[t].starts_with("##") || (by_marker && !StartsWord(tokens[t])));
    const TokenSpan& span = alignment.tokens[t];
    if (!continues) words.push_back({span.token, span.token, span.start_seconds, 0, ""});
    WordSpan& word = words.back();
    word.end_token = span.token + 1;
    word.end_seconds = span.end_seconds;
    word.text += StripTokenMarkers(tokens[t]);
    open = true;
  }
  return words;
}

void Absorb(WordSpan& into, const WordSpan& word, bool before) {
  into.text = before ? word.text + " " + into.text : into.text + " " + word.text;
  into.first_token = std::min(into.first_token, word.first_token);
  into.end_token = std::max(into.end_token, word.end_token);
  into.start_seconds = std::min(into.start_seconds, word.start_seconds);
  into.end_seconds = std::max(into.end_seconds, word.end_seconds);
}

}  // namespace

std::vector<WordSpan> GroupWords(const Alignment& alignment,
                                 const std::vector<std::string>& tokens) {
  if (tokens.size() != alignment.tokens.size()) {
    ThrowUsageError("the alignment has " + std::to_string(alignment.tokens.size()) +
                    " tokens, the token list " + std::to_string(tokens.size()));
  }
  std::vector<WordSpan> words;
  std::vector<WordSpan> pending;  // zero-length words waiting for the next word
  for (WordSpan& word : SplitWords(alignment, tokens)) {
    if (word.end_seconds <= word.start_seconds) {
      pending.push_back(std::move(word));
      continue;
    }
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) Absorb(word, *it, true);
    pending.clear();
    words.push_back(std::move(word));
  }
  for (const WordSpan& word : pending) {
    if (words.empty()) {
      words.push_back(word);
    } else {
      Absorb(words.back(), word, false);
    }
  }
  return words;
}

Alignment AlignTokens(const std::vector<Matrix>& heads, const AlignmentOptions& options) {
  CheckHeads(heads, options);
  Grid fused = FusedHeads(heads, options.median_width);
  Grid negated = fused;
  for (double& value : negated.values) value = -value;
  Alignment alignment;
  alignment.path = WarpPath(negated);
  alignment.tokens = SpansFromPath(alignment.path, fused.rows, fused.cols, options.frame_seconds);
  alignment.fused = ToMatrix(fused);
  return alignment;
}

}  // namespace attnviz
