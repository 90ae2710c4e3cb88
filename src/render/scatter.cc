// XY plots: data ranges, value or category axes, legend and title around a plotting area, then
// lines, points and text painted onto it.
#include "attnviz/render/scatter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numbers>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/ticks.h"
#include "axis_labels.h"
#include "canvas.h"
#include "figure_in_area.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "figure_title.h"
#include "text.h"

namespace attnviz {

namespace {

constexpr double kDefaultWidth = 324;   // 4.5 in
constexpr double kDefaultHeight = 252;  // 3.5 in
constexpr double kPadding = 0.05;       // of the data range, each side
constexpr int kMaxTicks = 10;

struct Range {
  double min = 0;
  double max = 1;

  double span() const { return max - min; }
};

// A legend swatch: a dot or a short line in the entry's colour, in page coordinates.
struct Swatch {
  Point at;
  Rgba color;
  bool line = false;
};

struct ScatterPlan {
  Size page;
  Rect plot;
  Rect legend;
  Range x;
  Range y;
  FigureParts parts;  // frame, ticks and every text, in page coordinates
  std::vector<Swatch> swatches;
  FigureStyle style;
  double marker_radius = 3;
};

// The range an axis shows: its categories with half a step of room, else the data padded, with
// explicit limits winning. A zero-width range is widened so the data sits in its middle.
Range AxisRange(const PlotAxis& axis, const std::vector<double>& values) {
  Range range;
  if (!axis.categories.empty()) {
    auto [low, high] = std::minmax_element(
        axis.categories.begin(), axis.categories.end(),
        [](const CategoryTick& a, const CategoryTick& b) { return a.position < b.position; });
    range = {low->position - 0.5, high->position + 0.5};
  } else if (!values.empty()) {
    auto [low, high] = std::minmax_element(values.begin(), values.end());
    double pad = kPadding * (*high - *low);
    if (pad == 0) pad = std::max(0.5, 0.1 * std::abs(*low));
    range = {*low - pad, *high + pad};
  }
  if (axis.min) range.min = *axis.min;
  if (axis.max) range.max = *axis.max;
  if (!(range.max > range.min)) {
    ThrowUsageError("the plot's " + axis.title + " axis runs from " + std::to_string(range.min) +
                    " to " + std::to_string(range.max) + "; expected min < max");
  }
  return range;
}

void CheckFinite(double value) {
  if (!std::isfinite(value)) ThrowUsageError("a plot coordinate is not a finite number");
}

std::pair<std::vector<double>, std::vector<double>> Coordinates(const ScatterSpec& spec) {
  std::vector<double> xs, ys;
  auto add = [&](double x, double y) {
    CheckFinite(x);
    CheckFinite(y);
    xs.push_back(x);
    ys.push_back(y);
  };
  for (const ScatterPoint& p : spec.points) add(p.x, p.y);
  for (const PlotLine& line : spec.lines) {
    for (const Point& p : line.points) add(p.x, p.y);
  }
  return {xs, ys};
}

// Equal aspect: widen the range whose units would come out longer, about its centre.
void EqualizeAspect(Range& x, Range& y, Size plot) {
  const double units = std::max(x.span() / plot.width, y.span() / plot.height);
  auto widen = [](Range& r, double span) {
    const double centre = (r.min + r.max) / 2;
    r = {centre - span / 2, centre + span / 2};
  };
  widen(x, units * plot.width);
  widen(y, units * plot.height);
}

Size PlotSize(const ScatterSpec& spec) {
  const double width = spec.plot.width > 0 ? spec.plot.width
                       : spec.equal_aspect ? kDefaultHeight
                                           : kDefaultWidth;
  return {width, spec.plot.height > 0 ? spec.plot.height : kDefaultHeight};
}

double ToPageX(const ScatterPlan& plan, double x) {
  return plan.plot.x + (x - plan.x.min) / plan.x.span() * plan.plot.width;
}

double ToPageY(const ScatterPlan& plan, double y) {
  return plan.plot.bottom() - (y - plan.y.min) / plan.y.span() * plan.plot.height;
}

// One labelled tick on the bottom (x) or left (y) side of the plot.
struct Tick {
  double at = 0;  // page x (bottom) or y (left)
  std::string label;
};

std::vector<Tick> ValueTicks(const Range& range, double length, double spacing,
                             const std::function<double(double)>& to_page) {
  const int max_ticks = std::clamp(static_cast<int>(length / spacing) + 1, 2, kMaxTicks);
  const std::vector<double> values = NiceTicks(range.min, range.max, max_ticks);
  const std::vector<std::string> labels = FormatTicks(values);
  std::vector<Tick> ticks;
  for (size_t i = 0; i < values.size(); ++i) ticks.push_back({to_page(values[i]), labels[i]});
  return ticks;
}

std::vector<Tick> CategoryTicks(const PlotAxis& axis, double pitch, double spacing,
                                const std::function<double(double)>& to_page) {
  const auto step =
      static_cast<size_t>(std::max(1.0, std::ceil(pitch / std::max(spacing, 1e-9) - 1e-9)));
  std::vector<Tick> ticks;
  for (size_t i = 0; i < axis.categories.size(); i += step) {
    ticks.push_back({to_page(axis.categories[i].position), axis.categories[i].label});
  }
  return ticks;
}

double WidestLabel(const PlotAxis& axis, const FigureStyle& style, const TextShaper& shaper) {
  double widest = 0;
  for (const CategoryTick& tick : axis.categories) {
    widest = std::max(widest, shaper.Shape(tick.label, style.label).logical().width);
  }
  return widest;
}

// The bottom axis: ticks, labels (category labels turn upright when they would collide) and
// the title below them.
void PlaceBottomAxis(const ScatterSpec& spec, ScatterPlan& plan, const TextShaper& shaper) {
  const FigureStyle& style = plan.style;
  const auto to_page = [&](double x) { return ToPageX(plan, x); };
  const double unit = plan.plot.width / plan.x.span();
  const bool upright =
      !spec.x.categories.empty() && WidestLabel(spec.x, style, shaper) + style.em > unit;
  const std::vector<Tick> ticks =
      spec.x.categories.empty()
          ? ValueTicks(plan.x, plan.plot.width, 4.5 * style.em, to_page)
          : CategoryTicks(
                spec.x, upright ? style.line_height : WidestLabel(spec.x, style, shaper) + style.em,
                unit, to_page);
  double outer = plan.plot.bottom() + style.tick_length;
  for (const Tick& tick : ticks) {
    plan.parts.AddTick({tick.at, plan.plot.bottom()},
                       {tick.at, plan.plot.bottom() + style.tick_length});
    const Point anchor{tick.at, plan.plot.bottom() + style.tick_length + style.tick_pad};
    const TextPlacement placement =
        upright ? TextPlacement{anchor, HAlign::kRight, VAlign::kMiddle, std::numbers::pi / 2}
                : TextPlacement{anchor, HAlign::kCenter, VAlign::kTop, 0};
    PlacedText label{shaper.Shape(tick.label, style.label, style.max_label_width), placement};
    outer = std::max(outer, label.Bounds().bottom());
    plan.parts.AddText(std::move(label));
  }
  if (spec.x.title.empty()) return;
  plan.parts.AddText(
      {shaper.Shape(spec.x.title, style.axis_title),
       {{plan.plot.center().x, outer + style.tick_pad}, HAlign::kCenter, VAlign::kTop, 0}});
}

// The left axis: ticks, right-aligned labels, and the title reading upwards beyond them. Category
// labels (a dendrogram's leaves) shrink to fit their rows as token labels do, down to 6 pt; below
// that every k-th is labelled and the axis title says so.
void PlaceLeftAxis(const ScatterSpec& spec, ScatterPlan& plan, const TextShaper& shaper) {
  const FigureStyle& style = plan.style;
  const auto to_page = [&](double y) { return ToPageY(plan, y); };
  const double row = plan.plot.height / plan.y.span();
  const TokenLabelFit fit = spec.y.categories.empty()
                                ? TokenLabelFit{style.label, style.line_height, 1}
                                : FitTokenLabels(row, style, shaper);
  const std::vector<Tick> ticks =
      spec.y.categories.empty()
          ? ValueTicks(plan.y, plan.plot.height, 2.5 * style.line_height, to_page)
          : CategoryTicks(spec.y, fit.line_height, row, to_page);
  double outer = plan.plot.x - style.tick_length;
  for (const Tick& tick : ticks) {
    plan.parts.AddTick({plan.plot.x - style.tick_length, tick.at}, {plan.plot.x, tick.at});
    PlacedText label{shaper.Shape(tick.label, fit.label, style.max_label_width),
                     {{plan.plot.x - style.tick_length - style.tick_pad, tick.at},
                      HAlign::kRight,
                      VAlign::kMiddle,
                      0}};
    outer = std::min(outer, label.Bounds().x);
    plan.parts.AddText(std::move(label));
  }
  const std::string title = TitleWithThinnedNote(spec.y.title, fit.step, "row");
  if (title.empty()) return;
  plan.parts.AddText({shaper.Shape(title, style.axis_title),
                      {{outer - style.tick_pad, plan.plot.center().y},
                       HAlign::kCenter,
                       VAlign::kBottom,
                       std::numbers::pi / 2}});
}

// Entries stacked from the top right of the plot: a swatch, then the label.
void PlaceLegend(const ScatterSpec& spec, ScatterPlan& plan, const TextShaper& shaper) {
  if (spec.legend.empty()) return;
  const FigureStyle& style = plan.style;
  const double left = plan.plot.right() + style.em, swatch = 1.6 * style.em;
  double y = plan.plot.y + 0.5 * style.line_height;
  Rect box{left, plan.plot.y, swatch, 0};
  for (const LegendEntry& entry : spec.legend) {
    plan.swatches.push_back({{left + swatch / 2, y}, entry.color, entry.line});
    PlacedText label{shaper.Shape(entry.label, style.label, style.max_label_width),
                     {{left + swatch + style.tick_pad, y}, HAlign::kLeft, VAlign::kMiddle, 0}};
    box = box.United(label.Bounds());
    plan.parts.AddText(std::move(label));
    y += 1.2 * style.line_height;
  }
  plan.legend = box;
}

// Where a point's label may go, in order of preference: right, left, above, below the mark, then
// the four diagonals.
std::vector<TextPlacement> LabelCandidates(Point mark, double reach) {
  const double side = reach * 0.7;
  return {{{mark.x + reach, mark.y}, HAlign::kLeft, VAlign::kMiddle, 0},
          {{mark.x - reach, mark.y}, HAlign::kRight, VAlign::kMiddle, 0},
          {{mark.x, mark.y - reach}, HAlign::kCenter, VAlign::kBottom, 0},
          {{mark.x, mark.y + reach}, HAlign::kCenter, VAlign::kTop, 0},
          {{mark.x + side, mark.y - side}, HAlign::kLeft, VAlign::kBottom, 0},
          {{mark.x + side, mark.y + side}, HAlign::kLeft, VAlign::kTop, 0},
          {{mark.x - side, mark.y - side}, HAlign::kRight, VAlign::kBottom, 0},
          {{mark.x - side, mark.y + side}, HAlign::kRight, VAlign::kTop, 0}};
}

double OverlapArea(const Rect& a, const Rect& b) {
  double width = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  double height = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

// How much `box` covers of marks and earlier labels; leaving the plot counts as covering it all.
double Clutter(const Rect& box, const Rect& plot, const std::vector<Rect>& taken) {
  double covered = plot.Contains(box) ? 0 : box.width * box.height;
  for (const Rect& r : taken) covered += OverlapArea(box, r);
  return covered;
}

// Each label goes where it covers the least of the marks and the earlier labels, inside the plot
// (heads that attend alike sit close together in the MDS map): the first free side in the order
// of LabelCandidates, else the least covered one.
void PlacePointLabels(const ScatterSpec& spec, ScatterPlan& plan, const TextShaper& shaper) {
  const double radius = plan.marker_radius, reach = radius + 0.2 * plan.style.em;
  std::vector<Rect> taken;
  for (const ScatterPoint& p : spec.points) {
    taken.push_back(
        Rect{ToPageX(plan, p.x) - radius, ToPageY(plan, p.y) - radius, 2 * radius, 2 * radius});
  }
  for (const ScatterPoint& p : spec.points) {
    if (p.label.empty()) continue;
    const Point mark{ToPageX(plan, p.x), ToPageY(plan, p.y)};
    std::optional<PlacedText> best;
    double least = 0;
    for (const TextPlacement& candidate : LabelCandidates(mark, reach)) {
      PlacedText trial{shaper.Shape(p.label, plan.style.annotation), candidate};
      double clutter = Clutter(trial.Bounds(), plan.plot, taken);
      if (!best || clutter < least) {
        best = std::move(trial);
        least = clutter;
      }
      if (least == 0) break;
    }
    taken.push_back(best->Bounds());
    plan.parts.AddText(std::move(*best));
  }
}

void PlaceTitle(const ScatterSpec& spec, ScatterPlan& plan, const TextShaper& shaper) {
  if (spec.title.empty()) return;
  const Rect content = plan.parts.Bounds().United(plan.plot);
  const double width = std::max(content.width, 24 * plan.style.em);
  plan.parts.AddText({ShapeFigureTitle(spec.title, plan.style.title, width, 2, shaper),
                      {{plan.plot.center().x, content.y - 0.5 * plan.style.gap},
                       HAlign::kCenter,
                       VAlign::kBottom,
                       0}});
}

void ValidateOptions(const RenderOptions& options) {
  if (!(options.font_size > 0 && options.font_size <= 1000)) {
    ThrowUsageError("font size " + std::to_string(options.font_size) +
                    " is outside (0, 1000] points");
  }
  if (!(options.dpi > 0 && options.dpi <= 10000)) {
    ThrowUsageError("dpi " + std::to_string(options.dpi) + " is outside (0, 10000]");
  }
}

void MovePlan(ScatterPlan& plan, double dx, double dy) {
  plan.parts.Translate(dx, dy);
  plan.plot = plan.plot.Translated(dx, dy);
  if (!plan.legend.empty()) plan.legend = plan.legend.Translated(dx, dy);
  for (Swatch& swatch : plan.swatches) swatch.at = {swatch.at.x + dx, swatch.at.y + dy};
}

// Moves everything so the content sits `margin` inside a page that holds it.
void ComposePage(ScatterPlan& plan) {
  Rect content = plan.parts.Bounds().United(plan.plot.Inflated(plan.marker_radius));
  if (!plan.legend.empty()) content = content.United(plan.legend);
  const double margin = plan.style.margin;
  MovePlan(plan, margin - content.x, margin - content.y);
  plan.page = {content.width + 2 * margin, content.height + 2 * margin};
}

ScatterPlan PlanWithPlotSize(const ScatterSpec& spec, const RenderOptions& options,
                             const TextShaper& shaper, Size size) {
  ScatterPlan plan;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  plan.marker_radius = 0.3 * plan.style.em;
  plan.plot = {0, 0, size.width, size.height};
  const auto [xs, ys] = Coordinates(spec);
  if (xs.empty() && spec.x.categories.empty() && !(spec.x.min && spec.x.max)) {
    ThrowUsageError("the plot has nothing to show: no points, lines or axis limits");
  }
  plan.x = AxisRange(spec.x, xs);
  plan.y = AxisRange(spec.y, ys);
  if (spec.equal_aspect) EqualizeAspect(plan.x, plan.y, size);
  plan.parts.AddFrame(plan.plot);
  PlaceBottomAxis(spec, plan, shaper);
  PlaceLeftAxis(spec, plan, shaper);
  PlaceLegend(spec, plan, shaper);
  PlacePointLabels(spec, plan, shaper);
  PlaceTitle(spec, plan, shaper);
  ComposePage(plan);
  return plan;
}

// A fixed page (--size): the plot takes what the decorations around it leave, measured at the
// natural size (they hardly depend on the plot's size); the content is centred on the page.
ScatterPlan PlanScatter(const ScatterSpec& spec, const RenderOptions& options,
                        const TextShaper& shaper) {
  ValidateOptions(options);
  ScatterPlan plan = PlanWithPlotSize(spec, options, shaper, PlotSize(spec));
  if (!(options.width_pt > 0) && !(options.height_pt > 0)) return plan;
  Size wanted = plan.page;
  if (options.width_pt > 0) wanted.width = options.width_pt;
  if (options.height_pt > 0) wanted.height = options.height_pt;
  const Size plot{plan.plot.width + wanted.width - plan.page.width,
                  plan.plot.height + wanted.height - plan.page.height};
  if (!(plot.width >= 2 * plan.style.em && plot.height >= 2 * plan.style.em)) {
    ThrowUsageError("a figure of " + std::to_string(wanted.width) + " x " +
                    std::to_string(wanted.height) + " pt leaves no room for the plot");
  }
  plan = PlanWithPlotSize(spec, options, shaper, plot);
  const double dx = (wanted.width - plan.page.width) / 2,
               dy = (wanted.height - plan.page.height) / 2;
  MovePlan(plan, dx, dy);
  plan.page = wanted;
  return plan;
}

void DrawLines(cairo_t* cr, const ScatterSpec& spec, const ScatterPlan& plan) {
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for (const PlotLine& line : spec.lines) {
    if (line.points.empty()) continue;
    const double dash[] = {3 * line.width, 2 * line.width};
    cairo_set_dash(cr, dash, line.dashed ? 2 : 0, 0);
    cairo_set_line_width(cr, line.width);
    SetSourceColor(cr, line.color);
    for (const Point& p : line.points) cairo_line_to(cr, ToPageX(plan, p.x), ToPageY(plan, p.y));
    cairo_stroke(cr);
  }
  cairo_set_dash(cr, nullptr, 0, 0);
}

// A filled dot with a thin outline in the page colour, so overlapping dots stay apart.
void DrawDot(cairo_t* cr, Point at, double radius, Rgba color, Rgba outline) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, at.x, at.y, radius, 0, 2 * std::numbers::pi);
  SetSourceColor(cr, color);
  cairo_fill_preserve(cr);
  cairo_set_line_width(cr, 0.4);
  SetSourceColor(cr, outline);
  cairo_stroke(cr);
}

void DrawMarks(cairo_t* cr, const ScatterSpec& spec, const ScatterPlan& plan) {
  const double radius = plan.marker_radius;
  const Rgba outline = plan.style.palette.page;
  for (const PlotLine& line : spec.lines) {
    if (!line.markers) continue;
    for (const Point& p : line.points) {
      DrawDot(cr, {ToPageX(plan, p.x), ToPageY(plan, p.y)}, 0.7 * radius, line.color, outline);
    }
  }
  for (const ScatterPoint& p : spec.points) {
    DrawDot(cr, {ToPageX(plan, p.x), ToPageY(plan, p.y)}, p.radius > 0 ? p.radius : radius, p.color,
            outline);
  }
}

void DrawSwatches(cairo_t* cr, const ScatterPlan& plan) {
  const double half = 0.7 * plan.style.em;
  for (const Swatch& swatch : plan.swatches) {
    if (!swatch.line) {
      DrawDot(cr, swatch.at, plan.marker_radius, swatch.color, plan.style.palette.page);
      continue;
    }
    cairo_set_line_width(cr, 1.5);
    SetSourceColor(cr, swatch.color);
    cairo_move_to(cr, swatch.at.x - half, swatch.at.y);
    cairo_line_to(cr, swatch.at.x + half, swatch.at.y);
    cairo_stroke(cr);
  }
}

CanvasSettings SettingsFor(const ScatterSpec& spec, const ScatterPlan& plan,
                           const RenderOptions& options) {
  return {options.dpi,         options.png_compression, spec.title,
          options.transparent, plan.style.palette.page, options.threads,
          options.svg_text};
}

void DrawScatter(cairo_t* cr, const ScatterSpec& spec, const ScatterPlan& plan) {
  cairo_save(cr);
  const Rect clip = plan.plot.Inflated(plan.marker_radius + 1);
  cairo_rectangle(cr, clip.x, clip.y, clip.width, clip.height);
  cairo_clip(cr);
  DrawLines(cr, spec, plan);
  DrawMarks(cr, spec, plan);
  cairo_restore(cr);
  DrawSwatches(cr, plan);
  plan.parts.Draw(cr, plan.style.palette.ink);
}

}  // namespace

Rgba SequenceColor(int64_t index, int64_t count, Theme theme) {
  const double first = theme == Theme::kDark ? 0.25 : 0.0;
  const double last = theme == Theme::kDark ? 1.0 : 0.85;
  const double t = count > 1 ? static_cast<double>(index) / static_cast<double>(count - 1) : 0.0;
  return FindColormap("viridis")->Lookup(first + t * (last - first), 0, 1);
}

Rgba CategoryColor(int64_t index, int64_t count, Theme theme) {
  static constexpr std::array<uint32_t, 10> kTab10 = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728,
                                                      0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
                                                      0xbcbd22, 0x17becf};
  if (count > static_cast<int64_t>(kTab10.size())) return SequenceColor(index, count, theme);
  const uint32_t rgb = kTab10[static_cast<size_t>(index)];
  return {static_cast<uint8_t>(rgb >> 16), static_cast<uint8_t>(rgb >> 8),
          static_cast<uint8_t>(rgb), 255};
}

std::vector<LegendEntry> LayerLegend(int64_t layers, Theme theme) {
  std::vector<LegendEntry> legend;
  const int64_t step = (layers + 23) / 24;
  for (int64_t layer = 0; layer < layers; layer += step) {
    legend.push_back(
        {"layer " + std::to_string(layer), SequenceColor(layer, layers, theme), false});
  }
  return legend;
}

Point ScatterLayout::ToPage(double x, double y) const {
  return {plot.x + (x - x_min) / (x_max - x_min) * plot.width,
          plot.bottom() - (y - y_min) / (y_max - y_min) * plot.height};
}

ScatterLayout LayoutScatter(const ScatterSpec& spec, const RenderOptions& options) {
  const ScatterPlan plan = PlanScatter(spec, options, SharedTextShaper());
  return {plan.page,  plan.plot,  plan.legend, plan.parts.TextBounds(),
          plan.x.min, plan.x.max, plan.y.min,  plan.y.max};
}

std::string RenderScatter(const ScatterSpec& spec, ImageFormat format,
                          const RenderOptions& options) {
  const ScatterPlan plan = PlanScatter(spec, options, SharedTextShaper());
  Canvas canvas(format, plan.page, SettingsFor(spec, plan, options));
  DrawScatter(canvas.cr(), spec, plan);
  return canvas.Finish();
}

void DrawScatterInArea(Canvas& page, const Rect& area, const ScatterSpec& spec,
                       const RenderOptions& options) {
  const ScatterPlan plan = PlanScatter(spec, options, SharedTextShaper());
  Canvas canvas(page, area, plan.page, SettingsFor(spec, plan, options));
  DrawScatter(canvas.cr(), spec, plan);
  canvas.Finish();
}

}  // namespace attnviz
