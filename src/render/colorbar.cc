// Colorbar layout (round value ticks on the right, placed by the norm) and painting (the exact
// lookup table).
#include "colorbar.h"

#include <algorithm>
#include <numbers>
#include <vector>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/ticks.h"
#include "canvas.h"
#include "cell_painter.h"

namespace attnviz {
namespace {

// Like matplotlib's colorbars: a handful of ticks, at least 2.5 line heights apart.
constexpr int kMaxTicks = 9;

using Tick = ValueTick;

int MaxTicks(const Rect& bar, const FigureStyle& style) {
  int fit = static_cast<int>(bar.height / (2.5 * style.line_height)) + 1;
  return std::clamp(fit, 2, kMaxTicks);
}

double TickY(double value, const ColorbarSpec& spec, const Rect& bar) {
  return bar.bottom() - spec.scale().Normalize(value) * bar.height;
}

// A power norm crowds evenly spaced values at one end; drop those closer than a line and a
// half to the last one kept, from the bottom up.
std::vector<Tick> SpacedTicks(std::vector<Tick> ticks, const ColorbarSpec& spec, const Rect& bar,
                              const FigureStyle& style) {
  std::vector<Tick> kept;
  double last_y = INFINITY;
  for (Tick& tick : ticks) {
    double y = TickY(tick.value, spec, bar);
    if (last_y - y < 1.5 * style.line_height) continue;
    last_y = y;
    kept.push_back(std::move(tick));
  }
  return kept;
}

std::vector<Tick> ColorbarTicks(const ColorbarSpec& spec, const Rect& bar,
                                const FigureStyle& style) {
  if (!spec.low_label.empty() || !spec.high_label.empty()) {
    return {{spec.vmin, spec.low_label}, {spec.vmax, spec.high_label}};
  }
  return SpacedTicks(
      ValueTicks(spec.vmin, spec.vmax, spec.norm.kind == NormKind::kLog, MaxTicks(bar, style)),
      spec, bar, style);
}

}  // namespace

double ColorbarWidth(const FigureStyle& style) { return style.em; }
double ColorbarGap(const FigureStyle& style) { return style.em; }
double ColorbarMinHeight(const FigureStyle& style) { return 6 * style.line_height; }

void PlaceColorbar(const ColorbarSpec& spec, const Rect& bar, const FigureStyle& style,
                   const TextShaper& shaper, FigureParts& parts, const std::string& title) {
  parts.AddFrame(bar);
  double right = bar.right() + style.tick_length;
  for (Tick& tick : ColorbarTicks(spec, bar, style)) {
    double y = TickY(tick.value, spec, bar);
    parts.AddTick({bar.right(), y}, {bar.right() + style.tick_length, y});
    TextPlacement placement{
        {bar.right() + style.tick_length + style.tick_pad, y}, HAlign::kLeft, VAlign::kMiddle, 0};
    PlacedText label{shaper.Shape(tick.label, style.tick_label), placement};
    right = std::max(right, label.Bounds().right());
    parts.AddText(std::move(label));
  }
  if (title.empty()) return;
  TextPlacement placement{{right + style.tick_pad, bar.center().y},
                          HAlign::kCenter,
                          VAlign::kTop,
                          std::numbers::pi / 2};
  // A title longer than the bar wraps onto more lines rather than losing its end.
  parts.AddText({shaper.Shape(title, style.axis_title, bar.height, 3), placement});
}

void PaintColorbar(Canvas& canvas, const Colormap& colormap, const Rect& bar) {
  Matrix entries{Colormap::kSize, 1, {}, {}};  // top (the last entry) first
  for (int i = Colormap::kSize - 1; i >= 0; --i) entries.values.push_back(static_cast<float>(i));
  // Value i maps to entry i: floor(i / 255 * 256) = i below 255, and 255 stays 255.
  ColorScale scale{&colormap, 0, Colormap::kSize - 1, {}};
  if (canvas.format() != ImageFormat::kPng) {
    PaintCellRectangles(canvas.cr(), entries, {scale}, bar);
    return;
  }
  CellImage strip = RasterizeCells(entries, scale, kBadColor, 1, Colormap::kSize);
  PaintPixelated(canvas.cr(), strip.view(), bar);
}

}  // namespace attnviz
