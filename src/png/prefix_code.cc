// Huffman's lengths when none is too long, which is the common case and the cheap one; otherwise
// package-merge (Larmore and Hirschberg 1990), which is optimal under the limit. On 286 symbols
// it takes a few thousand list items, ten times the Huffman pass but still a few microseconds.
#include "prefix_code.h"

#include <algorithm>
#include <array>
#include <cassert>

namespace attnviz {
namespace {

struct Coin {
  uint64_t weight = 0;
  int symbol = -1;  // -1: a package of two coins from the list below
};

// The used symbols by increasing frequency (ties by symbol, so that the result is deterministic),
// at least two of them.
std::vector<Coin> Leaves(std::span<const uint64_t> frequencies) {
  std::vector<Coin> leaves;
  for (size_t symbol = 0; symbol < frequencies.size(); ++symbol) {
    if (frequencies[symbol] > 0) leaves.push_back({frequencies[symbol], static_cast<int>(symbol)});
  }
  for (size_t symbol = 0; leaves.size() < 2 && symbol < frequencies.size(); ++symbol) {
    if (frequencies[symbol] == 0) leaves.push_back({1, static_cast<int>(symbol)});
  }
  std::sort(leaves.begin(), leaves.end(), [](const Coin& a, const Coin& b) {
    return a.weight != b.weight ? a.weight < b.weight : a.symbol < b.symbol;
  });
  return leaves;
}

// The leaves merged with the pairs of `below`, lightest first; on equal weight, leaves first.
std::vector<Coin> PackageAndMerge(const std::vector<Coin>& leaves, const std::vector<Coin>& below) {
  std::vector<Coin> packages;
  for (size_t i = 0; i + 1 < below.size(); i += 2) {
    packages.push_back({below[i].weight + below[i + 1].weight, -1});
  }
  std::vector<Coin> merged(leaves.size() + packages.size());
  std::merge(leaves.begin(), leaves.end(), packages.begin(), packages.end(), merged.begin(),
             [](const Coin& a, const Coin& b) { return a.weight < b.weight; });
  return merged;
}

// Huffman's code lengths in place (Moffat and Katajainen 1995), in three passes over weights in
// increasing order. The first pairs nodes left to right: a[i] for i < n - 1 becomes the weight of
// internal node i, then, once that node is paired, the index of its parent.
void PairNodes(std::vector<uint64_t>& a) {
  size_t n = a.size();
  a[0] += a[1];
  size_t root = 0, leaf = 2;
  for (size_t next = 1; next + 1 < n; ++next) {
    if (leaf >= n || a[root] < a[leaf]) {
      a[next] = a[root];
      a[root++] = next;
    } else {
      a[next] = a[leaf++];
    }
    if (leaf >= n || (root < next && a[root] < a[leaf])) {
      a[next] += a[root];
      a[root++] = next;
    } else {
      a[next] += a[leaf++];
    }
  }
}

// The second pass: each internal node's depth, from the root (node n - 2) down.
void InternalDepths(std::vector<uint64_t>& a) {
  size_t n = a.size();
  a[n - 2] = 0;
  for (size_t next = n - 2; next-- > 0;) a[next] = a[a[next]] + 1;
}

// The third pass: at each depth, the slots internal nodes leave free go to leaves, heaviest
// first, overwriting a right to left.
void LeafDepths(std::vector<uint64_t>& a) {
  size_t available = 1, used = 0, depth = 0;
  size_t internal = a.size() - 1;  // one past the next internal node to count
  size_t next = a.size();          // one past the next leaf to receive a depth
  while (available > 0) {
    while (internal > 0 && a[internal - 1] == depth) {
      ++used;
      --internal;
    }
    for (; available > used; --available) a[--next] = depth;
    available = 2 * used;
    ++depth;
    used = 0;
  }
}

std::vector<uint8_t> HuffmanLengths(const std::vector<Coin>& leaves, size_t symbols) {
  std::vector<uint64_t> work(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) work[i] = leaves[i].weight;
  PairNodes(work);
  InternalDepths(work);
  LeafDepths(work);
  std::vector<uint8_t> lengths(symbols, 0);
  for (size_t i = 0; i < leaves.size(); ++i) {
    lengths[static_cast<size_t>(leaves[i].symbol)] =
        static_cast<uint8_t>(std::min<uint64_t>(work[i], 255));
  }
  return lengths;
}

std::vector<uint8_t> PackageMergeLengths(const std::vector<Coin>& leaves, size_t symbols,
                                         int max_length) {
  std::vector<std::vector<Coin>> lists{leaves};
  for (int level = 1; level < max_length; ++level) {
    lists.push_back(PackageAndMerge(leaves, lists.back()));
  }
  // The cheapest 2n - 2 coins of the last list; each time a leaf is among them, directly or
  // inside a chosen package, its code grows by one bit.
  std::vector<uint8_t> lengths(symbols, 0);
  size_t chosen = 2 * leaves.size() - 2;
  for (auto list = lists.rbegin(); list != lists.rend(); ++list) {
    assert(chosen <= list->size());
    size_t packages = 0;
    for (size_t i = 0; i < chosen; ++i) {
      const Coin& coin = (*list)[i];
      if (coin.symbol < 0) {
        ++packages;
      } else {
        ++lengths[static_cast<size_t>(coin.symbol)];
      }
    }
    chosen = 2 * packages;
  }
  return lengths;
}

}  // namespace

std::vector<uint8_t> LimitedCodeLengths(std::span<const uint64_t> frequencies, int max_length) {
  assert(max_length >= 1 && max_length <= 15 && frequencies.size() >= 2);
  assert(frequencies.size() <= (size_t{1} << max_length));
  std::vector<Coin> leaves = Leaves(frequencies);
  // The lightest leaf gets the longest code.
  std::vector<uint8_t> lengths = HuffmanLengths(leaves, frequencies.size());
  if (lengths[static_cast<size_t>(leaves.front().symbol)] <= max_length) return lengths;
  return PackageMergeLengths(leaves, frequencies.size(), max_length);
}

std::vector<uint16_t> CanonicalCodes(std::span<const uint8_t> lengths) {
  std::array<uint16_t, 16> count{};
  for (uint8_t length : lengths) ++count[length];
  count[0] = 0;
  std::array<uint16_t, 16> next{};
  for (size_t bits = 1; bits < next.size(); ++bits) {
    next[bits] = static_cast<uint16_t>((next[bits - 1] + count[bits - 1]) << 1);
  }
  std::vector<uint16_t> codes(lengths.size(), 0);
  for (size_t symbol = 0; symbol < lengths.size(); ++symbol) {
    int length = lengths[symbol];
    if (length == 0) continue;
    uint32_t code = next[static_cast<size_t>(length)]++;
    uint32_t reversed = 0;
    for (int bit = 0; bit < length; ++bit) reversed |= ((code >> bit) & 1) << (length - 1 - bit);
    codes[symbol] = static_cast<uint16_t>(reversed);
  }
  return codes;
}

}  // namespace attnviz
