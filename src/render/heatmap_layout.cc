// Heatmap layout: validating the request, sizing cells, and composing the page.
#include "heatmap_layout.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "attnviz/render/colormap.h"
#include "axis_labels.h"
#include "figure_title.h"

namespace attnviz {
namespace {

constexpr double kLabelCellScale = 1.25;  // automatic cells: label line height plus air
constexpr double kMaxTokenSide = 720;     // 10 in: beyond this, token labels shrink, then thin
constexpr double kMaxIndexSide = 468;     // 6.5 in: a page width for maps without tokens
constexpr double kMinSide = 144;          // 2 in: a short side grows toward this (cross-attention)
constexpr double kMinTitleWidthEm = 24;   // a title wider than the figure may widen it to this
constexpr int kMaxTitleLines = 2;         // then it wraps, then it is ellipsized
constexpr double kMinAnnotationSize = 4;  // points: smaller values are left out
constexpr double kAnnotationPadEm = 0.6;  // room beside a value, in annotation ems
constexpr double kAnnotationLineScale = 1.2;  // a cell at least this many value lines tall
constexpr double kBareHatchPixels = 4;        // hatch spacing of bare output

void ValidateMatrix(const HeatmapSpec& spec) {
  const Matrix& matrix = spec.matrix;
  if (matrix.rows < 1 || matrix.cols < 1) {
    ThrowUsageError("the heatmap matrix is empty (" + std::to_string(matrix.rows) + " x " +
                    std::to_string(matrix.cols) + ")");
  }
  if (spec.bands) {
    if (spec.bands->rows() == matrix.rows && spec.bands->cols() == matrix.cols &&
        matrix.values.empty() && matrix.masked.empty()) {
      return;
    }
    ThrowUsageError("the heatmap's bands are " + std::to_string(spec.bands->rows()) + " x " +
                    std::to_string(spec.bands->cols()) + " but its shape says " +
                    std::to_string(matrix.rows) + " x " + std::to_string(matrix.cols) +
                    " (with no values)");
  }
  size_t cells = static_cast<size_t>(matrix.rows * matrix.cols);
  if (matrix.values.size() != cells || (!matrix.masked.empty() && matrix.masked.size() != cells)) {
    ThrowUsageError("the heatmap matrix is " + std::to_string(matrix.rows) + " x " +
                    std::to_string(matrix.cols) + " but holds " +
                    std::to_string(matrix.values.size()) + " values and " +
                    std::to_string(matrix.masked.size()) + " mask flags");
  }
}

void ValidateLabels(const std::vector<std::string>& labels, int64_t count, const std::string& axis,
                    const char* unit) {
  if (!labels.empty() && static_cast<int64_t>(labels.size()) != count) {
    ThrowUsageError(std::to_string(labels.size()) + " " + axis + " labels for " +
                    std::to_string(count) + " " + unit);
  }
}

AxisSpec RowAxis(const HeatmapSpec& spec) {
  return {AxisSide::kLeft, spec.matrix.rows, &spec.row_labels, spec.row_axis_title,
          spec.first_row_index};
}

AxisSpec ColAxis(const HeatmapSpec& spec) {
  return {AxisSide::kBottom, spec.matrix.cols, &spec.col_labels, spec.col_axis_title,
          spec.first_col_index};
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

// What the values in the cells need: the widest value at the annotation size, plus air.
struct AnnotationNeed {
  bool wanted = false;
  double base_size = 0;  // points
  double width = 0;      // the cell width the widest value needs at base_size
  double height = 0;     // the cell height one value line needs at base_size
};

AnnotationNeed MeasureAnnotations(const HeatmapSpec& spec, const FigureStyle& style,
                                  const TextShaper& shaper) {
  bool fits_auto =
      spec.matrix.rows <= kMaxAutoAnnotatedCells && spec.matrix.cols <= kMaxAutoAnnotatedCells;
  if (!spec.annotate.value_or(fits_auto)) return {};
  const TextStyle& text = style.annotation;
  double widest =
      WidestAnnotation(spec.matrix, ValueFormatFor(spec.matrix, spec.norm.kind), text, shaper);
  double line = shaper.Shape("0", text).logical().height;
  return {true, text.size, widest + kAnnotationPadEm * text.size, line * kAnnotationLineScale};
}

// The annotation size that fits `cell`: the base size, or smaller; 0 when under 4 pt.
double AnnotationSizeFor(const AnnotationNeed& need, Size cell) {
  if (!need.wanted) return 0;
  double scale = std::min({1.0, cell.width / need.width, cell.height / need.height});
  double size = need.base_size * scale;
  return size >= kMinAnnotationSize ? size : 0;
}

// Square cells that suit both axes (and the values written in them), except that a short side
// may grow (GrownCell).
Size AutoCellSize(const HeatmapSpec& spec, const AnnotationNeed& need, const FigureStyle& style) {
  double cell = std::min(WantedCell(ColAxis(spec), style), WantedCell(RowAxis(spec), style));
  if (need.wanted) cell = std::max({cell, need.width, need.height});
  // A summary map's cells grow to min_cell, while the matrix stays within 10 in.
  double longest = static_cast<double>(std::max(spec.matrix.rows, spec.matrix.cols));
  cell = std::max(cell, std::min(spec.min_cell, kMaxTokenSide / longest));
  return {std::max(cell, GrownCell(ColAxis(spec), style)),
          std::max(cell, GrownCell(RowAxis(spec), style))};
}

// Everything but the title, with the matrix's top-left corner at the origin.
struct Arrangement {
  Rect matrix;
  Rect colorbar;
  FigureParts parts;
  PlacedAxis rows;
  PlacedAxis cols;

  Rect Bounds() const { return parts.Bounds().United(matrix).United(colorbar); }
};

ColorbarSpec ColorbarFor(const ColorScale& scale) {
  return {scale.colormap, scale.vmin, scale.vmax, scale.norm, {}, {}};
}

Arrangement Arrange(const HeatmapSpec& spec, Size cell, const ColorScale& scale,
                    const FigureStyle& style, const TextShaper& shaper) {
  Arrangement arrangement;
  Rect& matrix = arrangement.matrix;
  matrix = {0, 0, spec.matrix.cols * cell.width, spec.matrix.rows * cell.height};
  arrangement.parts.AddFrame(matrix);
  arrangement.rows =
      PlaceAxis(RowAxis(spec), matrix, cell.height, style, shaper, arrangement.parts);
  arrangement.cols = PlaceAxis(ColAxis(spec), matrix, cell.width, style, shaper, arrangement.parts);
  arrangement.colorbar = {matrix.right() + ColorbarGap(style), matrix.y, ColorbarWidth(style),
                          std::max(matrix.height, ColorbarMinHeight(style))};
  PlaceColorbar(ColorbarFor(scale), arrangement.colorbar, style, shaper, arrangement.parts);
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
  TextBlock block = ShapeFigureTitle(spec.title, style.title, max_width, kMaxTitleLines, shaper);
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
Size FixedCellSize(const HeatmapSpec& spec, const RenderOptions& options, const ColorScale& scale,
                   const FigureStyle& style, const TextShaper& shaper) {
  Size cell = AutoCellSize(spec, {}, style);
  for (int round = 0; round < 3; ++round) {
    Arrangement arrangement = Arrange(spec, cell, scale, style, shaper);
    double title_width = TitleMaxWidth(options, arrangement.Bounds().width, style);
    double title_height = ShapeTitle(spec, title_width, style, shaper).height;
    double side = CellFillingPage(spec, options, Decorations(arrangement, title_height), style);
    cell = {side, side};
  }
  return cell;
}

Size ChooseCellSize(const HeatmapSpec& spec, const RenderOptions& options,
                    const AnnotationNeed& need, const ColorScale& scale, const FigureStyle& style,
                    const TextShaper& shaper) {
  if (options.cell_pixels > 0) {
    double side = options.cell_pixels * 72 / options.dpi;
    return {side, side};
  }
  if (options.width_pt > 0 || options.height_pt > 0) {
    return FixedCellSize(spec, options, scale, style, shaper);
  }
  return AutoCellSize(spec, need, style);
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
  ValidateRenderOptions(options);
  ValidateMatrix(spec);
  ValidateLabels(spec.row_labels, spec.matrix.rows, spec.row_axis_title, "rows");
  ValidateLabels(spec.col_labels, spec.matrix.cols, spec.col_axis_title, "columns");
}

// Sizes the page around the arrangement and its title, and moves everything onto it.
void ComposePage(Arrangement arrangement, TitleBlock title, const RenderOptions& options,
                 const FigureStyle& style, HeatmapPlan& plan) {
  Rect content = arrangement.Bounds();
  double title_width = title.block ? title.block->logical().width : 0;
  Size page = PageSize(content, title_width, title.height, options, style);
  double dx = (page.width - content.width) / 2 - content.x;
  double dy = style.margin + title.height +
              (page.height - 2 * style.margin - title.height - content.height) / 2 - content.y;
  arrangement.parts.Translate(dx, dy);
  plan.page = page;
  plan.matrix = arrangement.matrix.Translated(dx, dy);
  plan.colorbar = arrangement.colorbar.Translated(dx, dy);
  plan.parts = std::move(arrangement.parts);
  plan.row_label_step = arrangement.rows.step;
  plan.col_label_step = arrangement.cols.step;
  plan.row_label_size = arrangement.rows.label_size;
  plan.col_label_size = arrangement.cols.label_size;
  if (title.block) {
    PlaceTitle(std::move(*title.block), plan.matrix, content.y + dy, page, style, plan.parts);
  }
}

void PlaceCellValues(const HeatmapSpec& spec, const AnnotationNeed& need, const FigureStyle& style,
                     const TextShaper& shaper, HeatmapPlan& plan) {
  Size cell{plan.matrix.width / spec.matrix.cols, plan.matrix.height / spec.matrix.rows};
  plan.annotation_size = AnnotationSizeFor(need, cell);
  if (plan.annotation_size == 0) return;
  TextStyle text = style.annotation;
  text.size = plan.annotation_size;
  plan.annotations = PlaceAnnotations(spec.matrix, plan.coloring.scale, plan.matrix, text, shaper);
}

// Only the cells, each cell_pixels (default 1) square, filling the page.
void PlanBare(const HeatmapSpec& spec, const RenderOptions& options, HeatmapPlan& plan) {
  double side = std::max(options.cell_pixels, 1) * 72 / options.dpi;
  plan.bare = true;
  plan.page = {spec.matrix.cols * side, spec.matrix.rows * side};
  plan.matrix = {0, 0, plan.page.width, plan.page.height};
  plan.coloring.hatch_spacing = kBareHatchPixels * 72 / options.dpi;
}

}  // namespace

void ValidateRenderOptions(const RenderOptions& options) {
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
  if (options.cell_pixels < 0 || options.cell_pixels > 10000) {
    ThrowUsageError("cell size " + std::to_string(options.cell_pixels) +
                    " pixels is outside 1-10000");
  }
  if (options.cell_pixels > 0 && (options.width_pt > 0 || options.height_pt > 0)) {
    ThrowUsageError("give the cell size or the figure size, not both");
  }
}

HeatmapPlan PlanHeatmap(const HeatmapSpec& spec, const RenderOptions& options,
                        const TextShaper& shaper) {
  ValidateRequest(spec, options);
  ScaleRequest request{spec.colormap, spec.norm, spec.vmin, spec.vmax};
  ValueRange range;
  if (LimitsFromData(request)) {
    if (spec.bands) {
      AddToRange(*spec.bands, range);
    } else {
      range.Add(spec.matrix);
    }
  }
  ColorScale scale = ResolveColorScale(request, range);
  FigureStyle style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  HeatmapPlan plan;
  plan.palette = style.palette;
  plan.coloring = {scale, spec.pooling, style.palette.masked_fill, style.palette.masked_hatch,
                   style.hatch_spacing};
  if (options.bare) {
    PlanBare(spec, options, plan);
    return plan;
  }
  AnnotationNeed need = MeasureAnnotations(spec, style, shaper);
  Size cell = ChooseCellSize(spec, options, need, scale, style, shaper);
  Arrangement arrangement = Arrange(spec, cell, scale, style, shaper);
  double title_width = TitleMaxWidth(options, arrangement.Bounds().width, style);
  TitleBlock title = ShapeTitle(spec, title_width, style, shaper);
  ComposePage(std::move(arrangement), std::move(title), options, style, plan);
  PlaceCellValues(spec, need, style, shaper, plan);
  return plan;
}

}  // namespace attnviz
