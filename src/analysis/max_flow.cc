// Dinic's algorithm on the layered attention graph, with the layering as its first level graph.
#include "analysis/max_flow.h"

#include <algorithm>

namespace attnviz {

namespace {

constexpr int32_t kDead = -1;  // a node not (or no longer) in the level graph

constexpr int8_t kUnseen = 0;
constexpr int8_t kFromSource = 1;  // reached from the source along residual arcs
constexpr int8_t kToSink = 2;      // reaches the sink along residual arcs

// The columns of `row` with positive capacity, the largest first (ties by column).
std::vector<int64_t> WidestFirst(const double* row, int64_t width) {
  std::vector<int64_t> columns;
  for (int64_t b = 0; b < width; ++b) {
    if (row[b] > 0) columns.push_back(b);
  }
  std::stable_sort(columns.begin(), columns.end(),
                   [row](int64_t a, int64_t b) { return row[a] > row[b]; });
  return columns;
}

}  // namespace

LayeredGraph::LayeredGraph(int64_t width, const std::vector<std::vector<double>>& capacities)
    : width_(width), layers_(static_cast<int64_t>(capacities.size())) {
  const int32_t nodes = NodeCount();
  out_begin_.assign(static_cast<size_t>(nodes) + 1, 0);
  double largest = 0;
  for (int32_t node = 0; node < nodes; ++node) {
    const int64_t layer = LayerOf(node);
    if (layer > 0) {
      const double* row = capacities[layer - 1].data() + (node % width_) * width_;
      for (int64_t b : WidestFirst(row, width_)) {
        head_.push_back(Node(layer - 1, b));
        tail_.push_back(node);
        capacity_.push_back(row[b]);
        largest = std::max(largest, row[b]);
      }
    }
    out_begin_[node + 1] = EdgeCount();
  }
  epsilon_ = 1e-14 * largest;
  in_begin_.assign(static_cast<size_t>(nodes) + 1, 0);
  for (int32_t head : head_) ++in_begin_[head + 1];
  for (int32_t node = 0; node < nodes; ++node) in_begin_[node + 1] += in_begin_[node];
  in_edge_.resize(head_.size());
  std::vector<int64_t> next(in_begin_.begin(), in_begin_.end() - 1);
  for (int64_t edge = 0; edge < EdgeCount(); ++edge) in_edge_[next[head_[edge]]++] = edge;
}

LayeredMaxFlow::LayeredMaxFlow(const LayeredGraph& graph)
    : graph_(graph),
      flow_(static_cast<size_t>(graph.EdgeCount()), 0.0),
      down_begin_(static_cast<size_t>(graph.NodeCount())),
      down_end_(static_cast<size_t>(graph.NodeCount())),
      level_(static_cast<size_t>(graph.NodeCount()), kDead),
      current_arc_(static_cast<size_t>(graph.NodeCount()), 0),
      side_(static_cast<size_t>(graph.NodeCount()), kUnseen) {
  for (int32_t node = 0; node < graph.NodeCount(); ++node) {
    down_begin_[node] = graph.OutBegin(node);
    down_end_[node] = graph.OutBegin(node + 1);
  }
}

// No flow exceeds the capacity out of the source or into the sink. Once it reaches the smaller
// (the usual case), the flow is maximum and the search stops at once, instead of visiting every
// node left to learn that nothing more gets through.
double LayeredMaxFlow::MaxFlow(int64_t source, int64_t sink) {
  Reset(source, sink);
  const double bound = std::min(CapacityOutOfSource(), CapacityIntoSink());
  LevelByLayer();
  down_only_ = true;
  double total = BlockingFlow(bound);
  down_only_ = false;
  while (bound - total > graph_.epsilon() && AugmentingPathExists() && LevelBySearch()) {
    total += BlockingFlow(bound - total);
  }
  return total;
}

double LayeredMaxFlow::CapacityOutOfSource() const {
  double total = 0;
  for (int64_t edge = graph_.OutBegin(source_); edge < graph_.OutBegin(source_ + 1); ++edge) {
    total += graph_.Capacity(edge);
  }
  return total;
}

double LayeredMaxFlow::CapacityIntoSink() const {
  double total = 0;
  for (int64_t k = graph_.InBegin(sink_); k < graph_.InBegin(sink_ + 1); ++k) {
    total += graph_.Capacity(graph_.InEdge(k));
  }
  return total;
}

void LayeredMaxFlow::Reset(int64_t source, int64_t sink) {
  for (int64_t edge : flowing_edges_) flow_[edge] = 0;
  flowing_edges_.clear();
  source_ = graph_.Node(graph_.layers(), source);
  sink_ = graph_.Node(0, sink);
  // A node of layer 1 keeps one down arc at most, into the sink: the rest of layer 0 is a dead end.
  for (int32_t node = graph_.Node(1, 0); node < graph_.Node(2, 0); ++node) {
    down_begin_[node] = down_end_[node] = 0;
  }
  for (int64_t k = graph_.InBegin(sink_); k < graph_.InBegin(sink_ + 1); ++k) {
    const int64_t edge = graph_.InEdge(k);
    down_begin_[graph_.Tail(edge)] = edge;
    down_end_[graph_.Tail(edge)] = edge + 1;
  }
}

// Before any flow, the distance from the source to (l, k) is layers - l.
void LayeredMaxFlow::LevelByLayer() {
  for (int32_t node = 0; node < graph_.NodeCount(); ++node) {
    level_[node] = static_cast<int32_t>(graph_.layers() - graph_.LayerOf(node));
  }
  std::fill(current_arc_.begin(), current_arc_.end(), 0);
}

// Breadth-first distances from the source over residual arcs, up to the sink's.
bool LayeredMaxFlow::LevelBySearch() {
  std::fill(level_.begin(), level_.end(), kDead);
  std::fill(current_arc_.begin(), current_arc_.end(), 0);
  queue_.assign(1, source_);
  level_[source_] = 0;
  for (size_t next = 0; next < queue_.size(); ++next) {
    const int32_t node = queue_[next];
    if (level_[sink_] != kDead && level_[node] >= level_[sink_]) break;
    for (int64_t k = 0; k < ArcCount(node); ++k) {
      const Arc arc = ArcAt(node, k);
      const int32_t to = ArcHead(arc);
      if (level_[to] != kDead || Residual(arc) <= graph_.epsilon()) continue;
      level_[to] = level_[node] + 1;
      queue_.push_back(to);
    }
  }
  return level_[sink_] != kDead;
}

// Grows the set reached from the source and the set reaching the sink, always the smaller
// frontier first, until they touch (a path exists) or one runs out (the flow is maximum).
bool LayeredMaxFlow::AugmentingPathExists() {
  std::fill(side_.begin(), side_.end(), kUnseen);
  queue_.assign(1, source_);
  back_queue_.assign(1, sink_);
  side_[source_] = kFromSource;
  side_[sink_] = kToSink;
  size_t ahead = 0, back = 0;
  while (ahead < queue_.size() && back < back_queue_.size()) {
    const bool forward = queue_.size() - ahead <= back_queue_.size() - back;
    if (forward ? ExpandForward(queue_[ahead++]) : ExpandBackward(back_queue_[back++])) {
      return true;
    }
  }
  return false;
}

bool LayeredMaxFlow::ExpandForward(int32_t node) {
  for (int64_t k = 0; k < ArcCount(node); ++k) {
    const Arc arc = ArcAt(node, k);
    if (Residual(arc) <= graph_.epsilon()) continue;
    const int32_t to = ArcHead(arc);
    if (side_[to] == kToSink) return true;
    if (side_[to] == kUnseen) {
      side_[to] = kFromSource;
      queue_.push_back(to);
    }
  }
  return false;
}

// The nodes with a residual arc into `node`: tails of unsaturated in-edges, heads of out-edges
// that carry flow. Top-layer nodes other than the source are never reached from it.
bool LayeredMaxFlow::ExpandBackward(int32_t node) {
  const auto visit = [&](int32_t from) {
    if (side_[from] == kFromSource) return true;
    if (side_[from] == kUnseen && (graph_.LayerOf(from) < graph_.layers() || from == source_)) {
      side_[from] = kToSink;
      back_queue_.push_back(from);
    }
    return false;
  };
  for (int64_t k = graph_.InBegin(node); k < graph_.InBegin(node + 1); ++k) {
    const int64_t edge = graph_.InEdge(k);
    if (graph_.Capacity(edge) - flow_[edge] > graph_.epsilon() && visit(graph_.Tail(edge))) {
      return true;
    }
  }
  for (int64_t edge = graph_.OutBegin(node); edge < graph_.OutBegin(node + 1); ++edge) {
    if (flow_[edge] > graph_.epsilon() && visit(graph_.Head(edge))) return true;
  }
  return false;
}

// Sends as much as the level graph takes, up to `limit`, depth first: each node passes on what it
// receives along its admissible arcs in turn, and a node left with nowhere to send is dropped from
// the level graph, so no arc is tried twice in a phase once it has failed.
double LayeredMaxFlow::BlockingFlow(double limit) {
  frames_.assign(1, {source_, {}, limit, 0});
  while (true) {
    Frame& frame = frames_.back();
    const double room = frame.limit - frame.sent;
    Arc arc;
    if (room > graph_.epsilon() && NextAdmissibleArc(frame.node, arc)) {
      const double amount = std::min(room, Residual(arc));
      if (ArcHead(arc) != sink_) {
        frames_.push_back({ArcHead(arc), arc, amount, 0});
        continue;
      }
      // Arrived: the sink takes it all, and needs no frame of its own.
      Push(arc, amount);
      frame.sent += amount;
      if (frame.limit - frame.sent > graph_.epsilon()) ++current_arc_[frame.node];
      continue;
    }
    if (frames_.size() == 1) return frame.sent;
    if (room > graph_.epsilon()) level_[frame.node] = kDead;
    Return(frame.sent);
  }
}

// Ends the top frame, which delivered `amount` through the arc that led to it.
inline void LayeredMaxFlow::Return(double amount) {
  const Arc arc = frames_.back().arc;
  frames_.pop_back();
  Frame& parent = frames_.back();
  if (amount > 0) {
    Push(arc, amount);
    parent.sent += amount;
  }
  // The arc is full or leads to a dead node, unless the parent simply has nothing more to send.
  if (parent.limit - parent.sent > graph_.epsilon()) ++current_arc_[parent.node];
}

// Advances the node's current arc to the next arc into the next level with room left. The two
// loops are the hot path of the whole computation: down arcs, then (after the first phase) up.
inline bool LayeredMaxFlow::NextAdmissibleArc(int32_t node, Arc& arc) {
  const int32_t next_level = level_[node] + 1;
  const double epsilon = graph_.epsilon();
  int64_t& k = current_arc_[node];
  const int64_t down = DownArcCount(node);
  for (; k < down; ++k) {
    const int64_t edge = down_begin_[node] + k;
    if (level_[graph_.Head(edge)] == next_level && graph_.Capacity(edge) - flow_[edge] > epsilon) {
      arc = {edge, false};
      return true;
    }
  }
  if (down_only_) return false;
  const int64_t first_up = graph_.InBegin(node) - down;
  for (const int64_t end = graph_.InBegin(node + 1) - first_up; k < end; ++k) {
    const int64_t edge = graph_.InEdge(first_up + k);
    if (level_[graph_.Tail(edge)] == next_level && flow_[edge] > epsilon) {
      arc = {edge, true};
      return true;
    }
  }
  return false;
}

// Down arcs (along out-edges) first, then up arcs (against in-edges).
inline int64_t LayeredMaxFlow::DownArcCount(int32_t node) const {
  return down_end_[node] - down_begin_[node];
}

int64_t LayeredMaxFlow::ArcCount(int32_t node) const {
  if (down_only_) return DownArcCount(node);
  return DownArcCount(node) + graph_.InBegin(node + 1) - graph_.InBegin(node);
}

LayeredMaxFlow::Arc LayeredMaxFlow::ArcAt(int32_t node, int64_t index) const {
  const int64_t down = DownArcCount(node);
  if (index >= down) return {graph_.InEdge(graph_.InBegin(node) + index - down), true};
  return {down_begin_[node] + index, false};
}

inline int32_t LayeredMaxFlow::ArcHead(const Arc& arc) const {
  return arc.up ? graph_.Tail(arc.edge) : graph_.Head(arc.edge);
}

inline double LayeredMaxFlow::Residual(const Arc& arc) const {
  return arc.up ? flow_[arc.edge] : graph_.Capacity(arc.edge) - flow_[arc.edge];
}

inline void LayeredMaxFlow::Push(const Arc& arc, double amount) {
  double& flow = flow_[arc.edge];
  if (flow == 0) flowing_edges_.push_back(arc.edge);
  flow += arc.up ? -amount : amount;
}

}  // namespace attnviz
