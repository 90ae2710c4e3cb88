// Line selection: per-row top-k, a weight floor, and a global cap kept with a bounded heap so a
// 4096 x 4096 head never materialises its 16 million candidates.
#include "arrows_lines.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <tuple>

namespace attnviz {
namespace {

// Weaker lines sort first; equal weights by position, so every run picks the same lines.
bool Weaker(const ArrowsLine& a, const ArrowsLine& b) {
  if (a.weight != b.weight) return a.weight < b.weight;
  return std::tie(b.head, b.query, b.key) < std::tie(a.head, a.query, a.key);
}

// Drawing order: weakest first; ties in head, query, key order.
bool DrawnBefore(const ArrowsLine& a, const ArrowsLine& b) {
  if (a.weight != b.weight) return a.weight < b.weight;
  return std::tie(a.head, a.query, a.key) < std::tie(b.head, b.query, b.key);
}

// Keeps the `limit` strongest lines offered (all of them when limit is 0).
class StrongestLines {
 public:
  explicit StrongestLines(int64_t limit) : limit_(limit) {}

  void Offer(const ArrowsLine& line) {
    if (limit_ == 0 || static_cast<int64_t>(heap_.size()) < limit_) {
      heap_.push_back(line);
      if (limit_ > 0) std::push_heap(heap_.begin(), heap_.end(), Stronger);
      return;
    }
    if (!Weaker(heap_.front(), line)) return;
    std::pop_heap(heap_.begin(), heap_.end(), Stronger);
    heap_.back() = line;
    std::push_heap(heap_.begin(), heap_.end(), Stronger);
  }

  std::vector<ArrowsLine> TakeInDrawingOrder() {
    std::sort(heap_.begin(), heap_.end(), DrawnBefore);
    return std::move(heap_);
  }

 private:
  // A min-heap on strength: the weakest kept line is at the front.
  static bool Stronger(const ArrowsLine& a, const ArrowsLine& b) { return Weaker(b, a); }

  int64_t limit_;
  std::vector<ArrowsLine> heap_;
};

// The candidate lines of one query row of one head, strongest first, top_k of them.
void RowCandidates(const ArrowsSpec& spec, int head, int64_t query, float floor,
                   std::vector<ArrowsLine>& row, int64_t& nonfinite) {
  row.clear();
  const Matrix& weights = spec.heads[head].weights;
  for (int64_t key = 0; key < weights.cols; ++key) {
    float weight = weights.at(query, key);
    if (!std::isfinite(weight)) {
      ++nonfinite;
    } else if (weight >= floor && weight > 0) {
      row.push_back({query, key, head, weight});
    }
  }
  if (spec.top_k > 0 && static_cast<int64_t>(row.size()) > spec.top_k) {
    auto stronger = [](const ArrowsLine& a, const ArrowsLine& b) { return Weaker(b, a); };
    std::nth_element(row.begin(), row.begin() + spec.top_k, row.end(), stronger);
    row.resize(spec.top_k);
  }
}

}  // namespace

double LargestWeight(const std::vector<ArrowsHead>& heads) {
  double largest = 0;
  for (const ArrowsHead& head : heads) {
    for (float weight : head.weights.values) {
      if (std::isfinite(weight)) largest = std::max(largest, static_cast<double>(weight));
    }
  }
  return largest;
}

LineSelection SelectLines(const ArrowsSpec& spec, double vmax) {
  // Below 1/256 of vmax a line's opacity rounds to nothing in 8-bit output.
  float floor = static_cast<float>(std::max(spec.min_weight, vmax / 256));
  LineSelection selection;
  StrongestLines strongest(spec.max_lines);
  std::vector<ArrowsLine> row;
  for (int head = 0; head < static_cast<int>(spec.heads.size()); ++head) {
    for (int64_t query = 0; query < spec.heads[head].weights.rows; ++query) {
      RowCandidates(spec, head, query, floor, row, selection.nonfinite);
      selection.selected += static_cast<int64_t>(row.size());
      for (const ArrowsLine& line : row) strongest.Offer(line);
    }
  }
  selection.lines = strongest.TakeInDrawingOrder();
  return selection;
}

double LineOpacity(float weight, double vmax) { return std::clamp(weight / vmax, 0.0, 1.0); }

double LineWidth(float weight, double vmax, double max_width) {
  return max_width * (0.25 + 0.75 * LineOpacity(weight, vmax));
}

}  // namespace attnviz
