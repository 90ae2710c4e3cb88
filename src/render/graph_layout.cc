// Graph layout through the Graphviz module.
#include "attnviz/render/graph_layout.h"

#include "graphviz/module.h"
#include "io/module_loader.h"

namespace attnviz {

namespace {

// The module, loaded once; without it no layout, so no figure (exit 4).
const graphviz::Module& GraphvizModule() {
  static const ModuleFile file{"attnviz_graphviz.so", "attnviz_graphviz_module", "Graphviz",
                               "graph layout"};
  static const LoadedModule<graphviz::Module> loaded =
      LoadModule<graphviz::Module>(file, graphviz::kVersion);
  return ModuleTable(loaded, file, ErrorKind::kOutput);
}

}  // namespace

std::string GraphEngineName(GraphEngine engine) {
  return engine == GraphEngine::kSfdp ? "sfdp" : "neato";
}

std::vector<Point> LayoutGraph(int64_t nodes, const std::vector<std::pair<int64_t, int64_t>>& links,
                               const GraphLayoutOptions& options) {
  return GraphvizModule().layout_graph(nodes, links, GraphEngineName(options.engine), options.seed);
}

}  // namespace attnviz
