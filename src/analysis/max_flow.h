// Exact maximum flow in double precision through a graph whose edges only go one layer down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace attnviz {

// Nodes (l, k) for layer l = 0..layers() and k = 0..width() - 1; an edge from (l + 1, a) to
// (l, b) for every positive capacity of layer l. Edges are numbered by tail node, and a node's
// out-edges widest first: searches that try them in this order send flow in a few wide streams
// rather than many thin ones (three to four times fewer steps on attention graphs).
class LayeredGraph {
 public:
  // capacities[l]: width x width, row-major; entry [a, b] is the edge (l + 1, a) -> (l, b).
  // Requires finite, non-negative capacities.
  LayeredGraph(int64_t width, const std::vector<std::vector<double>>& capacities);

  int64_t width() const { return width_; }
  int64_t layers() const { return layers_; }
  int32_t NodeCount() const { return static_cast<int32_t>((layers_ + 1) * width_); }
  int32_t Node(int64_t layer, int64_t token) const {
    return static_cast<int32_t>(layer * width_ + token);
  }
  int64_t LayerOf(int32_t node) const { return node / width_; }

  // Out-edges of `node`: [OutBegin(node), OutBegin(node + 1)).
  int64_t OutBegin(int32_t node) const { return out_begin_[node]; }
  // In-edges of `node`: InEdge(k) for k in [InBegin(node), InBegin(node + 1)).
  int64_t InBegin(int32_t node) const { return in_begin_[node]; }
  int64_t InEdge(int64_t k) const { return in_edge_[k]; }

  int32_t Head(int64_t edge) const { return head_[edge]; }
  int32_t Tail(int64_t edge) const { return tail_[edge]; }
  double Capacity(int64_t edge) const { return capacity_[edge]; }
  int64_t EdgeCount() const { return static_cast<int64_t>(capacity_.size()); }
  // Residual capacities at or below this count as saturated: 1e-14 of the largest capacity.
  double epsilon() const { return epsilon_; }

 private:
  int64_t width_;
  int64_t layers_;
  std::vector<int64_t> out_begin_;  // per node, plus one
  std::vector<int64_t> in_begin_;
  std::vector<int64_t> in_edge_;
  std::vector<int32_t> head_;
  std::vector<int32_t> tail_;
  std::vector<double> capacity_;
  double epsilon_ = 0;
};

// Maximum flows from a node of the top layer to a node of layer 0, one pair at a time. Holds
// the working state of one computation: use one per thread. `graph` must outlive it.
//
// Dinic's algorithm. Its first level graph is the layering itself (every edge goes one layer
// down), so the first phase needs no search. Usually the flow then fills the edges out of the
// source or into the sink, a cut, and is known to be maximum; otherwise a bidirectional search,
// which stops as soon as either side runs out, tells whether another phase is needed.
class LayeredMaxFlow {
 public:
  explicit LayeredMaxFlow(const LayeredGraph& graph);

  // The maximum flow from node (layers, source) to node (0, sink).
  double MaxFlow(int64_t source, int64_t sink);

 private:
  struct Arc {
    int64_t edge = -1;
    bool up = false;  // against the edge's direction: undoes flow
  };
  // A node on the current search path, what it may pass on and what it has passed on.
  struct Frame {
    int32_t node;
    Arc arc;  // the arc that led here
    double limit;
    double sent;
  };

  void Reset(int64_t source, int64_t sink);
  void LevelByLayer();
  bool LevelBySearch();
  bool AugmentingPathExists();
  bool ExpandForward(int32_t node);
  bool ExpandBackward(int32_t node);
  double CapacityOutOfSource() const;
  double CapacityIntoSink() const;
  double BlockingFlow(double limit);
  void Return(double amount);
  bool NextAdmissibleArc(int32_t node, Arc& arc);
  int64_t DownArcCount(int32_t node) const;
  int64_t ArcCount(int32_t node) const;
  Arc ArcAt(int32_t node, int64_t index) const;
  int32_t ArcHead(const Arc& arc) const;
  double Residual(const Arc& arc) const;
  void Push(const Arc& arc, double amount);

  const LayeredGraph& graph_;
  int32_t source_ = 0;
  int32_t sink_ = 0;
  bool down_only_ = false;              // the first phase: no flow yet, so no up arc has room
  std::vector<double> flow_;            // per edge
  std::vector<int64_t> flowing_edges_;  // edges whose flow was set since the last reset
  std::vector<int64_t> down_begin_;     // per node, its out-edges that can lead to the sink
  std::vector<int64_t> down_end_;
  std::vector<int32_t> level_;        // per node; kDead once no admissible path leaves it
  std::vector<int64_t> current_arc_;  // per node
  std::vector<int8_t> side_;          // per node, for the bidirectional search
  std::vector<int32_t> queue_;
  std::vector<int32_t> back_queue_;
  std::vector<Frame> frames_;  // the search path from the source
};

}  // namespace attnviz
