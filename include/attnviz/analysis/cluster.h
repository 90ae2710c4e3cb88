// Grouping heads by how alike they attend (Clark et al. 2019): agglomerative clustering in
// scipy's linkage format, a 2-D map by classical MDS, and the pairs too alike to tell apart.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "attnviz/analysis/head_distance.h"

namespace attnviz {

// How the distance from a merged cluster to the others is updated (Lance-Williams), as in
// scipy: the mean of all pairwise distances, the largest one, or Ward's variance criterion
// (which treats the distances as Euclidean).
enum class Linkage { kAverage, kComplete, kWard };

// One row of a scipy linkage matrix: clusters `a` < `b` merge at `distance` into a cluster of
// `size` heads. Indices below the number of heads n are heads; n + k is the cluster merge k made.
struct Merge {
  int64_t a = 0;
  int64_t b = 0;
  double distance = 0;
  int64_t size = 0;
};

// scipy.cluster.hierarchy.linkage(squareform(D), method) step for step: the nearest-neighbour
// chain, merges sorted stably by distance, clusters then numbered in merge order, so ties come
// out as scipy gives them. n - 1 merges for n heads. Requires finite entries >= 0.
std::vector<Merge> LinkHeads(const HeadDistances& distances, Linkage linkage);

// The heads in dendrogram order, as scipy's dendrogram lists its leaves: from the last merge
// down, the `a` side before the `b` side.
std::vector<int64_t> DendrogramLeaves(std::span<const Merge> merges, int64_t heads);

struct MapPoint {
  double x = 0;
  double y = 0;
};

// Classical (Torgerson) multidimensional scaling: B = -1/2 J D^2 J with J = I - 11^T/n; the
// coordinates are the two leading eigenvectors of B scaled by the square roots of their
// eigenvalues (0 for an eigenvalue <= 0). Each axis's sign makes its first entry of magnitude
// >= 1e-6 times the largest positive. Deterministic, no random starts (unlike SMACOF).
std::vector<MapPoint> ClassicalMds(const HeadDistances& distances);

// Two heads closer than a threshold: `a` < `b` index HeadDistances::heads.
struct HeadPair {
  size_t a = 0;
  size_t b = 0;
  double distance = 0;
};

// Every pair of heads at distance <= `threshold`, closest first (ties in index order).
std::vector<HeadPair> RedundantPairs(const HeadDistances& distances, double threshold);

}  // namespace attnviz
