// Graph layout through the Graphviz module.
#include "attnviz/render/graph_layout.h"

#include "graphviz/module.h"
#include "io/module_loader.h"

namespace attnviz {
namespace {

constexpr ModuleFile kGraphviz{"attnviz_graphviz.so", "attnviz_graphviz_module", "Graphviz",
                               "graph layout"};

}  // namespace

std::string GraphEngineName(GraphEngine engine) {
  return engine == GraphEngine::kSfdp ? "sfdp" : "neato";
}

std::vector<Point> LayoutGraph(int64_t nodes, const std::vector<std::pair<int64_t, int64_t>>& links,
                               const GraphLayoutOptions& options) {
  // Without the module no layout, so no figure (exit 4).
  return ModuleTable<graphviz::Module>(kGraphviz, graphviz::kVersion, ErrorKind::kOutput)
      .layout_graph(nodes, links, GraphEngineName(options.engine), options.seed);
}

}  // namespace attnviz
