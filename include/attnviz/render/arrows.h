// The arrows figure (head view, alignment plot): query and key tokens joined by weighted lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// Heads overlaid in one figure take matplotlib's tab10 colours in order; beyond ten they would
// repeat, so no more are accepted.
inline constexpr int kMaxArrowsHeads = 10;

// By default at most this many lines are drawn, the strongest; more would take seconds to draw
// and still read as a solid band.
inline constexpr int64_t kDefaultMaxLines = 20000;

struct ArrowsHead {
  std::string name;  // the legend entry, e.g. "head 3"
  Matrix weights;    // queries x keys; every head of a figure has the same shape
};

struct ArrowsSpec {
  std::vector<std::string> query_tokens;  // empty: indices
  std::vector<std::string> key_tokens;    // empty: indices
  int64_t first_query_index = 0;          // index labels of a crop start here
  int64_t first_key_index = 0;
  std::vector<ArrowsHead> heads;
  std::string title;
  std::string query_title = "query";
  std::string key_title = "key";
  bool horizontal = false;  // queries along the top, keys along the bottom (alignment plots)
  // Which lines are drawn: per query and head the top_k strongest (0: all) of weight at least
  // min_weight, and of those at most max_lines over the whole figure (0: no limit), strongest
  // first. Lines fainter than 1/256 of vmax are never drawn: no output could show them.
  int64_t top_k = 0;
  double min_weight = 0;
  int64_t max_lines = kDefaultMaxLines;
  // The weight drawn opaque and widest; weaker lines are fainter and thinner in proportion.
  // Default: the largest finite weight shown.
  std::optional<double> vmax;
  // Sentence pairs: a gap before query `query_split` and key `key_split` (0: none).
  int64_t query_split = 0;
  int64_t key_split = 0;
};

struct ArrowsLine {
  int64_t query = 0;
  int64_t key = 0;
  int head = 0;
  float weight = 0;
};

// Where the arrows' parts land on the page, in points (y down).
struct ArrowsLayout {
  Size page;
  std::vector<Point> query_anchors;  // where each query's lines start
  std::vector<Point> key_anchors;    // where each key's lines end
  std::vector<ArrowsLine> lines;     // in drawing order: weakest first, strongest on top
  int64_t selected_lines = 0;        // lines passing top_k and min_weight, before max_lines
  int64_t nonfinite_weights = 0;     // NaN or infinite weights: no line can show them
  double vmax = 1;
  double max_line_width = 0;  // points, the width of a line of weight vmax
  // With several heads, each head's lines are shifted along the columns (rows) by
  // (head - (heads - 1) / 2) * head_spacing points, so heads joining the same pair show side by
  // side instead of covering each other.
  double head_spacing = 0;
  std::vector<Rect> legend_swatches;  // one per head when there are several, in head order
  std::vector<Rect> text_bounds;
  int64_t query_label_step = 1;  // every k-th token is labelled
  int64_t key_label_step = 1;
  double query_label_size = 0;  // points: labels shrink to fit their pitch, down to 6 pt
  double key_label_size = 0;
};

// The colour of the i-th overlaid head: matplotlib's tab10, C0 blue, C1 orange, ...
Rgba ArrowsHeadColor(int index);

// The layout RenderArrows draws. Tokens sit one label line and a quarter apart, both columns
// spread over the same length, up to 10 in; beyond that the labels shrink down to 6 pt, then the
// columns grow up to 20 in, and only then is every k-th token labelled, the column titles saying
// so ("query (every 2nd token labelled)"). Throws like RenderArrows.
ArrowsLayout LayoutArrows(const ArrowsSpec& spec, const RenderOptions& options = {});

// Draws the lines (each its own stroke, so crossings darken as more weight flows through them),
// the tokens, a legend of the heads when there are several, and a key of line weights. Throws
// Error(kUsage) for no heads, more than kMaxArrowsHeads, heads of different shapes, token
// counts that do not match, splits outside the tokens, or a vmax that is not positive.
std::string RenderArrows(const ArrowsSpec& spec, ImageFormat format,
                         const RenderOptions& options = {});

}  // namespace attnviz
