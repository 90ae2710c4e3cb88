// Alignment-head scores: the order of each token's centre of mass over the frames, and how
// peaked each token's attention is.
#include "attnviz/analysis/alignment_heads.h"

#include <cmath>
#include <string>

#include "attnviz/error.h"

namespace attnviz {

namespace {

// One row divided by its sum, or empty when it holds a non-finite weight or its sum is not
// positive.
std::vector<double> Shares(const Matrix& head, int64_t row) {
  std::vector<double> shares(static_cast<size_t>(head.cols));
  double sum = 0;
  for (int64_t j = 0; j < head.cols; ++j) {
    shares[j] = head.at(row, j);
    if (!std::isfinite(shares[j])) return {};
    sum += shares[j];
  }
  if (!(sum > 0)) return {};
  for (double& share : shares) share /= sum;
  return shares;
}

double CentreOfMass(const std::vector<double>& shares) {
  double centre = 0;
  for (size_t j = 0; j < shares.size(); ++j) centre += static_cast<double>(j) * shares[j];
  return centre;
}

// 1 - entropy / log(frames); a single frame is fully peaked.
double Peakedness(const std::vector<double>& shares) {
  if (shares.size() < 2) return 1;
  double entropy = 0;
  for (double share : shares) {
    if (share > 0) entropy -= share * std::log(share);
  }
  return 1 - entropy / std::log(static_cast<double>(shares.size()));
}

double OrderedShare(const std::vector<double>& centres) {
  double ordered = 0, pairs = 0;
  for (size_t a = 0; a < centres.size(); ++a) {
    for (size_t b = a + 1; b < centres.size(); ++b) {
      ordered += centres[a] < centres[b] ? 1.0 : centres[a] == centres[b] ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return pairs > 0 ? ordered / pairs : 0.5;
}

}  // namespace

AlignmentHeadScore ScoreAlignmentHead(const Matrix& head) {
  std::vector<double> centres;
  double peaked = 0;
  for (int64_t i = 0; i < head.rows; ++i) {
    const std::vector<double> shares = Shares(head, i);
    if (shares.empty()) continue;
    centres.push_back(CentreOfMass(shares));
    peaked += Peakedness(shares);
  }
  AlignmentHeadScore score;
  score.monotonicity = OrderedShare(centres);
  score.peakedness = centres.empty() ? 0 : peaked / static_cast<double>(centres.size());
  score.score = std::max(0.0, 2 * score.monotonicity - 1) * score.peakedness;
  return score;
}

double BoundaryError(const Alignment& alignment, const std::vector<ReferenceSpan>& reference) {
  if (reference.size() != alignment.tokens.size()) {
    ThrowUsageError("the reference has " + std::to_string(reference.size()) +
                    " token timings, the alignment " + std::to_string(alignment.tokens.size()) +
                    " tokens");
  }
  double sum = 0;
  for (size_t t = 0; t < reference.size(); ++t) {
    sum += std::abs(alignment.tokens[t].start_seconds - reference[t].start_seconds) +
           std::abs(alignment.tokens[t].end_seconds - reference[t].end_seconds);
  }
  return reference.empty() ? 0 : sum / static_cast<double>(2 * reference.size());
}

}  // namespace attnviz
