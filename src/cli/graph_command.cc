// `attnviz graph DUMP`: graph attention (PyG's GATConv edge_index and alpha, or a dense matrix
// with an adjacency) drawn on a Graphviz layout, and its per-node entropy statistics.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/graph_stats.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/graph_dump.h"
#include "attnviz/number_text.h"
#include "attnviz/render/graph.h"
#include "attnviz/render/graph_layout.h"
#include "cli/commands.h"
#include "cli/figure_options.h"
#include "cli/output_path.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

// More drawn edges than this make a hairball: each node then keeps its top-k incoming edges.
constexpr int64_t kHairballEdges = 2000;
constexpr int64_t kDefaultTopK = 3;
constexpr size_t kMaxLabelledNodes = 40;

struct GraphCommandOptions {
  std::string dump;
  GraphLoadOptions load;
  std::optional<int64_t> head;
  std::string fuse;
  std::string layout = "sfdp";
  std::optional<int64_t> node;
  int64_t hops = 2;
  std::string color_by;  // default: class when the dump has classes, else entropy
  std::optional<int64_t> top_k;
  uint64_t seed = 1;
  bool stats = false;
  bool json = false;
  bool csv = false;
  double near_uniform = 0.9;
  std::string title;
  FigureOptions figure;
};

// --- statistics ---

nlohmann::json JsonNumber(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string NodeName(const GraphAttention& graph, int64_t node) {
  return graph.names.empty() ? std::to_string(node) : graph.names[node];
}

nlohmann::json HeadJson(const HeadAttentionSummary& head) {
  nlohmann::json json = {{"head", head.head},
                         {"nodes", head.nodes},
                         {"mean_entropy", JsonNumber(head.mean_entropy)},
                         {"mean_uniform_entropy", JsonNumber(head.mean_uniform_entropy)},
                         {"mean_ratio", JsonNumber(head.mean_ratio)},
                         {"mean_kl", JsonNumber(head.mean_kl)},
                         {"near_uniform_share", JsonNumber(head.near_uniform_share)}};
  if (head.marked_nodes > 0) {
    json["marked_nodes"] = head.marked_nodes;
    json["marked_share"] = JsonNumber(head.marked_share);
    json["uniform_marked_share"] = JsonNumber(head.uniform_marked_share);
    json["marked_is_top"] = JsonNumber(head.marked_is_top);
  }
  return json;
}

nlohmann::json NodeJson(const GraphAttention& graph, const NodeAttentionStats& node) {
  nlohmann::json json = {{"node", node.node},
                         {"head", node.head},
                         {"in_degree", node.in_degree},
                         {"mass", JsonNumber(node.mass)},
                         {"entropy", JsonNumber(node.entropy)},
                         {"uniform_entropy", JsonNumber(node.uniform_entropy)},
                         {"ratio", JsonNumber(node.ratio)},
                         {"kl_to_uniform", JsonNumber(node.kl_to_uniform)},
                         {"top_edge", node.top_edge},
                         {"top_source", node.top_source},
                         {"top_weight", JsonNumber(node.top_weight)},
                         {"received", JsonNumber(node.received)}};
  if (!graph.names.empty()) json["name"] = graph.names[node.node];
  if (!graph.classes.empty()) json["class"] = graph.classes[node.node];
  if (!graph.marked_edge.empty()) json["marked_weight"] = JsonNumber(node.marked_weight);
  return json;
}

void PrintJson(const GraphAttention& graph, const GraphStats& stats,
               const GraphCommandOptions& options) {
  nlohmann::json json = {{"file", graph.path},
                         {"nodes", graph.nodes},
                         {"edges", graph.edges()},
                         {"heads", graph.heads},
                         {"near_uniform_ratio", options.near_uniform},
                         {"head_summaries", nlohmann::json::array()},
                         {"node_stats", nlohmann::json::array()}};
  for (const HeadAttentionSummary& head : stats.heads)
    json["head_summaries"].push_back(HeadJson(head));
  for (const NodeAttentionStats& node : stats.nodes)
    json["node_stats"].push_back(NodeJson(graph, node));
  std::cout << json.dump() << "\n";
}

std::string Cell(double value) { return std::isnan(value) ? "" : FormatNumber(value); }

Table NodeTable(const GraphAttention& graph, const GraphStats& stats) {
  Table table;
  table.columns = {"node",    "name",  "head",          "in_degree",  "mass",       "entropy",
                   "log_deg", "ratio", "kl_to_uniform", "top_source", "top_weight", "received"};
  for (const NodeAttentionStats& n : stats.nodes) {
    table.rows.push_back({std::to_string(n.node), NodeName(graph, n.node), std::to_string(n.head),
                          std::to_string(n.in_degree), Cell(n.mass), Cell(n.entropy),
                          Cell(n.uniform_entropy), Cell(n.ratio), Cell(n.kl_to_uniform),
                          n.top_source < 0 ? "" : std::to_string(n.top_source), Cell(n.top_weight),
                          Cell(n.received)});
  }
  return table;
}

Table HeadTable(const GraphStats& stats) {
  Table table;
  table.columns = {"head",       "nodes",   "mean_entropy", "mean_log_deg",
                   "mean_ratio", "mean_kl", "near_uniform"};
  const bool marked = !stats.heads.empty() && stats.heads.front().marked_nodes > 0;
  if (marked) {
    for (const char* column : {"marked_share", "uniform_share", "marked_is_top"}) {
      table.columns.push_back(column);
    }
  }
  for (const HeadAttentionSummary& h : stats.heads) {
    table.rows.push_back({std::to_string(h.head), std::to_string(h.nodes), Cell(h.mean_entropy),
                          Cell(h.mean_uniform_entropy), Cell(h.mean_ratio), Cell(h.mean_kl),
                          Cell(h.near_uniform_share)});
    if (!marked) continue;
    for (double value : {h.marked_share, h.uniform_marked_share, h.marked_is_top}) {
      table.rows.back().push_back(Cell(value));
    }
  }
  return table;
}

void PrintStats(const GraphAttention& graph, const GraphCommandOptions& options) {
  const GraphStats stats = ComputeGraphStats(graph, {options.near_uniform});
  if (options.json) return PrintJson(graph, stats, options);
  if (options.csv) return NodeTable(graph, stats).PrintCsv(std::cout);
  std::cout << graph.path << ": " << graph.nodes << " nodes, " << graph.edges() << " edges, "
            << graph.heads << (graph.heads == 1 ? " head\n\n" : " heads\n\n");
  HeadTable(stats).PrintText(std::cout);
  std::cout << "\nentropy of each node's attention over its incoming edges (nats) against "
               "log(in_degree), "
               "the uniform distribution's; means over nodes with in_degree >= 2; near_uniform: "
               "share with entropy/log_deg >= "
            << Number(options.near_uniform) << "\n\n";
  NodeTable(graph, stats).PrintText(std::cout);
}

// --- the figure ---

// The weight drawn on each edge, and how the title names it.
struct DrawnWeights {
  std::vector<double> weight;
  std::string name;
};

DrawnWeights ChooseWeights(const GraphAttention& graph, const GraphCommandOptions& options) {
  if (!options.fuse.empty()) {
    const EdgeFusion fusion = options.fuse == "max" ? EdgeFusion::kMax : EdgeFusion::kMean;
    return {FusedWeights(graph, fusion),
            options.fuse + " over " + std::to_string(graph.heads) + " heads"};
  }
  const int64_t head = options.head.value_or(0);
  if (head < 0 || head >= graph.heads) {
    ThrowUsageError("--head " + std::to_string(head) + " is not a head of " + graph.path +
                    ", which has heads 0 to " + std::to_string(graph.heads - 1));
  }
  return {HeadWeights(graph, head),
          "head " + std::to_string(head) + " of " + std::to_string(graph.heads)};
}

// The drawn graph: its nodes, edges, and what the caption says about how they were chosen.
struct DrawnGraph {
  std::vector<int64_t> nodes;  // sorted
  std::vector<int64_t> edges;  // sorted
  int64_t edges_before_thinning = 0;
  int64_t top_k = 0;  // 0: not thinned
};

DrawnGraph ChooseDrawn(const GraphAttention& graph, const std::vector<double>& weight,
                       const GraphCommandOptions& options) {
  DrawnGraph drawn;
  if (options.node) {
    drawn.nodes = KHopNodes(graph, *options.node, options.hops);
  } else {
    for (int64_t n = 0; n < graph.nodes; ++n) drawn.nodes.push_back(n);
  }
  drawn.edges = options.node ? EdgesAmong(graph, drawn.nodes) : std::vector<int64_t>();
  if (!options.node) {
    for (int64_t e = 0; e < graph.edges(); ++e) drawn.edges.push_back(e);
  }
  drawn.edges_before_thinning = static_cast<int64_t>(drawn.edges.size());
  const int64_t k =
      options.top_k.value_or(drawn.edges_before_thinning > kHairballEdges ? kDefaultTopK : 0);
  if (k > 0) {
    drawn.edges = TopIncomingEdges(graph, weight, drawn.edges, k);
    drawn.top_k = k;
  }
  return drawn;
}

// The drawn graph as a one-head graph of its own (nodes renumbered), for the node statistics.
GraphAttention DrawnSubgraph(const GraphAttention& graph, const std::vector<double>& weight,
                             const DrawnGraph& drawn, const std::vector<int64_t>& position) {
  GraphAttention sub;
  sub.path = graph.path;
  sub.nodes = static_cast<int64_t>(drawn.nodes.size());
  for (int64_t e : drawn.edges) {
    sub.source.push_back(position[graph.source[e]]);
    sub.target.push_back(position[graph.target[e]]);
    sub.alpha.push_back(weight[e]);
  }
  return sub;
}

std::string ColorBy(const GraphAttention& graph, const GraphCommandOptions& options) {
  if (!options.color_by.empty()) {
    if (options.color_by == "class" && graph.classes.empty()) {
      ThrowUsageError("--color-by class: " + graph.path +
                      " has no classes (an array 'y', or give --classes FILE)");
    }
    return options.color_by;
  }
  return graph.classes.empty() ? "entropy" : "class";
}

std::vector<int64_t> Distinct(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// Colours by the classes of the whole graph, so a neighbourhood view keeps the full view's
// colours; the legend lists the classes drawn.
void ColorByClass(const GraphAttention& graph, const DrawnGraph& drawn, GraphFigureSpec& spec) {
  const std::vector<int64_t> every = Distinct(graph.classes);
  const auto count = static_cast<int64_t>(every.size());
  const auto color = [&](int64_t cls) {
    return CategoryColor(std::lower_bound(every.begin(), every.end(), cls) - every.begin(), count);
  };
  std::vector<int64_t> drawn_classes;
  for (size_t i = 0; i < drawn.nodes.size(); ++i) {
    drawn_classes.push_back(graph.classes[drawn.nodes[i]]);
    spec.nodes[i].color = color(drawn_classes.back());
  }
  for (int64_t cls : Distinct(drawn_classes)) {
    spec.node_legend.push_back({"class " + std::to_string(cls), color(cls), false});
  }
  spec.node_legend_title = "node class";
}

// The dump with the drawn weights as its one head: node statistics over every incoming edge, not
// only the drawn ones.
GraphAttention WithWeights(const GraphAttention& graph, const std::vector<double>& weight) {
  GraphAttention weighted;
  weighted.path = graph.path;
  weighted.nodes = graph.nodes;
  weighted.source = graph.source;
  weighted.target = graph.target;
  weighted.alpha = weight;
  return weighted;
}

void ColorByStatistic(const GraphAttention& graph, const std::vector<double>& weight,
                      const DrawnGraph& drawn, const std::string& statistic,
                      GraphFigureSpec& spec) {
  const GraphStats all = ComputeGraphStats(WithWeights(graph, weight));
  GraphStats stats;
  for (int64_t n : drawn.nodes) stats.nodes.push_back(all.nodes[n]);
  const bool entropy = statistic == "entropy";
  GraphNodeScale scale{FindColormap("viridis"), 0, 0,
                       entropy ? "entropy of incoming α (nats)" : "attention sent, Σ α out"};
  std::vector<double> values;
  for (const NodeAttentionStats& node : stats.nodes) {
    values.push_back(entropy ? node.entropy : node.received);
    const double top = entropy ? node.uniform_entropy : node.received;
    if (std::isfinite(top)) scale.vmax = std::max(scale.vmax, top);
  }
  if (!(scale.vmax > 0)) scale.vmax = 1;
  for (size_t i = 0; i < values.size(); ++i) {
    spec.nodes[i].color = std::isfinite(values[i])
                              ? scale.colormap->Lookup(values[i], scale.vmin, scale.vmax)
                              : Rgba{190, 190, 190, 255};
  }
  spec.node_scale = scale;
}

// "1 node", "3 nodes".
std::string Count(int64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Whether the weights sum to 1 (within 1e-3) over the incoming edges of every node that has any,
// as PyG's softmax makes them (a max over heads does not).
bool NormalisedByTarget(const GraphAttention& graph, const std::vector<double>& weight) {
  std::vector<double> sum(static_cast<size_t>(graph.nodes), 0);
  std::vector<bool> has(static_cast<size_t>(graph.nodes), false);
  for (int64_t e = 0; e < graph.edges(); ++e) {
    sum[graph.target[e]] += weight[e];
    has[graph.target[e]] = true;
  }
  for (int64_t n = 0; n < graph.nodes; ++n) {
    if (has[n] && std::abs(sum[n] - 1) > 1e-3) return false;
  }
  return true;
}

std::string Caption(const GraphAttention& graph, const DrawnGraph& drawn, int64_t loops,
                    bool normalised, const GraphCommandOptions& options) {
  std::string caption = Count(static_cast<int64_t>(drawn.nodes.size()), "node") + ", " +
                        Count(static_cast<int64_t>(drawn.edges.size()), "edge") + " drawn";
  if (options.node) {
    caption += " (the " + std::to_string(options.hops) + "-hop neighbourhood sending to " +
               NodeName(graph, *options.node) + ", ringed)";
  }
  caption += "; arrows source → target";
  if (normalised) caption += ", α sums to 1 over each target's incoming edges";
  if (loops > 0) {
    caption += "; " + Count(loops, "self-loop") + " drawn as small loops above " +
               (loops == 1 ? "its node" : "the nodes");
  }
  if (drawn.top_k > 0) {
    caption += "; thinned to the top-" + std::to_string(drawn.top_k) +
               " incoming edges of each node by α (of " +
               std::to_string(drawn.edges_before_thinning) + " edges" +
               (options.top_k
                    ? ", --top-k"
                    : ", as more than " + std::to_string(kHairballEdges) + " would be a hairball") +
               ")";
  }
  return caption + "; " + options.layout + " layout, seed " + std::to_string(options.seed);
}

GraphFigureSpec FigureSpec(const GraphAttention& graph, const DrawnWeights& weights,
                           const DrawnGraph& drawn, const GraphCommandOptions& options) {
  std::vector<int64_t> position(static_cast<size_t>(graph.nodes), -1);
  for (size_t i = 0; i < drawn.nodes.size(); ++i)
    position[drawn.nodes[i]] = static_cast<int64_t>(i);
  const GraphAttention sub = DrawnSubgraph(graph, weights.weight, drawn, position);
  std::vector<std::pair<int64_t, int64_t>> links;
  for (int64_t e = 0; e < sub.edges(); ++e) links.emplace_back(sub.source[e], sub.target[e]);
  const std::vector<Point> at = LayoutGraph(
      sub.nodes, links,
      {options.layout == "neato" ? GraphEngine::kNeato : GraphEngine::kSfdp, options.seed});
  GraphFigureSpec spec;
  int64_t loops = 0;
  for (size_t i = 0; i < drawn.nodes.size(); ++i) {
    const bool labelled = drawn.nodes.size() <= kMaxLabelledNodes;
    spec.nodes.push_back({at[i],
                          {},
                          labelled ? NodeName(graph, drawn.nodes[i]) : "",
                          options.node && drawn.nodes[i] == *options.node});
  }
  spec.weight_max = 1;  // α is a probability: a fixed scale, so figures compare
  for (int64_t e = 0; e < sub.edges(); ++e) {
    spec.edges.push_back({sub.source[e], sub.target[e], sub.alpha[e]});
    spec.weight_max = std::max(spec.weight_max, sub.alpha[e]);
    loops += sub.source[e] == sub.target[e] ? 1 : 0;
  }
  const std::string color_by = ColorBy(graph, options);
  if (color_by == "class") {
    ColorByClass(graph, drawn, spec);
  } else {
    ColorByStatistic(graph, weights.weight, drawn, color_by, spec);
  }
  spec.title = options.title.empty() ? "graph attention · " + weights.name + " · " +
                                           std::filesystem::path(graph.path).filename().string()
                                     : options.title;
  spec.caption = Caption(graph, drawn, loops, NormalisedByTarget(graph, weights.weight), options);
  return spec;
}

void DrawFigure(const GraphAttention& graph, const GraphCommandOptions& options,
                ImageFormat format) {
  const DrawnWeights weights = ChooseWeights(graph, options);
  const DrawnGraph drawn = ChooseDrawn(graph, weights.weight, options);
  const GraphFigureSpec spec = FigureSpec(graph, weights, drawn, options);
  WriteFileAtomically(options.figure.output, RenderGraph(spec, format, options.figure.Render()));
}

void RunGraph(const GraphCommandOptions& options) {
  const bool text = options.stats || options.json || options.csv;
  if (!text && options.figure.output.empty()) {
    ThrowUsageError(
        "graph: give -o FILE for the figure, or --stats (--json, --csv) for the "
        "statistics");
  }
  if (options.head && !options.fuse.empty())
    ThrowUsageError("graph: --head and --fuse exclude each other");
  if (options.hops < 0)
    ThrowUsageError("--hops must be >= 0, found " + std::to_string(options.hops));
  if (options.top_k && *options.top_k < 1) ThrowUsageError("--top-k must be >= 1");
  std::optional<ImageFormat> format;
  if (!options.figure.output.empty()) {
    format = FigureFormatFor(options.figure.output, options.figure.format);
    CheckNotInput(options.figure.output, options.dump);
    PrintsText(options.figure.output, options.json || options.csv);
  }
  const GraphAttention graph = LoadGraphAttention(options.dump, options.load);
  if (format) DrawFigure(graph, options, *format);
  if (text) PrintStats(graph, options);
}

}  // namespace

void AddGraphCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<GraphCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "graph",
      "Graph attention (PyG GATConv edge_index + alpha, or a dense matrix with an adjacency): "
      "the graph laid out by Graphviz with edges weighted by attention, and per-node entropy "
      "against uniform attention");
  command
      ->add_option("DUMP", options->dump,
                   "npz, safetensors or .pt (torch.save dict) with edge_index (2, E) and alpha "
                   "(E, heads), or attention (heads, N, N) and adjacency (N, N)")
      ->required();
  command->add_option("--head", options->head, "the head to draw (default 0)");
  command->add_option("--fuse", options->fuse, "draw the mean or max over the heads")
      ->check(CLI::IsMember({"mean", "max"}));
  command->add_option("--layout", options->layout, "Graphviz layout engine (default sfdp)")
      ->check(CLI::IsMember({"sfdp", "neato"}));
  command->add_option("--node", options->node,
                      "draw only the neighbourhood that sends messages to this node");
  command->add_option("--hops", options->hops, "hops of the --node neighbourhood (default 2)");
  command
      ->add_option("--color-by", options->color_by,
                   "node colour: class (default with classes), entropy (default otherwise) "
                   "or received")
      ->check(CLI::IsMember({"class", "entropy", "received"}));
  command->add_option("--names", options->load.names_path, "node names, one per line");
  command->add_option("--classes", options->load.classes_path,
                      "node classes, one integer per line (instead of the dump's y)");
  command->add_option("--top-k", options->top_k,
                      "keep the K incoming edges of each node with the most attention (default: "
                      "3 when more than 2000 edges would be drawn)");
  command->add_option("--seed", options->seed, "layout seed (Graphviz start; default 1)");
  command->add_flag("--stats", options->stats,
                    "print per-head summaries and per-node entropy against uniform");
  command->add_flag("--json", options->json, "print the statistics as one JSON object");
  command->add_flag("--csv", options->csv, "print the per-node statistics as CSV");
  command->add_option("--uniform-threshold", options->near_uniform,
                      "entropy / log(in_degree) from which a node counts as near-uniform "
                      "(default 0.9)");
  command->add_option("--title", options->title, "figure title");
  options->figure.AddTo(*command, false);
  command->footer(
      "Examples:\n"
      "  attnviz graph data/gat.npz -o gat.png\n"
      "  attnviz graph data/gat.npz --fuse mean --color-by entropy -o gat.svg\n"
      "  attnviz graph data/gat.npz --node 5 --hops 2 --names data/gat_names.txt -o near5.pdf\n"
      "  attnviz graph data/gat.npz --stats\n"
      "  attnviz graph data/gat.npz --json > gat_stats.json");
  command->callback([options, &exit_code] {
    RunGraph(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
