// What the Graphviz module (attnviz_graphviz.so, built from src/graphviz) offers the program,
// which loads it on first use (render/graph_layout.cc). Linked into the program, libgvc and
// libcgraph with libltdl, libcdt and libpathplan cost every command their loading at start-up;
// only `graph` lays out graphs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/render/geometry.h"

namespace attnviz::graphviz {

using Links = std::vector<std::pair<int64_t, int64_t>>;

struct Module {
  int version;  // kVersion of the module's build: the program refuses another

  // render/graph_layout.h's LayoutGraph with the engine by name ("sfdp", "neato").
  std::vector<Point> (*layout_graph)(int64_t nodes, const Links& links, const std::string& engine,
                                     uint64_t seed);
};

// Raised whenever Module or what it passes changes.
inline constexpr int kVersion = 1;

// The module's function (defined in src/graphviz/graph_layout.cc).
std::vector<Point> LayoutGraph(int64_t nodes, const Links& links, const std::string& engine,
                               uint64_t seed);

}  // namespace attnviz::graphviz

// The module's one exported symbol.
extern "C" const attnviz::graphviz::Module* attnviz_graphviz_module();
