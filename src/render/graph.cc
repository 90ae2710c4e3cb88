// The graph attention figure: node positions fitted into a square, weighted directed edges drawn
// lightest first, nodes and labels on top, legends of edge weights and node colours beside it.
#include "attnviz/render/graph.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "canvas.h"
#include "colorbar.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "figure_title.h"
#include "text.h"

namespace attnviz {

namespace {

constexpr double kSmallSide = 360;  // points: the graph's square up to 100 nodes
constexpr double kLargeSide = 504;  // beyond
constexpr double kBend = 0.12;      // an edge's curve: control point off its chord, by length

struct LegendSample {
  Point from;
  Point to;
  double t = 0;
};

struct LegendDot {
  Point at;
  Rgba color;
};

struct GraphPlan {
  FigureStyle style;
  Size page;
  Rect plot;
  double radius = 3;
  double max_width = 2;
  std::vector<Point> at;  // page position of each node
  FigureParts parts;
  std::vector<LegendSample> samples;
  std::vector<LegendDot> dots;
  Rect colorbar;                  // empty without a node scale
  std::vector<Rect> label_boxes;  // node labels, backed by the page colour over the edges
  Theme theme = Theme::kLight;
};

Point Add(Point a, Point b, double scale = 1) { return {a.x + scale * b.x, a.y + scale * b.y}; }
Point Sub(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
double Length(Point v) { return std::hypot(v.x, v.y); }
Point Unit(Point v) {
  const double length = Length(v);
  return length > 0 ? Point{v.x / length, v.y / length} : Point{0, 0};
}

double PlotSide(const GraphFigureSpec& spec, const RenderOptions& options) {
  if (options.width_pt > 0) return std::max(72.0, 0.75 * options.width_pt);
  const double count = static_cast<double>(spec.nodes.size());
  return count <= 100 ? std::clamp(60 * std::sqrt(count), 160.0, kSmallSide) : kLargeSide;
}

struct Extent {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
};

Extent LayoutExtent(const GraphFigureSpec& spec) {
  Extent e;
  for (const GraphFigureNode& node : spec.nodes) {
    e.x0 = std::min(e.x0, node.position.x), e.x1 = std::max(e.x1, node.position.x);
    e.y0 = std::min(e.y0, node.position.y), e.y1 = std::max(e.y1, node.position.y);
  }
  return e;
}

// The plot: `side` along the layout's longer extent, the other side in proportion (at least
// 40 % of it, so a path graph still has room for its labels).
Rect PlotFor(const GraphFigureSpec& spec, double side) {
  const Extent e = LayoutExtent(spec);
  const double wide = std::max(e.x1 - e.x0, 1e-9), tall = std::max(e.y1 - e.y0, 1e-9);
  if (wide >= tall) return {0, 0, side, std::max(0.4, tall / wide) * side};
  return {0, 0, std::max(0.4, wide / tall) * side, side};
}

// Layout coordinates (y up) fitted into `plot` (y down), keeping their aspect, `pad` inside.
std::vector<Point> FitPositions(const GraphFigureSpec& spec, const Rect& plot, double pad) {
  const Extent e = LayoutExtent(spec);
  const double x0 = e.x0, x1 = e.x1, y0 = e.y0, y1 = e.y1;
  const double scale = std::min((plot.width - 2 * pad) / std::max(x1 - x0, 1e-9),
                                (plot.height - 2 * pad) / std::max(y1 - y0, 1e-9));
  const Point centre = plot.center();
  std::vector<Point> at;
  for (const GraphFigureNode& node : spec.nodes) {
    at.push_back({centre.x + (node.position.x - (x0 + x1) / 2) * scale,
                  centre.y - (node.position.y - (y0 + y1) / 2) * scale});
  }
  return at;
}

void PlaceNodeLabels(const GraphFigureSpec& spec, GraphPlan& plan, const TextShaper& shaper) {
  for (size_t n = 0; n < spec.nodes.size(); ++n) {
    if (spec.nodes[n].label.empty()) continue;
    PlacedText label{
        shaper.Shape(spec.nodes[n].label, plan.style.annotation, 8 * plan.style.em),
        {{plan.at[n].x + plan.radius + (spec.nodes[n].highlight ? 4.5 : 1.5), plan.at[n].y},
         HAlign::kLeft,
         VAlign::kMiddle,
         0}};
    plan.label_boxes.push_back(label.Bounds().Inflated(0.5));
    plan.parts.AddText(std::move(label));
  }
}

// The legend column right of the graph: edge samples, then node classes or the node colorbar.
void PlaceLegends(const GraphFigureSpec& spec, GraphPlan& plan, const TextShaper& shaper) {
  const FigureStyle& style = plan.style;
  const double left = plan.parts.Bounds().United(plan.plot).right() + 1.5 * style.em;
  double y = plan.plot.y;
  auto title = [&](const std::string& text) {
    PlacedText placed{shaper.Shape(text, style.axis_title),
                      {{left, y}, HAlign::kLeft, VAlign::kTop, 0}};
    y = placed.Bounds().bottom() + 0.4 * style.line_height;
    plan.parts.AddText(std::move(placed));
  };
  auto entry = [&](const std::string& text) {
    const double row = y + 0.5 * style.line_height;
    plan.parts.AddText({shaper.Shape(text, style.label, style.max_label_width),
                        {{left + 2.6 * style.em, row}, HAlign::kLeft, VAlign::kMiddle, 0}});
    y += 1.3 * style.line_height;
    return row;
  };
  title(spec.edge_legend_title);
  for (double t : {1.0, 0.5, 0.1}) {
    const double row = entry("α = " + Number(t * spec.weight_max));
    plan.samples.push_back({{left, row}, {left + 2.2 * style.em, row}, t});
  }
  y += style.gap;
  if (!spec.node_legend.empty()) {
    title(spec.node_legend_title);
    for (const LegendEntry& item : spec.node_legend) {
      const double row = entry(item.label);
      plan.dots.push_back({{left + 1.1 * style.em, row}, item.color});
    }
  }
  if (!spec.node_scale) return;
  const GraphNodeScale& scale = *spec.node_scale;
  plan.colorbar = {left, y, ColorbarWidth(style),
                   std::max(ColorbarMinHeight(style), 0.4 * plan.plot.height)};
  ColorbarSpec bar{scale.colormap, scale.vmin, scale.vmax, {}, {}, {}};
  PlaceColorbar(bar, plan.colorbar, style, shaper, plan.parts, scale.title);
}

void PlaceTitleAndCaption(const GraphFigureSpec& spec, GraphPlan& plan, const TextShaper& shaper) {
  const Rect content = plan.parts.Bounds().United(plan.plot);
  if (!spec.caption.empty()) {
    plan.parts.AddText({shaper.Shape(spec.caption, plan.style.label,
                                     std::max(content.width, 30 * plan.style.em), 4),
                        {{content.center().x, content.bottom() + plan.style.gap},
                         HAlign::kCenter,
                         VAlign::kTop,
                         0}});
  }
  if (spec.title.empty()) return;
  plan.parts.AddText(
      {ShapeFigureTitle(spec.title, plan.style.title, std::max(content.width, 24 * plan.style.em),
                        2, shaper),
       {{content.center().x, content.y - plan.style.gap}, HAlign::kCenter, VAlign::kBottom, 0}});
}

void MovePlan(GraphPlan& plan, double dx, double dy) {
  plan.parts.Translate(dx, dy);
  plan.plot = plan.plot.Translated(dx, dy);
  if (!plan.colorbar.empty()) plan.colorbar = plan.colorbar.Translated(dx, dy);
  for (Point& p : plan.at) p = {p.x + dx, p.y + dy};
  for (LegendSample& s : plan.samples)
    s.from = {s.from.x + dx, s.from.y + dy}, s.to = {s.to.x + dx, s.to.y + dy};
  for (LegendDot& d : plan.dots) d.at = {d.at.x + dx, d.at.y + dy};
  for (Rect& box : plan.label_boxes) box = box.Translated(dx, dy);
}

GraphPlan PlanGraph(const GraphFigureSpec& spec, const RenderOptions& options,
                    const TextShaper& shaper) {
  if (spec.nodes.empty()) ThrowUsageError("the graph has no nodes to draw");
  GraphPlan plan;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  plan.theme = options.theme;
  const double side = PlotSide(spec, options);
  const double count = static_cast<double>(spec.nodes.size());
  plan.radius = std::clamp(0.3 * side / std::sqrt(count), 1.0, 0.55 * plan.style.em);
  plan.max_width = std::clamp(0.7 * plan.radius, 0.7, 2.6);
  plan.plot = PlotFor(spec, side);
  plan.at = FitPositions(spec, plan.plot, 2.6 * plan.radius);
  PlaceNodeLabels(spec, plan, shaper);
  PlaceLegends(spec, plan, shaper);
  PlaceTitleAndCaption(spec, plan, shaper);
  const Rect content = plan.parts.Bounds().United(plan.plot);
  const double margin = plan.style.margin;
  MovePlan(plan, margin - content.x, margin - content.y);
  plan.page = {std::ceil(content.width + 2 * margin), std::ceil(content.height + 2 * margin)};
  return plan;
}

void SetStroke(cairo_t* cr, const EdgeStroke& stroke) {
  cairo_set_source_rgba(cr, stroke.color.r / 255.0, stroke.color.g / 255.0, stroke.color.b / 255.0,
                        stroke.opacity);
  cairo_set_line_width(cr, stroke.width);
}

void DrawArrowhead(cairo_t* cr, Point tip, Point direction, double length) {
  const Point u = Unit(direction), n{-u.y, u.x};
  const Point base = Add(tip, u, -length);
  cairo_move_to(cr, tip.x, tip.y);
  cairo_line_to(cr, base.x + n.x * 0.42 * length, base.y + n.y * 0.42 * length);
  cairo_line_to(cr, base.x - n.x * 0.42 * length, base.y - n.y * 0.42 * length);
  cairo_close_path(cr);
  cairo_fill(cr);
}

// A curve from the rim of the node at `from` to the arrowhead at the rim of the node at `to`.
void DrawArrow(cairo_t* cr, Point from, Point to, double radius, const EdgeStroke& stroke) {
  const Point chord = Sub(to, from);
  const double length = Length(chord);
  if (length <= 2 * radius) return;
  const Point right{-chord.y / length, chord.x / length};
  const Point control = Add(Add(from, chord, 0.5), right, kBend * length);
  const Point start = Add(from, Unit(Sub(control, from)), radius);
  const Point tip = Add(to, Unit(Sub(control, to)), radius + 0.4);
  const double head = std::max(2.2 * stroke.width + 1.2, 1.2 * radius);
  const Point end = Add(tip, Unit(Sub(control, tip)), 0.8 * head);
  const Point c1 = Add(start, Sub(control, start), 2.0 / 3),
              c2 = Add(end, Sub(control, end), 2.0 / 3);
  SetStroke(cr, stroke);
  cairo_move_to(cr, start.x, start.y);
  cairo_curve_to(cr, c1.x, c1.y, c2.x, c2.y, end.x, end.y);
  cairo_stroke(cr);
  DrawArrowhead(cr, tip, Sub(tip, control), head);
}

void DrawLoop(cairo_t* cr, Point at, double radius, const EdgeStroke& stroke) {
  SetStroke(cr, stroke);
  cairo_new_sub_path(cr);
  cairo_arc(cr, at.x, at.y - 1.45 * radius, 0.85 * radius, 0, 2 * std::numbers::pi);
  cairo_stroke(cr);
}

double Fraction(double weight, double max) {
  return max > 0 ? std::clamp(weight / max, 0.0, 1.0) : 0.0;
}

void DrawEdges(cairo_t* cr, const GraphFigureSpec& spec, const GraphPlan& plan) {
  std::vector<size_t> order(spec.edges.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return spec.edges[a].weight < spec.edges[b].weight; });
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for (size_t i : order) {
    const GraphFigureEdge& edge = spec.edges[i];
    const EdgeStroke stroke = EdgeStrokeFor(Fraction(edge.weight, spec.weight_max),
                                            spec.edge_colormap, plan.max_width, plan.theme);
    if (edge.from == edge.to) {
      DrawLoop(cr, plan.at[edge.from], plan.radius, stroke);
    } else {
      DrawArrow(cr, plan.at[edge.from], plan.at[edge.to], plan.radius, stroke);
    }
  }
}

void DrawDot(cairo_t* cr, Point at, double radius, Rgba color, Rgba outline) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, at.x, at.y, radius, 0, 2 * std::numbers::pi);
  SetSourceColor(cr, color);
  cairo_fill_preserve(cr);
  cairo_set_line_width(cr, std::min(0.5, 0.25 * radius));
  SetSourceColor(cr, outline);
  cairo_stroke(cr);
}

void DrawNodes(cairo_t* cr, const GraphFigureSpec& spec, const GraphPlan& plan) {
  for (size_t n = 0; n < spec.nodes.size(); ++n) {
    DrawDot(cr, plan.at[n], plan.radius, spec.nodes[n].color, plan.style.palette.page);
    if (!spec.nodes[n].highlight) continue;
    SetSourceColor(cr, plan.style.palette.ink);
    cairo_set_line_width(cr, 1.4);
    cairo_new_sub_path(cr);
    cairo_arc(cr, plan.at[n].x, plan.at[n].y, plan.radius + 1.6, 0, 2 * std::numbers::pi);
    cairo_stroke(cr);
  }
}

// A translucent backing under each node label, so edges crossing it do not hide it.
void DrawLabelBacking(cairo_t* cr, const GraphPlan& plan) {
  const Rgba page = plan.style.palette.page;
  cairo_set_source_rgba(cr, page.r / 255.0, page.g / 255.0, page.b / 255.0, 0.75);
  for (const Rect& box : plan.label_boxes) cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_fill(cr);
}

void DrawLegendMarks(Canvas& canvas, const GraphFigureSpec& spec, const GraphPlan& plan) {
  cairo_t* cr = canvas.cr();
  for (const LegendSample& sample : plan.samples) {
    const EdgeStroke stroke =
        EdgeStrokeFor(sample.t, spec.edge_colormap, plan.max_width, plan.theme);
    const double head = std::max(2.2 * stroke.width + 1.2, 1.2 * plan.radius);
    SetStroke(cr, stroke);
    cairo_move_to(cr, sample.from.x, sample.from.y);
    cairo_line_to(cr, sample.to.x - 0.8 * head, sample.to.y);
    cairo_stroke(cr);
    DrawArrowhead(cr, sample.to, Sub(sample.to, sample.from), head);
  }
  for (const LegendDot& dot : plan.dots) {
    DrawDot(cr, dot.at, std::max(plan.radius, 0.3 * plan.style.em), dot.color,
            plan.style.palette.page);
  }
  if (!plan.colorbar.empty()) PaintColorbar(canvas, *spec.node_scale->colormap, plan.colorbar);
}

}  // namespace

EdgeStroke EdgeStrokeFor(double t, const Colormap* colormap, double max_width, Theme theme) {
  t = std::clamp(t, 0.0, 1.0);
  const char* grey = theme == Theme::kDark ? "Greys_r" : "Greys";
  const Rgba color =
      colormap ? colormap->Lookup(t, 0, 1) : FindColormap(grey)->Lookup(0.45 + 0.55 * t, 0, 1);
  return {0.35 + (max_width - 0.35) * t, 0.35 + 0.65 * t, color};
}

std::string RenderGraph(const GraphFigureSpec& spec, ImageFormat format,
                        const RenderOptions& options) {
  const TextShaper& shaper = SharedTextShaper();
  const GraphPlan plan = PlanGraph(spec, options, shaper);
  const CanvasSettings settings{options.dpi,         options.png_compression, spec.title,
                                options.transparent, plan.style.palette.page, options.threads,
                                options.svg_text};
  Canvas canvas(format, plan.page, settings);
  cairo_t* cr = canvas.cr();
  DrawEdges(cr, spec, plan);
  DrawLabelBacking(cr, plan);
  DrawNodes(cr, spec, plan);
  DrawLegendMarks(canvas, spec, plan);
  plan.parts.Draw(cr, plan.style.palette.ink);
  return canvas.Finish();
}

}  // namespace attnviz
