// Heatmap layout: validating the request, sizing cells, and composing the page.
#include "heatmap_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "attnviz/error.h"
#include "attnviz/render/colormap.h"
#include "axis_labels.h"
#include "colorbar.h"
#include "figure_style.h"

namespace attnviz {
namespace {

constexpr double kLabelCellScale = 1.25;  // automatic cells: label line height plus air
constexpr double kMaxTokenSide = 720;     // 10 in: beyond this, token labels are thinned
constexpr double kMaxIndexSide = 468;     // 6.5 in: a page width for maps without tokens
constexpr double kMinSide = 144;          // 2 in: a short side grows toward this (cross-attention)
constexpr double kMinTitleWidthEm = 24;   // a title wider than the figure may widen it to this
constexpr int kMaxTitleLines = 2;         // then it wraps, then it is ellipsized

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

void ValidateMatrix(const HeatmapSpec& spec) {
  const Matrix& matrix = spec.matrix;
  if (matrix.rows < 1 || matrix.cols < 1) {
    ThrowUsageError("the heatmap matrix is empty (" + std::to_string(matrix.rows) + " x " +
                    std::to_string(matrix.cols) + ")");
  }
  if (static_cast<int64_t>(matrix.values.size()) != matrix.rows * matrix.cols) {
    ThrowUsageError("the heatmap matrix is " + std::to_string(matrix.rows) + " x " +
                    std::to_string(matrix.cols) + " but holds " +
                    std::to_string(matrix.values.size()) + " values");
  }
}

void ValidateLabels(const std::vector<std::string>& labels, int64_t count, const std::string& axis,
                    const char* unit) {
  if (!labels.empty() && static_cast<int64_t>(labels.size()) != count) {
    ThrowUsageError(std::to_string(labels.size()) + " " + axis + " labels for " +
                    std::to_string(count) + " " + unit);
  }
}

void ValidateOptions(const RenderOptions& options) {
  if (!(options.font_size > 0 && options.font_size <= 1000)) {
    ThrowUsageError("font size " + Number(options.font_size) + " is outside (0, 1000] points");
  }
  if (!(options.dpi > 0 && options.dpi <= 10000)) {
    ThrowUsageError("dpi " + Number(options.dpi) + " is outside (0, 10000]");
  }
  if (!(options.width_pt >= 0) || !(options.height_pt >= 0) || !std::isfinite(options.width_pt) ||
      !std::isfinite(options.height_pt)) {
    ThrowUsageError("figure size " + Number(options.width_pt) + " x " + Number(options.height_pt) +
                    " pt is not a size (0 means automatic)");
  }
  if (options.png_compression < 0 || options.png_compression > 9) {
    ThrowUsageError("PNG compression level " + std::to_string(options.png_compression) +
                    " is outside 0-9");
  }
}

const Colormap& ResolveColormap(const std::string& name) {
  if (const Colormap* colormap = FindColormap(name)) return *colormap;
  std::string known;
  for (std::string_view candidate : ColormapNames()) {
    if (!candidate.ends_with("_r")) known += (known.empty() ? "" : ", ") + std::string(candidate);
  }
  ThrowUsageError("unknown colormap \"" + name + "\"; expected one of " + known +
                  " (each also reversed with _r)");
}

double LargestFinite(const Matrix& matrix) {
  double largest = -INFINITY;
  for (float value : matrix.values) {
    if (std::isfinite(value)) largest = std::max(largest, static_cast<double>(value));
  }
  return largest;
}

// vmin defaults to 0 and vmax to the largest finite value; a default vmax that would not exceed
// vmin (all zeros, no finite values) becomes vmin + 1, so the colorbar still reads sensibly.
CellColoring ResolveColoring(const HeatmapSpec& spec) {
  double vmin = spec.vmin.value_or(0);
  if (!std::isfinite(vmin)) ThrowUsageError("vmin " + Number(vmin) + " is not a finite number");
  if (spec.vmax && !std::isfinite(*spec.vmax)) {
    ThrowUsageError("vmax " + Number(*spec.vmax) + " is not a finite number");
  }
  double vmax = spec.vmax.value_or(LargestFinite(spec.matrix));
  if (!spec.vmax && !(vmax > vmin)) vmax = vmin + 1;
  if (!(vmax > vmin)) {
    ThrowUsageError("vmax " + Number(vmax) + " must be greater than vmin " + Number(vmin));
  }
  return {&ResolveColormap(spec.colormap), vmin, vmax};
}

AxisSpec RowAxis(const HeatmapSpec& spec) {
  return {AxisSide::kLeft, spec.matrix.rows, &spec.row_labels, spec.row_axis_title};
}

AxisSpec ColAxis(const HeatmapSpec& spec) {
  return {AxisSide::kBottom, spec.matrix.cols, &spec.col_labels, spec.col_axis_title};
}

// The cell size an axis asks for when the figure size is automatic.
double WantedCell(const AxisSpec& axis, const FigureStyle& style) {
  double side = axis.has_tokens() ? kMaxTokenSide : kMaxIndexSide;
  return std::min(kLabelCellScale * style.line_height, side / static_cast<double>(axis.count));
}

// How far a short side (few queries against many keys) may grow past square cells: toward
// kMinSide rather than staying a sliver, and to a full line per token so its labels all show.
double GrownCell(const AxisSpec& axis, const FigureStyle& style) {
  double floor = kMinSide / static_cast<double>(axis.count);
  if (axis.has_tokens()) floor = std::max(floor, style.line_height);
  return std::min(WantedCell(axis, style), floor);
}

// Square cells that suit both axes, except that a short side may grow (GrownCell).
Size AutoCellSize(const HeatmapSpec& spec, const FigureStyle& style) {
  double cell = std::min(WantedCell(ColAxis(spec), style), WantedCell(RowAxis(spec), style));
  return {std::max(cell, GrownCell(ColAxis(spec), style)),
          std::max(cell, GrownCell(RowAxis(spec), style))};
}

// Everything but the title, with the matrix's top-left corner at the origin.
struct Arrangement {
  Rect matrix;
  Rect colorbar;
  FigureParts parts;
  int64_t row_label_step = 1;
  int64_t col_label_step = 1;

  Rect Bounds() const { return parts.Bounds().United(matrix).United(colorbar); }
};

Arrangement Arrange(const HeatmapSpec& spec, Size cell, const CellColoring& coloring,
                    const FigureStyle& style, const TextShaper& shaper) {
  Arrangement arrangement;
  Rect& matrix = arrangement.matrix;
  matrix = {0, 0, spec.matrix.cols * cell.width, spec.matrix.rows * cell.height};
  arrangement.parts.AddFrame(matrix);
  arrangement.row_label_step =
      PlaceAxis(RowAxis(spec), matrix, cell.height, style, shaper, arrangement.parts);
  arrangement.col_label_step =
      PlaceAxis(ColAxis(spec), matrix, cell.width, style, shaper, arrangement.parts);
  arrangement.colorbar = {matrix.right() + ColorbarGap(style), matrix.y, ColorbarWidth(style),
                          std::max(matrix.height, ColorbarMinHeight(style))};
  PlaceColorbar({coloring.colormap, coloring.vmin, coloring.vmax}, arrangement.colorbar, style,
                shaper, arrangement.parts);
  return arrangement;
}

// The title's block, ellipsized to `max_width`, and the height it takes above the plot.
struct TitleBlock {
  std::optional<TextBlock> block;
  double height = 0;
};

TitleBlock ShapeTitle(const HeatmapSpec& spec, double max_width, const FigureStyle& style,
                      const TextShaper& shaper) {
  if (spec.title.empty()) return {};
  TextBlock block = shaper.Shape(spec.title, style.title, max_width, kMaxTitleLines);
  double height = block.logical().height + 0.5 * style.gap;
  return {std::move(block), height};
}

// How wide the title may get before it wraps: the page's width on a fixed page; else the
// content's, or more for a narrow plot.
double TitleMaxWidth(const RenderOptions& options, double content_width, const FigureStyle& style) {
  if (options.width_pt > 0) return options.width_pt - 2 * style.margin;
  return std::max(content_width, kMinTitleWidthEm * style.em);
}

// What the labels, colorbar and title add to the matrix's width and height.
Size Decorations(const Arrangement& arrangement, double title_height) {
  Rect bounds = arrangement.Bounds();
  return {bounds.width - arrangement.matrix.width,
          bounds.height - arrangement.matrix.height + title_height};
}

// The square cell that fills the page's fixed side(s) around `decorations`.
double CellFillingPage(const HeatmapSpec& spec, const RenderOptions& options, Size decorations,
                       const FigureStyle& style) {
  double by_width = (options.width_pt - 2 * style.margin - decorations.width) / spec.matrix.cols;
  double by_height = (options.height_pt - 2 * style.margin - decorations.height) / spec.matrix.rows;
  double side = options.width_pt == 0    ? by_height
                : options.height_pt == 0 ? by_width
                                         : std::min(by_width, by_height);
  if (!(side > 0)) {
    ThrowUsageError("a figure of " + Number(options.width_pt) + " x " + Number(options.height_pt) +
                    " pt has no room left for the matrix: its " +
                    "labels, colorbar and title alone take " + Number(decorations.width) + " x " +
                    Number(decorations.height) + " pt");
  }
  return side;
}

// Square cells filling a fixed page. Decorations are measured around the previous guess; they
// barely depend on the cell size, so a few rounds settle.
Size FixedCellSize(const HeatmapSpec& spec, const RenderOptions& options,
                   const CellColoring& coloring, const FigureStyle& style,
                   const TextShaper& shaper) {
  Size cell = AutoCellSize(spec, style);
  for (int round = 0; round < 3; ++round) {
    Arrangement arrangement = Arrange(spec, cell, coloring, style, shaper);
    double title_width = TitleMaxWidth(options, arrangement.Bounds().width, style);
    double title_height = ShapeTitle(spec, title_width, style, shaper).height;
    double side = CellFillingPage(spec, options, Decorations(arrangement, title_height), style);
    cell = {side, side};
  }
  return cell;
}

// The page: the given size, or the content plus margins; the content is centred in it.
Size PageSize(const Rect& content, double title_width, double title_height,
              const RenderOptions& options, const FigureStyle& style) {
  Size page{std::max(content.width, title_width) + 2 * style.margin,
            content.height + title_height + 2 * style.margin};
  if (options.width_pt > 0) page.width = options.width_pt;
  if (options.height_pt > 0) page.height = options.height_pt;
  return page;
}

// The title, centred over the matrix but kept inside the page margins.
void PlaceTitle(TextBlock block, const Rect& matrix, double top_of_content, Size page,
                const FigureStyle& style, FigureParts& parts) {
  double half = block.logical().width / 2;
  double x = std::clamp(matrix.center().x, style.margin + half,
                        std::max(style.margin + half, page.width - style.margin - half));
  TextPlacement placement{
      {x, top_of_content - 0.5 * style.gap}, HAlign::kCenter, VAlign::kBottom, 0};
  parts.AddText({std::move(block), placement});
}

void ValidateRequest(const HeatmapSpec& spec, const RenderOptions& options) {
  ValidateOptions(options);
  ValidateMatrix(spec);
  ValidateLabels(spec.row_labels, spec.matrix.rows, spec.row_axis_title, "rows");
  ValidateLabels(spec.col_labels, spec.matrix.cols, spec.col_axis_title, "columns");
}

// Sizes the page around the arrangement and its title, and moves everything onto it.
HeatmapPlan ComposePage(Arrangement arrangement, TitleBlock title, const CellColoring& coloring,
                        const RenderOptions& options, const FigureStyle& style) {
  Rect content = arrangement.Bounds();
  double title_width = title.block ? title.block->logical().width : 0;
  Size page = PageSize(content, title_width, title.height, options, style);
  double dx = (page.width - content.width) / 2 - content.x;
  double dy = style.margin + title.height +
              (page.height - 2 * style.margin - title.height - content.height) / 2 - content.y;
  arrangement.parts.Translate(dx, dy);
  HeatmapPlan plan{page,
                   arrangement.matrix.Translated(dx, dy),
                   arrangement.colorbar.Translated(dx, dy),
                   std::move(arrangement.parts),
                   coloring,
                   arrangement.row_label_step,
                   arrangement.col_label_step};
  if (title.block) {
    PlaceTitle(std::move(*title.block), plan.matrix, content.y + dy, page, style, plan.parts);
  }
  return plan;
}

}  // namespace

HeatmapPlan PlanHeatmap(const HeatmapSpec& spec, const RenderOptions& options,
                        const TextShaper& shaper) {
  ValidateRequest(spec, options);
  CellColoring coloring = ResolveColoring(spec);
  FigureStyle style = MakeFigureStyle(options.font, options.font_size, shaper);
  bool fixed = options.width_pt > 0 || options.height_pt > 0;
  Size cell =
      fixed ? FixedCellSize(spec, options, coloring, style, shaper) : AutoCellSize(spec, style);
  Arrangement arrangement = Arrange(spec, cell, coloring, style, shaper);
  double title_width = TitleMaxWidth(options, arrangement.Bounds().width, style);
  TitleBlock title = ShapeTitle(spec, title_width, style, shaper);
  return ComposePage(std::move(arrangement), std::move(title), coloring, options, style);
}

}  // namespace attnviz
