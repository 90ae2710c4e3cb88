// Agglomerative clustering as scipy does it (nn_chain, then sorting and labelling), dendrogram
// leaf order and redundant pairs.
#include "attnviz/analysis/cluster.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace attnviz {

namespace {

// scipy's Lance-Williams updates (_hierarchy_distance_update.pxi), operation for operation, so
// that distances and therefore ties come out bit for bit the same.
double UpdatedDistance(Linkage linkage, double d_xi, double d_yi, double d_xy, int64_t size_x,
                       int64_t size_y, int64_t size_i) {
  const auto nx = static_cast<double>(size_x), ny = static_cast<double>(size_y),
             ni = static_cast<double>(size_i);
  switch (linkage) {
    case Linkage::kAverage:
      return (nx * d_xi + ny * d_yi) / (nx + ny);
    case Linkage::kComplete:
      return std::max(d_xi, d_yi);
    case Linkage::kWard: {
      const double t = 1.0 / (nx + ny + ni);
      return std::sqrt((ni + nx) * t * d_xi * d_xi + (ni + ny) * t * d_yi * d_yi -
                       ni * t * d_xy * d_xy);
    }
  }
  return 0;
}

// The clusters still alive, their distances and sizes, indexed by the position of their
// first head (scipy's nn_chain keeps a merged cluster at the larger of the two positions).
class ClusterTable {
 public:
  explicit ClusterTable(const HeadDistances& distances)
      : n_(std::ssize(distances.heads)), distance_(distances.values), size_(n_, 1) {}

  double distance(int64_t x, int64_t y) const { return distance_[x * n_ + y]; }
  int64_t size(int64_t x) const { return size_[x]; }
  int64_t count() const { return n_; }

  // The first live cluster.
  int64_t First() const {
    return std::find_if(size_.begin(), size_.end(), [](int64_t s) { return s > 0; }) -
           size_.begin();
  }

  // Merges x into y (x < y) and updates the distances from y to every live cluster.
  void Merge(int64_t x, int64_t y, double d_xy, Linkage linkage) {
    const int64_t nx = size_[x], ny = size_[y];
    size_[x] = 0;
    size_[y] = nx + ny;
    for (int64_t i = 0; i < n_; ++i) {
      if (size_[i] == 0 || i == y) continue;
      const double d =
          UpdatedDistance(linkage, distance(x, i), distance(y, i), d_xy, nx, ny, size_[i]);
      distance_[i * n_ + y] = d;
      distance_[y * n_ + i] = d;
    }
  }

 private:
  int64_t n_;
  std::vector<double> distance_;
  std::vector<int64_t> size_;
};

// The nearest live neighbour of chain's last cluster; the previous link wins ties, so the chain
// never cycles. Returns the neighbour and its distance.
std::pair<int64_t, double> NearestNeighbour(const ClusterTable& table,
                                            const std::vector<int64_t>& chain) {
  const int64_t x = chain.back();
  int64_t y = 0;
  double nearest = INFINITY;
  if (chain.size() > 1) {
    y = chain[chain.size() - 2];
    nearest = table.distance(x, y);
  }
  for (int64_t i = 0; i < table.count(); ++i) {
    if (table.size(i) == 0 || i == x) continue;
    if (table.distance(x, i) < nearest) {
      nearest = table.distance(x, i);
      y = i;
    }
  }
  return {y, nearest};
}

// Merges in the order the nearest-neighbour chain finds them, named by table positions.
std::vector<Merge> ChainMerges(const HeadDistances& distances, Linkage linkage) {
  ClusterTable table(distances);
  std::vector<int64_t> chain;
  std::vector<Merge> merges;
  for (int64_t k = 0; k + 1 < table.count(); ++k) {
    if (chain.empty()) chain.push_back(table.First());
    while (true) {
      const auto [y, nearest] = NearestNeighbour(table, chain);
      if (chain.size() > 1 && y == chain[chain.size() - 2]) {
        const int64_t x = chain.back();
        chain.resize(chain.size() - 2);
        const int64_t low = std::min(x, y), high = std::max(x, y);
        merges.push_back({low, high, nearest, table.size(low) + table.size(high)});
        table.Merge(low, high, nearest, linkage);
        break;
      }
      chain.push_back(y);
    }
  }
  return merges;
}

// scipy's LinkageUnionFind: every cluster points at the one it merged into.
class UnionFind {
 public:
  explicit UnionFind(int64_t n) : parent_(2 * n - 1), size_(2 * n - 1, 1), next_(n) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }

  int64_t Find(int64_t x) {
    int64_t root = x;
    while (parent_[root] != root) root = parent_[root];
    while (parent_[x] != root) x = std::exchange(parent_[x], root);
    return root;
  }

  int64_t Union(int64_t x, int64_t y) {
    parent_[x] = parent_[y] = next_;
    size_[next_] = size_[x] + size_[y];
    return size_[next_++];
  }

 private:
  std::vector<int64_t> parent_;
  std::vector<int64_t> size_;
  int64_t next_;
};

// Table positions to cluster numbers: merge k's cluster is n + k (scipy's `label`).
void LabelClusters(std::vector<Merge>& merges, int64_t n) {
  UnionFind clusters(n);
  for (Merge& merge : merges) {
    const int64_t a = clusters.Find(merge.a), b = clusters.Find(merge.b);
    merge.a = std::min(a, b);
    merge.b = std::max(a, b);
    merge.size = clusters.Union(a, b);
  }
}

}  // namespace

std::vector<Merge> LinkHeads(const HeadDistances& distances, Linkage linkage) {
  std::vector<Merge> merges = ChainMerges(distances, linkage);
  std::stable_sort(merges.begin(), merges.end(),
                   [](const Merge& x, const Merge& y) { return x.distance < y.distance; });
  LabelClusters(merges, std::ssize(distances.heads));
  return merges;
}

std::vector<int64_t> DendrogramLeaves(std::span<const Merge> merges, int64_t heads) {
  std::vector<int64_t> leaves;
  std::vector<int64_t> pending = {merges.empty() ? 0 : heads + std::ssize(merges) - 1};
  while (!pending.empty()) {
    const int64_t cluster = pending.back();
    pending.pop_back();
    if (cluster < heads) {
      leaves.push_back(cluster);
      continue;
    }
    const Merge& merge = merges[cluster - heads];
    pending.push_back(merge.b);  // visited after everything under `a`
    pending.push_back(merge.a);
  }
  return leaves;
}

std::vector<HeadPair> RedundantPairs(const HeadDistances& distances, double threshold) {
  std::vector<HeadPair> pairs;
  for (size_t a = 0; a < distances.size(); ++a) {
    for (size_t b = a + 1; b < distances.size(); ++b) {
      if (distances.at(a, b) <= threshold) pairs.push_back({a, b, distances.at(a, b)});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const HeadPair& x, const HeadPair& y) { return x.distance < y.distance; });
  return pairs;
}

}  // namespace attnviz
