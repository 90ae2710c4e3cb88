// Dendrograms through the XY plot: leaves on a category axis, each merge a bracket.
#include "attnviz/render/dendrogram.h"

#include <algorithm>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "axis_labels.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

namespace {

constexpr double kMaxPlotHeight = 720;       // 10 in, as for heatmaps with tokens
constexpr double kMinPlotHeight = 144;       // 2 in
constexpr double kTallestPlotHeight = 1440;  // 20 in, as arrows grow for their tokens
constexpr double kPlotWidth = 288;           // 4 in of distance axis

void Validate(const DendrogramSpec& spec) {
  const auto n = std::ssize(spec.leaves);
  const bool sizes_match = std::ssize(spec.labels) == n && std::ssize(spec.links) == n - 1 &&
                           (spec.leaf_colors.empty() || std::ssize(spec.leaf_colors) == n);
  std::vector<int64_t> sorted = spec.leaves;
  std::sort(sorted.begin(), sorted.end());
  bool permutation = true;
  for (int64_t i = 0; i < n; ++i) permutation = permutation && sorted[i] == i;
  bool links_valid = true;
  for (int64_t k = 0; k < std::ssize(spec.links); ++k) {
    const DendrogramLink& link = spec.links[k];
    links_valid = links_valid && link.a >= 0 && link.b >= 0 && link.a < n + k && link.b < n + k;
  }
  if (n == 0 || !sizes_match || !permutation || !links_valid) {
    ThrowUsageError(
        "a dendrogram needs n leaves in some order, n labels and n - 1 links that "
        "join earlier clusters; found " +
        std::to_string(n) + " leaves, " + std::to_string(spec.labels.size()) + " labels, " +
        std::to_string(spec.links.size()) + " links");
  }
}

// Where each cluster sits: leaves at height 0 and their row (the first at the top), a merged
// cluster at its height and midway between its two parts, as scipy draws them.
std::vector<Point> ClusterPositions(const DendrogramSpec& spec) {
  const auto n = std::ssize(spec.leaves);
  std::vector<Point> at(static_cast<size_t>(2 * n - 1));
  for (int64_t row = 0; row < n; ++row)
    at[spec.leaves[row]] = {0, static_cast<double>(n - 1 - row)};
  for (int64_t k = 0; k < std::ssize(spec.links); ++k) {
    const DendrogramLink& link = spec.links[k];
    at[n + k] = {link.height, (at[link.a].y + at[link.b].y) / 2};
  }
  return at;
}

// Rows of 1.25 lines up to 10 in; more leaves shrink their labels (down to 6 pt) to stay within
// 10 in, then the plot grows, up to 20 in, before labels are thinned (with a note on the axis).
double PlotHeight(int64_t leaves, const RenderOptions& options) {
  const TextShaper& shaper = SharedTextShaper();
  const FigureStyle style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  const auto n = static_cast<double>(leaves);
  const double comfortable = std::min(1.25 * style.line_height * n, kMaxPlotHeight);
  const double smallest = SmallestLabelLineHeight(style, shaper) * n;
  return std::clamp(std::max(comfortable, smallest), kMinPlotHeight, kTallestPlotHeight);
}

}  // namespace

ScatterSpec DendrogramScatter(const DendrogramSpec& spec, const RenderOptions& options) {
  Validate(spec);
  const auto n = std::ssize(spec.leaves);
  const std::vector<Point> at = ClusterPositions(spec);
  ScatterSpec scatter;
  scatter.title = spec.title;
  scatter.legend = spec.legend;
  scatter.x.title = spec.axis_title;
  scatter.plot = {kPlotWidth, PlotHeight(n, options)};
  for (int64_t row = 0; row < n; ++row) {
    scatter.y.categories.push_back(
        {static_cast<double>(n - 1 - row), spec.labels[spec.leaves[row]]});
  }
  const Rgba ink = PaletteFor(options.theme).ink;
  double top = 0;
  for (int64_t k = 0; k < std::ssize(spec.links); ++k) {
    const Point a = at[spec.links[k].a], b = at[spec.links[k].b], joint = at[n + k];
    scatter.lines.push_back({{a, {joint.x, a.y}, {joint.x, b.y}, b}, ink, 1.0});
    top = std::max(top, joint.x);
  }
  if (!spec.leaf_colors.empty()) {
    // Dots shrink with the rows so that neighbours do not merge; 0 keeps the plot's default.
    const double row = scatter.plot.height / static_cast<double>(n);
    const double dot = row < 8 ? 0.4 * row : 0;
    for (int64_t leaf = 0; leaf < n; ++leaf) {
      scatter.points.push_back({0, at[leaf].y, spec.leaf_colors[leaf], "", dot});
    }
  }
  if (spec.threshold) {
    const Rgba grey{150, 150, 150, 255};
    scatter.lines.push_back(
        {{{*spec.threshold, -0.5}, {*spec.threshold, n - 0.5}}, grey, 1.0, true});
    top = std::max(top, *spec.threshold);
  }
  scatter.x.min = 0.0;
  scatter.x.max = top > 0 ? 1.05 * top : 1.0;
  return scatter;
}

std::string RenderDendrogram(const DendrogramSpec& spec, ImageFormat format,
                             const RenderOptions& options) {
  return RenderScatter(DendrogramScatter(spec, options), format, options);
}

}  // namespace attnviz
