// The dendrogram of a hierarchical clustering: leaves listed down the left, merges drawn as
// brackets at their distance along the bottom axis.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"
#include "attnviz/render/scatter.h"

namespace attnviz {

// One merge of a linkage in scipy's format: clusters `a` and `b` (leaves are 0..n-1, link k
// makes cluster n + k) joined at `height`.
struct DendrogramLink {
  int64_t a = 0;
  int64_t b = 0;
  double height = 0;
};

struct DendrogramSpec {
  std::vector<DendrogramLink> links;  // n - 1 for n leaves
  std::vector<int64_t> leaves;        // the leaf order, top to bottom
  std::vector<std::string> labels;    // one per leaf index
  std::vector<Rgba> leaf_colors;      // one per leaf index, a dot at each leaf; empty: none
  std::vector<LegendEntry> legend;
  std::optional<double> threshold;  // a dashed line at this distance
  std::string title;
  std::string axis_title = "distance";
};

// The dendrogram as a ScatterSpec. Leaves are one label line (x1.25) apart, the plot at most
// 10 in tall (then every k-th label shows). Throws Error(kUsage) when links, leaves and labels
// do not describe one tree over the same leaves.
ScatterSpec DendrogramScatter(const DendrogramSpec& spec, const RenderOptions& options = {});

// Throws like DendrogramScatter and RenderScatter.
std::string RenderDendrogram(const DendrogramSpec& spec, ImageFormat format,
                             const RenderOptions& options = {});

}  // namespace attnviz
