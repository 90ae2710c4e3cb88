// Graph attention dumps: PyTorch Geometric's GATConv(..., return_attention_weights=True) output
// (edge_index (2, E), alpha (E, heads)) or a dense (heads, N, N) matrix with an adjacency.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnviz {

// Attention on the edges of a directed graph. Edge e carries messages from source[e] to target[e]
// (PyG's edge_index[0] -> edge_index[1]), and alpha of one head sums to 1 over the incoming edges
// of each target. Self-loops (PyG adds them) are kept as edges with source == target.
struct GraphAttention {
  std::string path;
  int64_t nodes = 0;
  int64_t heads = 1;
  std::vector<int64_t> source;     // E
  std::vector<int64_t> target;     // E
  std::vector<double> alpha;       // E x heads, row-major: alpha[e * heads + h]
  std::vector<int64_t> classes;    // one per node when known (y), else empty
  std::vector<std::string> names;  // one per node when known, else empty
  // Per node, the edge the dump says should carry its attention (sample data's truth
  // "marked_edge"; -1 for none), else empty.
  std::vector<int64_t> marked_edge;
  std::string source_kind;  // "edge_index" or "dense"

  int64_t edges() const { return static_cast<int64_t>(source.size()); }
  double Alpha(int64_t edge, int64_t head) const { return alpha[edge * heads + head]; }
};

struct GraphLoadOptions {
  std::optional<std::string> names_path;    // --names: one node name per line
  std::optional<std::string> classes_path;  // --classes: one integer class per line
};

// Reads `path` (npz, safetensors or a torch.save dict). Sparse: arrays "edge_index" (2, E) of
// integers and "alpha" (E, heads) or (E) of floats (also named "attention", "att" or
// "attention_weights"). Dense: "attention" (heads, N, N) or (N, N), row i the attention of target
// i over sources j, with "adjacency"/"adj" (N, N) whose nonzero entries are the edges (without
// one, the nonzero attention entries are). Optional: "y" (N) integer classes, "num_nodes",
// "marked_edge" (N). Throws an input Error naming the file for an edge_index that is not (2, E),
// alpha rows != E, a negative or out-of-range node index, or a NaN or infinite alpha.
GraphAttention LoadGraphAttention(const std::string& path, const GraphLoadOptions& options = {});

}  // namespace attnviz
