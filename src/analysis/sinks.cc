// Sink masses: each input's heads read once, row masses and column means added to per-head sums.
#include "attnviz/analysis/sinks.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/stats_masking.h"
#include "analysis/stats_parallel.h"
#include "analysis/stats_tokens.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

using Sums = SinkMasses::Sums;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What each key of one input is: its role as a sink, and its token classes.
struct KeyRoles {
  bool tokens = false;
  std::vector<std::string> role;     // "[SEP]", ".", "first", "last" or "other"
  std::vector<std::string> special;  // the special token's text, else empty
  std::vector<bool> punct;
};

std::string PositionRole(int64_t key, const Masking& masking) {
  if (key == masking.first_key) return "first";
  if (key == masking.end_key - 1) return "last";
  return "other";
}

KeyRoles FindKeyRoles(const std::optional<std::vector<std::string>>& key_tokens,
                      const Masking& masking, int64_t keys, const SinksOptions& options) {
  KeyRoles roles;
  roles.tokens = key_tokens.has_value();
  roles.special.resize(static_cast<size_t>(keys));
  roles.punct.resize(static_cast<size_t>(keys), false);
  for (int64_t j = 0; j < keys; ++j) {
    std::string role = PositionRole(j, masking);
    if (roles.tokens) {
      const std::string& token = (*key_tokens)[j];
      roles.punct[j] = IsPunctuation(token);  // a token may be both, as in stats
      if (IsSpecialToken(token, options.special_tokens)) {
        roles.special[j] = token;
        role = token;
      } else if (roles.punct[j]) {
        role = std::string(StripTokenMarkers(token));
      }
    }
    roles.role.push_back(std::move(role));
  }
  return roles;
}

// Adds the masses of row `row` (query `i`) over its valid keys; false for a row holding a
// non-finite weight, which takes no part.
bool AddRow(const float* row, int64_t i, const Masking& masking, const KeyRoles& roles, Sums& sums,
            std::vector<double>& columns) {
  const int64_t first = masking.first_key, end = masking.KeyEnd(i);
  for (int64_t j = first; j < end; ++j) {
    if (!std::isfinite(row[j])) return false;
  }
  sums.first += first < end ? row[first] : 0.0;
  for (int64_t j = first; j < end; ++j) {
    columns[j] += row[j];
    if (!roles.tokens) continue;
    if (!roles.special[j].empty()) {
      sums.special += row[j];
      sums.by_token[roles.special[j]] += row[j];
    }
    if (roles.punct[j]) sums.punct += row[j];
  }
  ++sums.rows;
  if (roles.tokens) ++sums.token_rows;
  return true;
}

// The key with the largest column mean (the lowest on ties) names this input's sink.
void AddSink(const std::vector<double>& columns, int64_t rows, const KeyRoles& roles, Sums& sums) {
  if (rows == 0) return;
  const auto top = std::max_element(columns.begin(), columns.end()) - columns.begin();
  sums.sink_mass += columns[top] / static_cast<double>(rows);
  ++sums.sink_roles[roles.role[top]];
  ++sums.inputs;
}

double MeanOf(double sum, int64_t count) { return count ? sum / static_cast<double>(count) : kNaN; }

// numpy.percentile's default (linear) on sorted values.
double Percentile(const std::vector<double>& sorted, double percent) {
  const double at = percent / 100 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(at));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (at - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

void SinkMasses::Add(const AttentionTensor& tensor,
                     const std::optional<std::vector<std::string>>& query_tokens,
                     const std::optional<std::vector<std::string>>& key_tokens,
                     const std::string& name) {
  if (layers_ < 0) {
    layers_ = tensor.layers();
    heads_ = tensor.heads();
    sums_.resize(static_cast<size_t>(layers_ * heads_));
  } else if (tensor.layers() != layers_ || tensor.heads() != heads_) {
    ThrowInputError(name, "expected " + std::to_string(layers_) + " layers x " +
                              std::to_string(heads_) + " heads as in the first input, found " +
                              std::to_string(tensor.layers()) + " x " +
                              std::to_string(tensor.heads()));
  }
  const bool cross = IsCrossAttention(tensor, query_tokens, key_tokens);
  const Masking masking = FindMasking(tensor, cross, options_.threads);
  const KeyRoles roles = FindKeyRoles(key_tokens, masking, tensor.keys(), options_);
  for (int64_t j = masking.first_key; j < masking.end_key; ++j) {
    if (!roles.special[j].empty()) special_seen_.insert(roles.special[j]);
  }
  if (roles.tokens && masking.first_key < masking.end_key) {
    first_texts_.insert((*key_tokens)[masking.first_key]);
  }
  ForEachHeadRowsOf(tensor, AllHeads(tensor), options_.threads,
                    [&](int64_t index, int64_t, int64_t, HeadRows& rows) {
                      Sums& sums = sums_[index];
                      std::vector<double> columns(static_cast<size_t>(tensor.keys()), 0.0);
                      int64_t added = 0;
                      for (int64_t i = 0; i < tensor.queries(); ++i) {
                        if (!masking.IsRealRow(i)) continue;
                        added += AddRow(rows.Row(i), i, masking, roles, sums, columns);
                      }
                      AddSink(columns, added, roles, sums);
                    });
}

std::vector<std::string> SinkMasses::SpecialTokens() const {
  return {special_seen_.begin(), special_seen_.end()};
}

std::vector<HeadSinks> SinkMasses::Results() const {
  std::vector<HeadSinks> results;
  for (size_t index = 0; index < sums_.size(); ++index) {
    const Sums& sums = sums_[index];
    HeadSinks head;
    head.layer = static_cast<int64_t>(index) / heads_;
    head.head = static_cast<int64_t>(index) % heads_;
    head.first = MeanOf(sums.first, sums.rows);
    head.special = MeanOf(sums.special, sums.token_rows);
    head.punct = MeanOf(sums.punct, sums.token_rows);
    for (const std::string& token : special_seen_) {
      const auto found = sums.by_token.find(token);
      head.by_token[token] =
          MeanOf(found == sums.by_token.end() ? 0 : found->second, sums.token_rows);
    }
    int64_t most = 0;
    for (const auto& [role, count] : sums.sink_roles) {
      if (count > most) {
        most = count;
        head.sink = role;
      }
    }
    head.sink_inputs = MeanOf(static_cast<double>(most), sums.inputs);
    head.sink_mass = MeanOf(sums.sink_mass, sums.inputs);
    head.rows = sums.rows;
    head.inputs = sums.inputs;
    results.push_back(std::move(head));
  }
  return results;
}

std::vector<LayerSpread> SpreadByLayer(const std::vector<double>& per_head, int64_t heads) {
  std::vector<LayerSpread> layers;
  if (heads <= 0) return layers;
  const auto step = static_cast<size_t>(heads);
  for (size_t first = 0; first + step <= per_head.size(); first += step) {
    std::vector<double> values(per_head.begin() + first, per_head.begin() + first + step);
    std::erase_if(values, [](double v) { return std::isnan(v); });
    if (values.empty()) {
      layers.push_back({kNaN, kNaN, kNaN});
      continue;
    }
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double v : values) sum += v;
    layers.push_back(
        {sum / static_cast<double>(values.size()), Percentile(values, 25), Percentile(values, 75)});
  }
  return layers;
}

}  // namespace attnviz
