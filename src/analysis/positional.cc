// Positional scores: each head's mean share by key class over every input (pass 1), then the
// overlap of every row with that profile (pass 2).
#include "attnviz/analysis/positional.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "analysis/stats_masking.h"
#include "analysis/stats_parallel.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

using Profile = PositionalScores::Profile;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The shares of row `i` over its valid keys (weights divided by their sum), or false when the row
// is not scored: not a real token, fewer than two valid keys, a non-finite weight, no mass.
bool RowShares(HeadRows& rows, const Masking& masking, int64_t i, std::vector<double>& shares) {
  if (!masking.IsRealRow(i) || masking.ValidKeyCount(i) < 2) return false;
  const float* row = rows.Row(i);
  const int64_t first = masking.first_key, end = masking.KeyEnd(i);
  double sum = 0;
  for (int64_t j = first; j < end; ++j) {
    if (!std::isfinite(row[j])) return false;
    sum += row[j];
  }
  if (!(sum > 0)) return false;
  shares.resize(static_cast<size_t>(end - first));
  for (int64_t j = first; j < end; ++j) shares[j - first] = row[j] / sum;
  return true;
}

void Grow(PositionalScores::OffsetSums& sums, int64_t from, int64_t radius) {
  std::vector<double> sum(static_cast<size_t>(2 * radius + 1), 0.0);
  std::vector<int64_t> count(sum.size(), 0);
  for (size_t at = 0; at < sums.sum.size(); ++at) {
    sum[at + radius - from] = sums.sum[at];
    count[at + radius - from] = sums.count[at];
  }
  sums.sum = std::move(sum);
  sums.count = std::move(count);
}

void Grow(Profile& profile, int64_t radius) {
  if (radius <= profile.radius && !profile.other.sum.empty()) return;
  radius = std::max(radius, profile.radius);
  for (auto* sums : {&profile.first, &profile.last, &profile.other}) {
    Grow(*sums, profile.radius, radius);
  }
  profile.radius = radius;
}

// Calls visit(sum, count) with the accumulators of key `j`'s class for row `i`: the first real
// key, the last real key or any other key, at the offset j - i.
template <typename Visit>
void VisitClass(Profile& profile, const Masking& masking, int64_t i, int64_t j, Visit visit) {
  PositionalScores::OffsetSums& sums = j == masking.first_key     ? profile.first
                                       : j == masking.end_key - 1 ? profile.last
                                                                  : profile.other;
  const auto at = static_cast<size_t>(j - i + profile.radius);
  visit(sums.sum[at], sums.count[at]);
}

void AddRowToProfile(Profile& profile, const Masking& masking, int64_t i,
                     const std::vector<double>& shares) {
  for (size_t k = 0; k < shares.size(); ++k) {
    VisitClass(profile, masking, i, masking.first_key + static_cast<int64_t>(k),
               [&](double& sum, int64_t& count) {
                 sum += shares[k];
                 ++count;
               });
  }
}

// Σ_j min(share_ij, expected_ij), the expected shares being the profile's means on row i's valid
// keys, renormalised to sum to 1 (0 when the profile has no mass there).
double Overlap(Profile& profile, const Masking& masking, int64_t i,
               const std::vector<double>& shares, std::vector<double>& expected) {
  expected.resize(shares.size());
  double total = 0;
  for (size_t k = 0; k < shares.size(); ++k) {
    VisitClass(profile, masking, i, masking.first_key + static_cast<int64_t>(k),
               [&](double& mean, int64_t&) { expected[k] = mean; });
    total += expected[k];
  }
  if (!(total > 0)) return 0;
  double overlap = 0;
  for (size_t k = 0; k < shares.size(); ++k) overlap += std::min(shares[k], expected[k] / total);
  return overlap;
}

std::string OffsetName(int64_t offset) {
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false positive, bug 105651) on
  // "+" + string.
  std::string name = offset > 0 ? "+" : "";
  name += std::to_string(offset);
  return name;
}

// The mean share of the first (last) key over every row, whatever its offset: the sums weighted
// by their counts. Needs the means of FinishProfiles.
std::pair<double, int64_t> PooledMean(const PositionalScores::OffsetSums& sums) {
  double total = 0;
  int64_t count = 0;
  for (size_t at = 0; at < sums.sum.size(); ++at) {
    total += sums.sum[at] * static_cast<double>(sums.count[at]);
    count += sums.count[at];
  }
  return {count ? total / static_cast<double>(count) : 0.0, count};
}

// The class with the largest mean share: the first key, the last key, then the other keys by
// offset (those held by at least half as many rows as the most held), by abs(offset), - before
// +; the earlier wins ties.
void FindDominant(const Profile& profile, HeadPositional& result) {
  if (profile.other.sum.empty()) return;  // no self-attention input
  auto consider = [&](double mean, int64_t count, const std::string& name) {
    if (count > 0 && (result.dominant.empty() || mean > result.dominant_share)) {
      result.dominant = name;
      result.dominant_share = mean;
    }
  };
  const auto [first, first_count] = PooledMean(profile.first);
  const auto [last, last_count] = PooledMean(profile.last);
  consider(first, first_count, "first");
  consider(last, last_count, "last");
  // An offset that few rows have (far from the diagonal) is no pattern, whatever its mean.
  const int64_t most = *std::max_element(profile.other.count.begin(), profile.other.count.end());
  for (int64_t distance = 0; distance <= profile.radius; ++distance) {
    for (int64_t offset : {-distance, distance}) {
      const auto at = static_cast<size_t>(offset + profile.radius);
      const int64_t count = 2 * profile.other.count[at] >= most ? profile.other.count[at] : 0;
      consider(profile.other.sum[at], count, OffsetName(offset));
      if (distance == 0) break;
    }
  }
}

// The masking of a self-attention input, every profile grown to hold its offsets; none for
// cross-attention, whose query and key positions are not comparable.
std::optional<Masking> PrepareInput(const AttentionTensor& tensor,
                                    const std::optional<std::vector<std::string>>& query_tokens,
                                    const std::optional<std::vector<std::string>>& key_tokens,
                                    int threads, std::vector<Profile>& profiles) {
  if (IsCrossAttention(tensor, query_tokens, key_tokens)) return std::nullopt;
  for (Profile& profile : profiles) Grow(profile, std::max(tensor.queries(), tensor.keys()));
  return FindMasking(tensor, false, threads);
}

}  // namespace

void PositionalScores::CheckShape(const AttentionTensor& tensor, const std::string& name) {
  if (layers_ < 0) {
    layers_ = tensor.layers();
    heads_ = tensor.heads();
    profiles_.resize(static_cast<size_t>(layers_ * heads_));
    return;
  }
  if (tensor.layers() != layers_ || tensor.heads() != heads_) {
    ThrowInputError(name, "expected " + std::to_string(layers_) + " layers x " +
                              std::to_string(heads_) + " heads as in the first input, found " +
                              std::to_string(tensor.layers()) + " x " +
                              std::to_string(tensor.heads()));
  }
}

void PositionalScores::AddProfile(const AttentionTensor& tensor,
                                  const std::optional<std::vector<std::string>>& query_tokens,
                                  const std::optional<std::vector<std::string>>& key_tokens,
                                  const std::string& name) {
  CheckShape(tensor, name);
  const std::optional<Masking> input =
      PrepareInput(tensor, query_tokens, key_tokens, threads_, profiles_);
  if (!input) return;
  const Masking& masking = *input;
  ForEachHeadRowsOf(tensor, AllHeads(tensor), threads_,
                    [&](int64_t index, int64_t, int64_t, HeadRows& rows) {
                      std::vector<double> shares;
                      for (int64_t i = 0; i < tensor.queries(); ++i) {
                        if (RowShares(rows, masking, i, shares)) {
                          AddRowToProfile(profiles_[index], masking, i, shares);
                        }
                      }
                    });
}

void PositionalScores::FinishProfiles() {
  if (profiles_finished_) return;
  profiles_finished_ = true;
  for (Profile& profile : profiles_) {
    for (auto* sums : {&profile.first, &profile.last, &profile.other}) {
      for (size_t at = 0; at < sums->sum.size(); ++at) {
        if (sums->count[at]) sums->sum[at] /= static_cast<double>(sums->count[at]);
      }
    }
  }
}

void PositionalScores::AddScore(const AttentionTensor& tensor,
                                const std::optional<std::vector<std::string>>& query_tokens,
                                const std::optional<std::vector<std::string>>& key_tokens,
                                const std::string& name) {
  CheckShape(tensor, name);
  FinishProfiles();
  const std::optional<Masking> input =
      PrepareInput(tensor, query_tokens, key_tokens, threads_, profiles_);
  if (!input) return;
  const Masking& masking = *input;
  ForEachHeadRowsOf(tensor, AllHeads(tensor), threads_,
                    [&](int64_t index, int64_t, int64_t, HeadRows& rows) {
                      Profile& profile = profiles_[index];
                      std::vector<double> shares, expected;
                      for (int64_t i = 0; i < tensor.queries(); ++i) {
                        if (!RowShares(rows, masking, i, shares)) continue;
                        profile.overlap_sum += Overlap(profile, masking, i, shares, expected);
                        ++profile.rows;
                      }
                    });
}

std::vector<HeadPositional> PositionalScores::Results() const {
  std::vector<HeadPositional> results;
  for (size_t index = 0; index < profiles_.size(); ++index) {
    const Profile& profile = profiles_[index];
    HeadPositional result;
    result.layer = static_cast<int64_t>(index) / heads_;
    result.head = static_cast<int64_t>(index) % heads_;
    result.rows = profile.rows;
    result.score = profile.rows ? profile.overlap_sum / static_cast<double>(profile.rows) : kNaN;
    if (profiles_finished_) FindDominant(profile, result);
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace attnviz
