// Pattern scores over each row's shares p_ij = a_ij / sum_j a_ij; the definitions, thresholds
// and their reasons are in docs/analyses.md, the numpy reference in
// scripts/reference/classify.py.
#include "analysis/stats_pattern_scores.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "analysis/stats_tokens.h"
#include "simd/row_kernels.h"

namespace attnviz {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kNever = -std::numeric_limits<double>::infinity();
constexpr int64_t kMinBlock = 3;  // smaller blocks are the diagonal and its neighbours
constexpr int64_t kMaxBlock = 16;
constexpr int64_t kMinWidth = 2;  // |i - j| <= 1 is self, previous and next
constexpr int64_t kMaxWidth = 16;
constexpr size_t kMinRepeatRows = 2;

double& At(PatternScores& s, Pattern p) { return s.scores[static_cast<size_t>(p)]; }

// The rows that are scored and their shares. A row is scored when it is a real token's row,
// may see at least two keys and holds some mass.
class Shares {
 public:
  Shares(std::span<const float> head, const PatternContext& context)
      : keys_(context.keys), masking_(context.masking), p_(head.size(), 0.0) {
    for (int64_t i = 0; i < context.queries; ++i) {
      const float* row = head.data() + i * keys_;
      const double sum = simd::SumFloats(row, static_cast<size_t>(keys_));
      if (!masking_.IsRealRow(i) || masking_.ValidKeyCount(i) < 2 || !(sum > 0)) continue;
      rows_.push_back(i);
      double* shares = p_.data() + i * keys_;
      std::transform(row, row + keys_, shares, [sum](float a) { return a / sum; });
    }
  }

  const std::vector<int64_t>& rows() const { return rows_; }
  double p(int64_t i, int64_t j) const { return p_[i * keys_ + j]; }
  const double* row(int64_t i) const { return p_.data() + i * keys_; }
  bool valid(int64_t i, int64_t j) const { return masking_.IsValidKey(i, j); }
  const Masking& masking() const { return masking_; }
  int64_t keys() const { return keys_; }
  int64_t queries() const { return static_cast<int64_t>(p_.size()) / keys_; }

 private:
  int64_t keys_;
  const Masking& masking_;
  std::vector<int64_t> rows_;
  std::vector<double> p_;
};

// Mean of row_value(i) over the scored rows; NaN without rows.
template <typename RowValue>
double MeanOverRows(const Shares& s, RowValue row_value) {
  if (s.rows().empty()) return kNaN;
  double sum = 0;
  for (int64_t i : s.rows()) sum += row_value(i);
  return sum / static_cast<double>(s.rows().size());
}

// Mean share on key key_of(i) over the scored rows where that key is valid; NaN when none is.
template <typename KeyOf>
double MeanOnKey(const Shares& s, KeyOf key_of) {
  double sum = 0;
  int64_t count = 0;
  for (int64_t i : s.rows()) {
    const int64_t j = key_of(i);
    if (!s.valid(i, j)) continue;
    sum += s.p(i, j);
    ++count;
  }
  return count ? sum / static_cast<double>(count) : kNaN;
}

struct BestLine {
  double score = kNaN;
  int64_t param = 0;
};

// The sum of the shares and the number of scored rows on each line of keys j + direction * i
// (direction -1: the offsets j - i; +1: the anti-diagonals i + j), at line + origin.
struct LineSums {
  std::vector<double> sums;
  std::vector<size_t> counts;
  int64_t origin = 0;
};

// Row by row, each row's valid keys (a contiguous run) added to consecutive lines, so that each
// row is read once and in order; each line's sum still adds its rows in order. The counts go
// through a difference array: each row adds one to a contiguous run of lines.
LineSums SumLines(const Shares& s, int64_t direction) {
  const int64_t queries = s.queries(), keys = s.keys();
  LineSums lines;
  lines.origin = direction < 0 ? queries - 1 : 0;
  const size_t count = static_cast<size_t>(std::max<int64_t>(0, queries + keys - 1));
  lines.sums.assign(count, 0.0);
  std::vector<int64_t> starts(count + 1, 0);
  for (int64_t i : s.rows()) {
    const int64_t begin = s.masking().first_key, end = s.masking().KeyEnd(i);
    if (end <= begin) continue;
    double* sums = lines.sums.data() + lines.origin + direction * i;
    const double* row = s.row(i);
    for (int64_t j = begin; j < end; ++j) sums[j] += row[j];
    ++starts[static_cast<size_t>(begin + direction * i + lines.origin)];
    --starts[static_cast<size_t>(end + direction * i + lines.origin)];
  }
  lines.counts.resize(count);
  int64_t running = 0;
  for (size_t l = 0; l < count; ++l) lines.counts[l] = static_cast<size_t>(running += starts[l]);
  return lines;
}

// The best of the lines of keys j + direction * i = param, params in order, ties keeping the
// earlier: the mean share on the line over the scored rows where its key is valid. A line counts
// when it covers at least half as many rows as the longest line (and 2): lines through a corner
// are a handful of cells.
BestLine FindBestLine(const Shares& s, const std::vector<int64_t>& params, int64_t direction) {
  const LineSums lines = SumLines(s, direction);
  const auto at = [&](int64_t param) { return static_cast<size_t>(param + lines.origin); };
  const auto rows_on = [&](int64_t param) {  // lines that miss the head cover no row
    return at(param) < lines.counts.size() ? lines.counts[at(param)] : 0;
  };
  size_t longest = 0;
  for (int64_t param : params) longest = std::max(longest, rows_on(param));
  const size_t need = std::max<size_t>(2, (longest + 1) / 2);
  BestLine best;
  for (int64_t param : params) {
    const size_t count = rows_on(param);
    if (count < need) continue;
    const double score = lines.sums[at(param)] / static_cast<double>(count);
    if (std::isnan(best.score) || score > best.score) best = {score, param};
  }
  return best;
}

// Offsets other than 0 and +-1, nearest first, -k before +k.
std::vector<int64_t> OffsetOrder(int64_t keys) {
  std::vector<int64_t> order;
  for (int64_t d = 2; d < keys; ++d) {
    order.push_back(-d);
    order.push_back(d);
  }
  return order;
}

double TopTwo(const double* row, int64_t keys) {
  double first = 0, second = 0;
  for (int64_t j = 0; j < keys; ++j) {
    if (row[j] > first) {
      second = first;
      first = row[j];
    } else if (row[j] > second) {
      second = row[j];
    }
  }
  return first + second;
}

double NormalisedEntropy(const double* row, int64_t keys, int64_t valid_keys) {
  return -simd::SumXLogX(row, static_cast<size_t>(keys)) /
         std::log(static_cast<double>(valid_keys));
}

// How much of row i spreads over the block [a, b] beyond what a uniform row would put there:
// sum over the block's valid keys of min(p_ij, 1/m), minus m / (valid keys of the row).
double BlockRowValue(const Shares& s, int64_t i, int64_t a, int64_t b) {
  const Masking& m = s.masking();
  const int64_t begin = std::max(a, m.first_key), end = std::min(b + 1, m.KeyEnd(i));
  if (end <= begin) return 0;
  const double fair = 1.0 / static_cast<double>(end - begin);
  double overlap = 0;
  for (int64_t j = begin; j < end; ++j) overlap += std::min(s.p(i, j), fair);
  return overlap - static_cast<double>(end - begin) / static_cast<double>(m.ValidKeyCount(i));
}

// The best split of the positions into blocks of kMinBlock..kMaxBlock and loose positions,
// found by dynamic programming over the block ends; the total value over the scored rows.
double BlockScore(const Shares& s, int64_t positions) {
  std::vector<bool> scored(static_cast<size_t>(positions), false);
  for (int64_t i : s.rows()) scored[i] = true;
  std::vector<double> best(static_cast<size_t>(positions + 1), 0.0);
  for (int64_t b = 0; b < positions; ++b) {
    best[b + 1] = best[b];
    for (int64_t a = std::max<int64_t>(0, b - kMaxBlock + 1); a <= b - kMinBlock + 1; ++a) {
      double value = 0;
      for (int64_t i = a; i <= b; ++i) {
        if (scored[i]) value += BlockRowValue(s, i, a, b);
      }
      best[b + 1] = std::max(best[b + 1], best[a] + value);
    }
  }
  return best[positions] / static_cast<double>(s.rows().size());
}

// Block's row value on a band |i - j| <= w that slides with the query, mean over the scored
// rows, best over w (ties keep the smaller), clamped at 0.
BestLine LocalScore(const Shares& s) {
  BestLine best;
  for (int64_t w = kMinWidth; w <= kMaxWidth; ++w) {
    const double score =
        MeanOverRows(s, [&](int64_t i) { return BlockRowValue(s, i, i - w, i + w); });
    if (std::isnan(best.score) || score > best.score) best = {score, w};
  }
  best.score = std::max(best.score, 0.0);
  return best;
}

// The best path of keys through the scored rows that never moves back and stays on one key
// for at most 2 * ceil(queries / keys) rows (so a sink column cannot be the path): mean share.
double AlignScore(const Shares& s, int64_t queries) {
  const int64_t keys = s.keys();
  const int64_t dwell = 2 * ((queries + keys - 1) / keys);
  // path[j * dwell + d]: the best sum of a path now on key j for d + 1 rows.
  std::vector<double> path, next(static_cast<size_t>(keys * dwell));
  for (int64_t i : s.rows()) {
    double before = kNever;  // the best path on a smaller key
    for (int64_t j = 0; j < keys; ++j) {
      const double share = s.valid(i, j) ? s.p(i, j) : kNever;
      double* cell = next.data() + j * dwell;
      std::fill(cell, cell + dwell, kNever);
      if (path.empty()) {
        cell[0] = share;
        continue;
      }
      cell[0] = before + share;
      for (int64_t d = 1; d < dwell; ++d) cell[d] = path[j * dwell + d - 1] + share;
      before = std::max(before, *std::max_element(&path[j * dwell], &path[j * dwell] + dwell));
    }
    path = next;
  }
  return *std::max_element(path.begin(), path.end()) / static_cast<double>(s.rows().size());
}

// Mean share on the earlier copies and on the keys after them, over the rows that have a copy.
void ScoreRepeats(const Shares& s, const PatternContext& context, PatternScores& scores) {
  double duplicate = 0, induction = 0;
  size_t rows = 0;
  for (int64_t i : s.rows()) {
    if (context.copies[i].empty()) continue;
    for (int64_t j : context.copies[i]) duplicate += s.p(i, j);
    for (int64_t j : context.after_copies[i]) induction += s.p(i, j);
    ++rows;
  }
  if (rows < kMinRepeatRows) return;
  At(scores, Pattern::kDuplicate) = duplicate / static_cast<double>(rows);
  At(scores, Pattern::kInduction) = induction / static_cast<double>(rows);
}

void ScorePositional(const Shares& s, const PatternContext& context, PatternScores& scores) {
  At(scores, Pattern::kSelf) = MeanOnKey(s, [](int64_t i) { return i; });
  At(scores, Pattern::kPrevious) = MeanOnKey(s, [](int64_t i) { return i - 1; });
  if (!context.masking.causal) {
    At(scores, Pattern::kNext) = MeanOnKey(s, [](int64_t i) { return i + 1; });
  }
  const BestLine offset = FindBestLine(s, OffsetOrder(context.keys), -1);  // key i + k
  At(scores, Pattern::kOffset) = offset.score;
  if (!std::isnan(offset.score)) scores.offset = offset.param;
  std::vector<int64_t> sums(static_cast<size_t>(std::max<int64_t>(0, 2 * context.keys - 1)));
  std::iota(sums.begin(), sums.end(), 0);
  At(scores, Pattern::kReorder) = FindBestLine(s, sums, +1).score;  // key c - i
  At(scores, Pattern::kBlock) = BlockScore(s, context.queries);
  const BestLine local = LocalScore(s);
  At(scores, Pattern::kLocal) = local.score;
  scores.width = local.param;
  if (!context.copies.empty()) ScoreRepeats(s, context, scores);
}

void ScoreShape(const Shares& s, const PatternContext& context, PatternScores& scores) {
  const int64_t first = context.masking.first_key, keys = context.keys;
  At(scores, Pattern::kFirst) = MeanOverRows(s, [&](int64_t i) { return s.p(i, first); });
  At(scores, Pattern::kPeaked) = MeanOverRows(s, [&](int64_t i) { return TopTwo(s.row(i), keys); });
  At(scores, Pattern::kDiffuse) = MeanOverRows(s, [&](int64_t i) {
    return NormalisedEntropy(s.row(i), keys, context.masking.ValidKeyCount(i));
  });
  if (context.special_keys) {
    At(scores, Pattern::kSpecial) = MeanOverRows(s, [&](int64_t i) {
      double mass = 0;
      for (int64_t j : *context.special_keys) mass += s.p(i, j);
      return mass;
    });
  }
}

std::vector<int64_t> SpecialKeys(const std::vector<std::string>& key_tokens,
                                 const std::optional<std::vector<std::string>>& special_tokens,
                                 int64_t first_key) {
  std::vector<int64_t> keys;
  for (size_t j = 0; j < key_tokens.size(); ++j) {
    const std::string& token = key_tokens[j];
    if (static_cast<int64_t>(j) == first_key) continue;  // the first key is `first`'s
    if (IsSpecialToken(token, special_tokens) || IsSeparator(token)) keys.push_back(int64_t(j));
  }
  return keys;
}

// Earlier copies of each row's token among its valid keys, and the valid keys after them
// (TransformerLens' duplicate-token and induction patterns).
void FindCopies(const std::vector<std::string>& tokens, PatternContext& context) {
  const Masking& m = context.masking;
  context.copies.resize(static_cast<size_t>(context.queries));
  context.after_copies.resize(static_cast<size_t>(context.queries));
  for (int64_t i = 0; i < context.queries; ++i) {
    for (int64_t j = m.first_key; j < std::min(i, m.KeyEnd(i)); ++j) {
      if (tokens[j] != tokens[i]) continue;
      context.copies[i].push_back(j);
      if (m.IsValidKey(i, j + 1)) context.after_copies[i].push_back(j + 1);
    }
  }
}

}  // namespace

PatternContext MakePatternContext(const AttentionTensor& tensor,
                                  const std::optional<std::vector<std::string>>& query_tokens,
                                  const std::optional<std::vector<std::string>>& key_tokens,
                                  const std::optional<std::vector<std::string>>& special_tokens,
                                  int threads) {
  PatternContext context;
  context.queries = tensor.queries();
  context.keys = tensor.keys();
  context.masking =
      FindMasking(tensor, IsCrossAttention(tensor, query_tokens, key_tokens), threads);
  if (key_tokens) {
    context.special_keys = SpecialKeys(*key_tokens, special_tokens, context.masking.first_key);
    if (!context.masking.cross) FindCopies(*key_tokens, context);
  }
  return context;
}

PatternScores ScorePatterns(std::span<const float> head, const PatternContext& context) {
  PatternScores scores;
  scores.scores.fill(kNaN);
  if (!std::all_of(head.begin(), head.end(), [](float v) { return std::isfinite(v); })) {
    return scores;
  }
  const Shares shares(head, context);
  if (shares.rows().empty()) return scores;
  ScoreShape(shares, context, scores);
  if (context.masking.cross) {
    At(scores, Pattern::kAlign) = AlignScore(shares, context.queries);
  } else {
    ScorePositional(shares, context, scores);
  }
  return scores;
}

}  // namespace attnviz
