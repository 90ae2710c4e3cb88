// Grid layout: panels in rows and columns with their labels, captions and the colorbar.
#include "grid_layout.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "attnviz/error.h"
#include "figure_title.h"
#include "heatmap_layout.h"

namespace attnviz {
namespace {

constexpr double kMinPanel = 28.8;   // 0.4 in: a 128-token head still shows its pattern
constexpr double kMaxPanel = 90;     // 1.25 in
constexpr double kGridWidth = 720;   // 10 in: automatic panels shrink to keep the grid within
constexpr double kGridHeight = 936;  // 13 in
constexpr double kPanelGapRatio = 0.12;
constexpr double kMaxColorbarHeight = 432;  // 6 in: a tall grid does not need a taller bar
constexpr double kCaptionSizeEm = 0.75;
constexpr double kCaptionSizePerPanel = 0.21;  // "previous" is about 4.4 ems wide
constexpr double kMinCaptionSize = 5;
constexpr int kCaptionLines = 2;
constexpr double kMinTitleWidthEm = 24;

std::string Count(int64_t n) { return std::to_string(n); }

void ValidateCount(size_t count, int64_t expected, const std::string& what, const char* unit) {
  if (count != 0 && static_cast<int64_t>(count) != expected) {
    ThrowUsageError(Count(static_cast<int64_t>(count)) + " " + what + " for " + Count(expected) +
                    " " + unit);
  }
}

// Height over width of a panel: the head's own shape, kept between 1:4 and 4:1.
double PanelAspect(const GridSpec& spec) {
  return std::clamp(static_cast<double>(spec.panel_rows) / spec.panel_cols, 0.25, 4.0);
}

double AutoPanelWidth(const GridSpec& spec) {
  double by_width = kGridWidth / spec.cols;
  double by_height = kGridHeight / (spec.rows * PanelAspect(spec));
  return std::clamp(std::min(by_width, by_height), kMinPanel, kMaxPanel);
}

std::string RowLabel(const GridSpec& spec, int64_t row) {
  return spec.row_labels.empty() ? Count(row) : spec.row_labels[row];
}

std::string ColLabel(const GridSpec& spec, int64_t col) {
  return spec.col_labels.empty() ? Count(col) : spec.col_labels[col];
}

// Captions shrink with small panels, so that a word such as "previous" fits under a 0.4 in one,
// but not below 5 pt.
TextStyle CaptionStyle(const FigureStyle& style, double panel_width) {
  TextStyle caption = style.label;
  caption.size =
      std::clamp(panel_width * kCaptionSizePerPanel,
                 std::min(kMinCaptionSize, kCaptionSizeEm * style.em), kCaptionSizeEm * style.em);
  return caption;
}

// Captions keep half a gap clear between neighbours.
double CaptionWidth(double panel_width, double col_gap) { return panel_width + 0.5 * col_gap; }

// Where the panels go for a panel width, and the room captions take under each row.
struct PanelGrid {
  double width = 0;
  double height = 0;
  double col_gap = 0;
  double row_gap = 0;
  double caption_height = 0;
  double group_gap = 0;                // extra, between column groups
  std::vector<int64_t> groups_before;  // per column: group boundaries left of it; empty: none

  Rect Panel(int64_t row, int64_t col) const {
    const double extra = groups_before.empty() ? 0 : groups_before[col] * group_gap;
    return {col * (width + col_gap) + extra, row * (height + row_gap), width, height};
  }
  // The right edge of the last column.
  double Right(int64_t cols) const { return Panel(0, cols - 1).right(); }
};

// Per column, how many times the group name changed before it; empty without groups.
std::vector<int64_t> GroupsBefore(const GridSpec& spec) {
  std::vector<int64_t> before;
  for (size_t col = 0; col < spec.col_groups.size(); ++col) {
    const bool starts = col > 0 && spec.col_groups[col] != spec.col_groups[col - 1];
    before.push_back((col > 0 ? before.back() : 0) + (starts ? 1 : 0));
  }
  return before;
}

// The tallest caption at `panel_width`, or 0 without captions.
double CaptionHeight(const GridSpec& spec, double max_width, const TextStyle& caption,
                     const TextShaper& shaper) {
  double height = 0;
  for (const std::string& text : spec.captions) {
    if (text.empty()) continue;
    height =
        std::max(height, shaper.Shape(text, caption, max_width, kCaptionLines).logical().height);
  }
  return height;
}

PanelGrid MakePanelGrid(const GridSpec& spec, double width, const FigureStyle& style,
                        const TextShaper& shaper) {
  PanelGrid grid;
  grid.width = width;
  grid.height = width * PanelAspect(spec);
  grid.col_gap = std::max(kPanelGapRatio * width, 0.4 * style.em);
  grid.group_gap = std::max(grid.col_gap, 0.8 * style.em);
  grid.groups_before = GroupsBefore(spec);
  grid.caption_height =
      CaptionHeight(spec, CaptionWidth(width, grid.col_gap), CaptionStyle(style, width), shaper);
  grid.row_gap =
      grid.col_gap + (grid.caption_height > 0 ? grid.caption_height + 0.2 * style.em : 0);
  return grid;
}

// Each run of equal group names: its name centred over a line spanning its columns, above
// `top`. Returns the new top.
double PlaceColumnGroups(const GridSpec& spec, const PanelGrid& grid, const FigureStyle& style,
                         const TextShaper& shaper, double top, FigureParts& parts) {
  const double line = top - 0.5 * style.tick_pad;
  double new_top = top;
  for (size_t first = 0; first < spec.col_groups.size();) {
    size_t last = first;
    while (last + 1 < spec.col_groups.size() && spec.col_groups[last + 1] == spec.col_groups[first])
      ++last;
    const double left = grid.Panel(0, int64_t(first)).x,
                 right = grid.Panel(0, int64_t(last)).right();
    parts.AddTick({left, line}, {right, line});
    PlacedText label{
        shaper.Shape(spec.col_groups[first], style.label, std::max(right - left, 3 * style.em)),
        {{(left + right) / 2, line - style.tick_pad}, HAlign::kCenter, VAlign::kBottom, 0}};
    new_top = std::min(new_top, label.Bounds().y);
    parts.AddText(std::move(label));
    first = last + 1;
  }
  return new_top;
}

void PlaceColumnLabels(const GridSpec& spec, const PanelGrid& grid, const FigureStyle& style,
                       const TextShaper& shaper, FigureParts& parts) {
  double top = 0;
  for (int64_t col = 0; col < spec.cols; ++col) {
    Rect panel = grid.Panel(0, col);
    PlacedText label{shaper.Shape(ColLabel(spec, col), style.label, grid.width + grid.col_gap),
                     {{panel.center().x, -style.tick_pad}, HAlign::kCenter, VAlign::kBottom, 0}};
    top = std::min(top, label.Bounds().y);
    parts.AddText(std::move(label));
  }
  top = PlaceColumnGroups(spec, grid, style, shaper, top, parts);
  if (spec.col_axis_title.empty()) return;
  double width = grid.Right(spec.cols);
  TextBlock title =
      shaper.Shape(spec.col_axis_title, style.axis_title, std::max(width, 20 * style.em));
  parts.AddText(
      {std::move(title), {{width / 2, top - style.tick_pad}, HAlign::kCenter, VAlign::kBottom, 0}});
}

void PlaceRowLabels(const GridSpec& spec, const PanelGrid& grid, const FigureStyle& style,
                    const TextShaper& shaper, FigureParts& parts) {
  double left = 0;
  for (int64_t row = 0; row < spec.rows; ++row) {
    Rect panel = grid.Panel(row, 0);
    PlacedText label{shaper.Shape(RowLabel(spec, row), style.label, style.max_label_width),
                     {{-style.tick_pad, panel.center().y}, HAlign::kRight, VAlign::kMiddle, 0}};
    left = std::min(left, label.Bounds().x);
    parts.AddText(std::move(label));
  }
  if (spec.row_axis_title.empty()) return;
  double height = spec.rows * (grid.height + grid.row_gap) - grid.row_gap;
  TextBlock title =
      shaper.Shape(spec.row_axis_title, style.axis_title, std::max(height, 20 * style.em));
  parts.AddText({std::move(title),
                 {{left - style.tick_pad, height / 2},
                  HAlign::kCenter,
                  VAlign::kBottom,
                  std::numbers::pi / 2}});
}

void PlaceCaptions(const GridSpec& spec, const PanelGrid& grid, const FigureStyle& style,
                   const TextShaper& shaper, FigureParts& parts) {
  TextStyle caption = CaptionStyle(style, grid.width);
  for (size_t i = 0; i < spec.captions.size(); ++i) {
    if (spec.captions[i].empty()) continue;
    Rect panel =
        grid.Panel(static_cast<int64_t>(i) / spec.cols, static_cast<int64_t>(i) % spec.cols);
    TextBlock block = shaper.Shape(spec.captions[i], caption,
                                   CaptionWidth(grid.width, grid.col_gap), kCaptionLines);
    parts.AddText(
        {std::move(block),
         {{panel.center().x, panel.bottom() + 0.2 * style.em}, HAlign::kCenter, VAlign::kTop, 0}});
  }
}

// Everything but the title, the first panel's top-left corner at the origin.
struct GridArrangement {
  std::vector<Rect> panels;
  Rect colorbar;
  FigureParts parts;

  Rect Bounds() const {
    Rect bounds = parts.Bounds().United(colorbar);
    for (const Rect& panel : panels) bounds = bounds.United(panel);
    return bounds;
  }
};

GridArrangement ArrangeGrid(const GridSpec& spec, const PanelGrid& grid,
                            const GridColorbar& colorbar, const FigureStyle& style,
                            const TextShaper& shaper) {
  GridArrangement arrangement;
  for (int64_t row = 0; row < spec.rows; ++row) {
    for (int64_t col = 0; col < spec.cols; ++col) {
      arrangement.panels.push_back(grid.Panel(row, col));
      arrangement.parts.AddFrame(arrangement.panels.back());
    }
  }
  PlaceColumnLabels(spec, grid, style, shaper, arrangement.parts);
  PlaceRowLabels(spec, grid, style, shaper, arrangement.parts);
  PlaceCaptions(spec, grid, style, shaper, arrangement.parts);
  double height = spec.rows * (grid.height + grid.row_gap) - grid.row_gap;
  double bar_height = std::clamp(height, ColorbarMinHeight(style), kMaxColorbarHeight);
  double right = grid.Right(spec.cols);
  arrangement.colorbar = {right + ColorbarGap(style), std::max(0.0, (height - bar_height) / 2),
                          ColorbarWidth(style), bar_height};
  PlaceColorbar(colorbar.spec, arrangement.colorbar, style, shaper, arrangement.parts,
                colorbar.title);
  return arrangement;
}

std::optional<TextBlock> ShapeTitle(const GridSpec& spec, double max_width,
                                    const FigureStyle& style, const TextShaper& shaper) {
  if (spec.title.empty()) return std::nullopt;
  return ShapeFigureTitle(spec.title, style.title, max_width, 2, shaper);
}

double TitleHeight(const std::optional<TextBlock>& title, const FigureStyle& style) {
  return title ? title->logical().height + 0.8 * style.gap : 0;
}

// The panel width that fills a fixed page: decorations measured around a first guess barely
// change with the panel size, so a few rounds settle.
double FixedPanelWidth(const GridSpec& spec, const RenderOptions& options,
                       const GridColorbar& colorbar, const FigureStyle& style,
                       const TextShaper& shaper) {
  double width = AutoPanelWidth(spec);
  for (int round = 0; round < 3; ++round) {
    PanelGrid grid = MakePanelGrid(spec, width, style, shaper);
    GridArrangement arrangement = ArrangeGrid(spec, grid, colorbar, style, shaper);
    Rect bounds = arrangement.Bounds();
    double title = TitleHeight(
        ShapeTitle(spec, options.width_pt > 0 ? options.width_pt : bounds.width, style, shaper),
        style);
    // Content grows by (cols + gaps) per unit of panel width across, (rows + gaps) x aspect down.
    double across = spec.cols * (1 + kPanelGapRatio);
    double down = spec.rows * (PanelAspect(spec) + kPanelGapRatio);
    double by_width = width + (options.width_pt - 2 * style.margin - bounds.width) / across;
    double by_height =
        width + (options.height_pt - 2 * style.margin - title - bounds.height) / down;
    double next = options.width_pt == 0    ? by_height
                  : options.height_pt == 0 ? by_width
                                           : std::min(by_width, by_height);
    if (!(next > 0)) {
      ThrowUsageError("a figure of " + std::to_string(options.width_pt) + " x " +
                      std::to_string(options.height_pt) + " pt has no room for " +
                      Count(spec.rows) + " x " + Count(spec.cols) + " panels and their labels");
    }
    width = next;
  }
  return width;
}

}  // namespace

void ValidateGrid(const GridSpec& spec) {
  if (spec.rows < 1 || spec.cols < 1 || spec.panel_rows < 1 || spec.panel_cols < 1) {
    ThrowUsageError("the grid is empty: " + Count(spec.rows) + " x " + Count(spec.cols) +
                    " panels of " + Count(spec.panel_rows) + " x " + Count(spec.panel_cols));
  }
  if (!spec.panel) ThrowUsageError("the grid has no source of panels");
  ValidateCount(spec.row_labels.size(), spec.rows, "row labels", "rows");
  ValidateCount(spec.col_labels.size(), spec.cols, "column labels", "columns");
  ValidateCount(spec.col_groups.size(), spec.cols, "column groups", "columns");
  ValidateCount(spec.captions.size(), spec.rows * spec.cols, "captions", "panels");
}

GridPlan PlanGrid(const GridSpec& spec, const RenderOptions& options, const GridColorbar& colorbar,
                  const TextShaper& shaper) {
  ValidateRenderOptions(options);
  ValidateGrid(spec);
  GridPlan plan;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  const FigureStyle& style = plan.style;
  bool fixed = options.width_pt > 0 || options.height_pt > 0;
  double width =
      fixed ? FixedPanelWidth(spec, options, colorbar, style, shaper) : AutoPanelWidth(spec);
  PanelGrid grid = MakePanelGrid(spec, width, style, shaper);
  GridArrangement arrangement = ArrangeGrid(spec, grid, colorbar, style, shaper);
  Rect content = arrangement.Bounds();
  double title_max = options.width_pt > 0 ? options.width_pt - 2 * style.margin
                                          : std::max(content.width, kMinTitleWidthEm * style.em);
  std::optional<TextBlock> title = ShapeTitle(spec, title_max, style, shaper);
  double title_height = TitleHeight(title, style);
  double title_width = title ? title->logical().width : 0;
  plan.page = {std::max(content.width, title_width) + 2 * style.margin,
               content.height + title_height + 2 * style.margin};
  if (options.width_pt > 0) plan.page.width = options.width_pt;
  if (options.height_pt > 0) plan.page.height = options.height_pt;
  double dx = (plan.page.width - content.width) / 2 - content.x;
  double dy = style.margin + title_height +
              (plan.page.height - 2 * style.margin - title_height - content.height) / 2 - content.y;
  arrangement.parts.Translate(dx, dy);
  for (Rect& panel : arrangement.panels) panel = panel.Translated(dx, dy);
  plan.panels = std::move(arrangement.panels);
  plan.colorbar = arrangement.colorbar.Translated(dx, dy);
  plan.parts = std::move(arrangement.parts);
  plan.caption_size = grid.caption_height > 0 ? CaptionStyle(style, grid.width).size : 0;
  if (title) {
    double grid_centre = (plan.panels.front().x + plan.panels.back().right()) / 2;
    double half = title->logical().width / 2;
    double x = std::clamp(grid_centre, style.margin + half,
                          std::max(style.margin + half, plan.page.width - style.margin - half));
    plan.parts.AddText(
        {std::move(*title),
         {{x, content.y + dy - 0.8 * style.gap}, HAlign::kCenter, VAlign::kBottom, 0}});
  }
  return plan;
}

}  // namespace attnviz
