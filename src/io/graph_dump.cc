// Graph attention dumps: PyG's (edge_index, alpha) or a dense matrix with an adjacency, checked
// edge by edge, plus node names and classes.
#include "attnviz/io/graph_dump.h"

#include <algorithm>
#include <cmath>

#include "attnviz/error.h"
#include "attnviz/io/numeric_arrays.h"
#include "attnviz/io/tokens.h"
#include "attnviz/number_text.h"
#include "io/graph_input.h"
#include "io/npy.h"

namespace attnviz {

namespace {

const NumericArray* Find(const NumericArrays& arrays, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto found = arrays.find(name);
    if (found != arrays.end()) return &found->second;
  }
  return nullptr;
}

std::string ArrayList(const NumericArrays& arrays) {
  std::string list;
  for (const auto& [name, array] : arrays) {
    list += (list.empty() ? "'" : ", '") + name + "' " + FormatShape(array.shape);
  }
  return list.empty() ? "no numeric arrays" : list;
}

// A value as it was given: whole numbers in int64_t's range as integers (without Number's
// exponent), anything else, a fraction, 1e300 or NaN, as Number writes it.
std::string Index(double value) {
  constexpr double kInt64Bound = 9223372036854775808.0;  // 2^63
  const bool whole = value == std::floor(value) && std::abs(value) < kInt64Bound;
  return whole ? std::to_string(static_cast<int64_t>(value)) : Number(value);
}

// A node index: an integer in [0, nodes) (nodes < 0: any non-negative).
int64_t NodeIndex(double value, int64_t nodes, const std::string& where, const std::string& path) {
  if (!(value >= 0) || value != std::floor(value)) {
    ThrowInputError(path, "expected node indices >= 0 in " + where + ", found " + Index(value));
  }
  if (value >= static_cast<double>(kMaxNumericElements)) {
    ThrowInputError(path, "expected node indices < " + std::to_string(kMaxNumericElements) +
                              " in " + where + ", found " + Index(value));
  }
  if (nodes >= 0 && value >= static_cast<double>(nodes)) {
    ThrowInputError(path, "expected node indices < " + std::to_string(nodes) +
                              " (the number of "
                              "nodes) in " +
                              where + ", found " + Index(value));
  }
  return static_cast<int64_t>(value);
}

void CheckAlpha(double value, int64_t edge, int64_t head, const std::string& path) {
  if (!std::isfinite(value)) {
    ThrowInputError(path, "expected finite attention in alpha, found " + Number(value) +
                              " at edge " + std::to_string(edge) + ", head " +
                              std::to_string(head));
  }
}

// The number of nodes the side arrays state (num_nodes, else y), or -1.
int64_t StatedNodes(const NumericArrays& arrays, const std::string& path) {
  if (const NumericArray* count = Find(arrays, {"num_nodes"})) {
    if (count->values.size() != 1 || !(count->values[0] >= 0) ||
        count->values[0] > static_cast<double>(kMaxNumericElements)) {
      ThrowInputError(path, "expected 'num_nodes' to be one integer from 0 to " +
                                std::to_string(kMaxNumericElements));
    }
    return static_cast<int64_t>(count->values[0]);
  }
  if (const NumericArray* y = Find(arrays, {"y"})) return static_cast<int64_t>(y->values.size());
  return -1;
}

void ReadSparse(const NumericArrays& arrays, const NumericArray& edge_index,
                GraphAttention& graph) {
  const std::string& path = graph.path;
  if (edge_index.shape.size() != 2 || edge_index.shape[0] != 2) {
    ThrowInputError(
        path, "expected 'edge_index' of shape (2, E), found " + FormatShape(edge_index.shape));
  }
  const int64_t edges = edge_index.shape[1];
  const NumericArray* alpha = Find(arrays, {"alpha", "attention", "att", "attention_weights"});
  if (!alpha) ThrowInputError(path, "expected an array 'alpha' (E, heads) beside 'edge_index'");
  if (alpha->shape.empty() || alpha->shape.size() > 2 || alpha->shape[0] != edges) {
    ThrowInputError(path, "expected 'alpha' of shape (" + std::to_string(edges) +
                              ", heads) for the " + std::to_string(edges) +
                              " edges of edge_index, found " + FormatShape(alpha->shape));
  }
  graph.heads = alpha->shape.size() == 2 ? alpha->shape[1] : 1;
  if (graph.heads < 1) ThrowInputError(path, "expected at least one head in 'alpha', found 0");
  const int64_t stated = StatedNodes(arrays, path);
  for (int64_t e = 0; e < edges; ++e) {
    graph.source.push_back(NodeIndex(edge_index.values[e], stated, "edge_index[0]", path));
    graph.target.push_back(NodeIndex(edge_index.values[edges + e], stated, "edge_index[1]", path));
  }
  graph.alpha = alpha->values;
  for (int64_t e = 0; e < edges; ++e) {
    for (int64_t h = 0; h < graph.heads; ++h) CheckAlpha(graph.Alpha(e, h), e, h, path);
  }
  graph.source_kind = "edge_index";
}

// Dense attention[h, i, j]: target i's attention on source j, an edge where adjacency[i, j] != 0.
void ReadDense(const NumericArrays& arrays, const NumericArray& dense, GraphAttention& graph) {
  const std::string& path = graph.path;
  const size_t rank = dense.shape.size();
  if ((rank != 2 && rank != 3) || dense.shape[rank - 1] != dense.shape[rank - 2]) {
    ThrowInputError(path, "expected a dense 'attention' of shape (heads, N, N) or (N, N), found " +
                              FormatShape(dense.shape));
  }
  const int64_t n = dense.shape[rank - 1];
  graph.heads = rank == 3 ? dense.shape[0] : 1;
  if (graph.heads < 1) ThrowInputError(path, "expected at least one head in 'attention', found 0");
  const NumericArray* adjacency = Find(arrays, {"adjacency", "adj"});
  if (adjacency && adjacency->shape != std::vector<int64_t>{n, n}) {
    ThrowInputError(path, "expected 'adjacency' of shape (" + std::to_string(n) + ", " +
                              std::to_string(n) + ") like the attention, found " +
                              FormatShape(adjacency->shape));
  }
  for (int64_t h = 0; h < graph.heads; ++h) {
    for (int64_t k = 0; k < n * n; ++k) CheckAlpha(dense.values[h * n * n + k], k, h, path);
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      bool edge = adjacency ? adjacency->values[i * n + j] != 0 : false;
      for (int64_t h = 0; !adjacency && h < graph.heads; ++h) {
        edge = edge || dense.values[(h * n + i) * n + j] != 0;
      }
      if (!edge) continue;
      graph.source.push_back(j);
      graph.target.push_back(i);
      for (int64_t h = 0; h < graph.heads; ++h) {
        graph.alpha.push_back(dense.values[(h * n + i) * n + j]);
      }
    }
  }
  graph.nodes = n;
  graph.source_kind = "dense";
}

std::vector<int64_t> IntegerList(const NumericArray& array, const std::string& name,
                                 const std::string& path) {
  if (array.shape.size() != 1) {
    ThrowInputError(path,
                    "expected '" + name + "' of shape (N), found " + FormatShape(array.shape));
  }
  std::vector<int64_t> values;
  for (double value : array.values) {
    if (value != std::floor(value)) {
      ThrowInputError(path, "expected integers in '" + name + "', found " + Number(value));
    }
    values.push_back(static_cast<int64_t>(value));
  }
  return values;
}

std::vector<int64_t> ClassesFile(const std::string& path) {
  std::vector<int64_t> classes;
  for (const std::string& line : ReadTokensFile(path)) {
    try {
      size_t used = 0;
      classes.push_back(std::stoll(line, &used));
      if (used != line.size()) throw std::invalid_argument(line);
    } catch (const std::exception&) {
      ThrowInputError(path, "expected one integer class per line, found '" + line + "' on line " +
                                std::to_string(classes.size() + 1));
    }
  }
  return classes;
}

void CheckNodeCount(size_t count, const GraphAttention& graph, const std::string& what,
                    const std::string& path) {
  if (static_cast<int64_t>(count) != graph.nodes) {
    ThrowInputError(path, "expected " + std::to_string(graph.nodes) + " " + what +
                              " (one per node of " + graph.path + "), found " +
                              std::to_string(count));
  }
}

void ReadNodeData(const NumericArrays& arrays, const GraphLoadOptions& options,
                  GraphAttention& graph) {
  if (const NumericArray* y = Find(arrays, {"y"})) graph.classes = IntegerList(*y, "y", graph.path);
  if (options.classes_path) {
    graph.classes = ClassesFile(*options.classes_path);
    CheckNodeCount(graph.classes.size(), graph, "classes", *options.classes_path);
  } else if (!graph.classes.empty()) {
    CheckNodeCount(graph.classes.size(), graph, "classes in 'y'", graph.path);
  }
  if (const NumericArray* marked = Find(arrays, {"marked_edge"})) {
    graph.marked_edge = IntegerList(*marked, "marked_edge", graph.path);
    CheckNodeCount(graph.marked_edge.size(), graph, "entries in 'marked_edge'", graph.path);
  }
  if (options.names_path) {
    graph.names = ReadTokensFile(*options.names_path);
    CheckNodeCount(graph.names.size(), graph, "names", *options.names_path);
  }
}

GraphAttention GraphFromArrays(const NumericArrays& arrays, const std::string& path,
                               const GraphLoadOptions& options) {
  GraphAttention graph;
  graph.path = path;
  if (const NumericArray* edge_index = Find(arrays, {"edge_index"})) {
    ReadSparse(arrays, *edge_index, graph);
    graph.nodes = StatedNodes(arrays, path);
    if (graph.nodes < 0) {
      for (size_t e = 0; e < graph.source.size(); ++e) {
        graph.nodes = std::max<int64_t>({graph.nodes, graph.source[e] + 1, graph.target[e] + 1});
      }
      graph.nodes = std::max<int64_t>(graph.nodes, 0);
    }
  } else if (const NumericArray* dense = Find(arrays, {"attention", "attn"})) {
    ReadDense(arrays, *dense, graph);
  } else {
    ThrowInputError(path,
                    "expected 'edge_index' (2, E) and 'alpha' (E, heads), or a dense "
                    "'attention' (heads, N, N), found " +
                        ArrayList(arrays));
  }
  ReadNodeData(arrays, options, graph);
  return graph;
}

}  // namespace

GraphAttention LoadGraphAttention(const std::string& path, const GraphLoadOptions& options) {
  return GraphFromArrays(ReadNumericArrays(path), path, options);
}

GraphAttention LoadGraphAttentionFrom(std::shared_ptr<const ByteSource> source,
                                      const std::string& path, const GraphLoadOptions& options) {
  return GraphFromArrays(ReadNumericArraysFrom(std::move(source), path), path, options);
}

}  // namespace attnviz
