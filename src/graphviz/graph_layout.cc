// Graph layout through Graphviz's library: build a cgraph graph, run sfdp or neato, read back
// each node's position (the Graphviz module's side of render/graph_layout.h).
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>

#include "attnviz/error.h"
#include "graphviz/module.h"

namespace attnviz::graphviz {

namespace {

constexpr int64_t kMaxSpacedNodes = 2000;

// Graphviz's warnings ("Warning: ... ") go nowhere: they are about attributes we set ourselves.
int IgnoreGraphvizMessage(char*) { return 0; }

struct GraphvizContext {
  GVC_t* gvc = nullptr;
  Agraph_t* graph = nullptr;
  ~GraphvizContext() {
    if (graph) {
      gvFreeLayout(gvc, graph);
      agclose(graph);
    }
    if (gvc) gvFreeContext(gvc);
  }
};

void SetGraphAttribute(Agraph_t* graph, const char* name, const std::string& value) {
  agattr(graph, AGRAPH, const_cast<char*>(name), const_cast<char*>(value.c_str()));
}

void SetNodeDefault(Agraph_t* graph, const char* name, const char* value) {
  agattr(graph, AGNODE, const_cast<char*>(name), const_cast<char*>(value));
}

void BuildGraph(Agraph_t* graph, int64_t nodes, const Links& links, std::vector<Agnode_t*>& out) {
  for (int64_t n = 0; n < nodes; ++n) {
    out.push_back(agnode(graph, const_cast<char*>(std::to_string(n).c_str()), 1));
  }
  std::set<std::pair<int64_t, int64_t>> seen;
  for (auto [a, b] : links) {
    if (a == b) continue;
    if (a > b) std::swap(a, b);
    if (seen.insert({a, b}).second) agedge(graph, out[a], out[b], nullptr, 1);
  }
}

}  // namespace

std::vector<Point> LayoutGraph(int64_t nodes, const Links& links, const std::string& engine,
                               uint64_t seed) {
  static std::mutex graphviz;  // global state inside Graphviz
  const std::lock_guard<std::mutex> lock(graphviz);
  agseterrf(IgnoreGraphvizMessage);
  agseterr(AGMAX);
  GraphvizContext context;
  context.gvc = gvContext();
  context.graph = agopen(const_cast<char*>("attention"), Agundirected, nullptr);
  SetGraphAttribute(context.graph, "start", std::to_string(seed));
  // Overlap removal spaces crowded nodes apart (each node a 0.25 in disc), but beyond a few
  // thousand nodes it costs more than the layout itself.
  const bool spaced = nodes <= kMaxSpacedNodes;
  SetGraphAttribute(context.graph, "overlap", spaced ? "prism" : "true");
  SetGraphAttribute(context.graph, "splines", "false");
  // sfdp's Barnes-Hut quadtree: "fast" cut its time by 40 % at 10,000 nodes
  // (scripts/bench/graph.sh).
  if (!spaced) SetGraphAttribute(context.graph, "quadtree", "fast");
  SetNodeDefault(context.graph, "shape", "point");
  SetNodeDefault(context.graph, "width", spaced ? "0.25" : "0.05");
  std::vector<Agnode_t*> handles;
  BuildGraph(context.graph, nodes, links, handles);
  if (gvLayout(context.gvc, context.graph, engine.c_str()) != 0) {
    context.graph = (agclose(context.graph), nullptr);
    throw Error(ErrorKind::kUsage,
                "Graphviz could not lay out the graph with " + engine +
                    " (is its layout plugin installed? see scripts/install-deps.sh)");
  }
  std::vector<Point> positions;
  for (Agnode_t* node : handles) positions.push_back({ND_coord(node).x, ND_coord(node).y});
  return positions;
}

}  // namespace attnviz::graphviz
