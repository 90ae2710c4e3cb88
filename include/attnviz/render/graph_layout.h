// Node positions for graph figures, computed by Graphviz (sfdp or neato through libgvc).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/render/geometry.h"

namespace attnviz {

enum class GraphEngine { kSfdp, kNeato };

// "sfdp", "neato".
std::string GraphEngineName(GraphEngine engine);

struct GraphLayoutOptions {
  GraphEngine engine = GraphEngine::kSfdp;
  uint64_t seed = 1;  // Graphviz's `start`: the same seed gives the same positions
};

// Positions (in Graphviz points, y up) of `nodes` nodes joined by the undirected `links` (pairs of
// node indices; duplicates and self-loops are ignored). Up to 2,000 nodes, overlapping nodes are
// moved apart (overlap=prism); beyond, overlaps are left as they fall (overlap=true): removing
// them costs more than the whole layout at 10,000 nodes. Not thread-safe: Graphviz keeps global
// state, so call from one thread at a time. Throws an output Error when the Graphviz module
// (attnviz_graphviz.so) cannot be loaded.
std::vector<Point> LayoutGraph(int64_t nodes, const std::vector<std::pair<int64_t, int64_t>>& links,
                               const GraphLayoutOptions& options);

}  // namespace attnviz
