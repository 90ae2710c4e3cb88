// The graph attention figure: laid-out nodes, directed edges whose width, opacity and colour show
// their attention, a legend of edge weights and one of node classes (or a colorbar).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"
#include "attnviz/render/scatter.h"

namespace attnviz {

struct GraphFigureNode {
  Point position;  // layout coordinates, y up (any scale: the figure fits them)
  Rgba color;
  std::string label;       // written beside the node when not empty
  bool highlight = false;  // the centre of a neighbourhood view: a heavy ring
};

// A directed edge: drawn from `from` to `to` as a slight curve bending to its right (so the two
// directions between a pair stay apart), with an arrowhead at `to`. A self-loop (from == to) is a
// small loop above its node, with the same width, opacity and colour and no arrowhead.
struct GraphFigureEdge {
  int64_t from = 0;
  int64_t to = 0;
  double weight = 0;
};

// Nodes coloured by a statistic: the colorbar beside the figure.
struct GraphNodeScale {
  const Colormap* colormap = nullptr;
  double vmin = 0;
  double vmax = 1;
  std::string title;
};

struct GraphFigureSpec {
  std::vector<GraphFigureNode> nodes;
  std::vector<GraphFigureEdge> edges;
  // Edge weights are shown relative to weight_max: width, opacity and the colormap position all
  // grow with weight / weight_max (0 draws a faint hairline).
  double weight_max = 1;
  const Colormap* edge_colormap = nullptr;  // default Greys from 0.3 up
  std::string edge_legend_title = "attention α";
  std::vector<LegendEntry> node_legend;  // class colours (dots)
  std::string node_legend_title;
  std::optional<GraphNodeScale> node_scale;
  std::string title;    // up to two lines
  std::string caption;  // a note below the graph (thinning, self-loops), wrapped
};

// The style of an edge of weight fraction t in [0, 1]: width in points, opacity, colour (from
// `colormap`, else grey growing darker on a light page and lighter on a dark one).
struct EdgeStroke {
  double width = 0;
  double opacity = 0;
  Rgba color;
};
EdgeStroke EdgeStrokeFor(double t, const Colormap* colormap, double max_width,
                         Theme theme = Theme::kLight);

// Throws Error(kUsage) for a spec without nodes or out-of-range render options.
std::string RenderGraph(const GraphFigureSpec& spec, ImageFormat format,
                        const RenderOptions& options = {});

}  // namespace attnviz
