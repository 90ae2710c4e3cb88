// The horizontal colorbar: ticks placed by the norm, labels kept apart, the exact table painted.
#include "highlight_colorbar.h"

#include <algorithm>
#include <vector>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/ticks.h"
#include "cell_painter.h"

namespace attnviz {
namespace {

constexpr int kMaxTicks = 9;

struct Tick {
  double value;
  std::string label;
};

std::vector<Tick> ValueTicks(const ColorScale& scale, int max_ticks) {
  std::vector<Tick> ticks;
  if (scale.norm.kind == NormKind::kLog) {
    std::vector<double> values = LogTicks(scale.vmin, scale.vmax, max_ticks);
    std::vector<std::string> labels = FormatLogTicks(values);
    for (size_t i = 0; i < values.size(); ++i) ticks.push_back({values[i], labels[i]});
    return ticks;
  }
  std::vector<double> values = NiceTicks(scale.vmin, scale.vmax, max_ticks);
  std::vector<std::string> labels = FormatTicks(values);
  for (size_t i = 0; i < values.size(); ++i) ticks.push_back({values[i], labels[i]});
  return ticks;
}

double TickX(double value, const ColorScale& scale, const Rect& bar) {
  return bar.x + std::clamp(scale.Normalize(value), 0.0, 1.0) * bar.width;
}

void PlaceTitle(const std::string& title, const Rect& bar, const FigureStyle& style,
                const TextShaper& shaper, FigureParts& parts) {
  if (title.empty()) return;
  TextPlacement placement{{bar.x - style.gap, bar.center().y}, HAlign::kRight, VAlign::kMiddle, 0};
  parts.AddText({shaper.Shape(title, style.label, style.max_label_width), placement});
}

}  // namespace

Size HorizontalColorbarSize(const FigureStyle& style) { return {16 * style.em, style.em}; }

void PlaceHorizontalColorbar(const ColorScale& scale, const std::string& title, const Rect& bar,
                             const FigureStyle& style, const TextShaper& shaper,
                             FigureParts& parts) {
  parts.AddFrame(bar);
  int max_ticks = std::clamp(static_cast<int>(bar.width / (4 * style.em)) + 1, 2, kMaxTicks);
  double last_right = -INFINITY;
  for (const Tick& tick : ValueTicks(scale, max_ticks)) {
    double x = TickX(tick.value, scale, bar);
    PlacedText label{
        shaper.Shape(tick.label, style.tick_label),
        {{x, bar.bottom() + style.tick_length + style.tick_pad}, HAlign::kCenter, VAlign::kTop, 0}};
    // A power norm crowds ticks at one end: keep those whose labels stay apart.
    if (label.Bounds().x < last_right + 0.5 * style.em) continue;
    last_right = label.Bounds().right();
    parts.AddTick({x, bar.bottom()}, {x, bar.bottom() + style.tick_length});
    parts.AddText(std::move(label));
  }
  PlaceTitle(title, bar, style, shaper, parts);
}

void PaintHorizontalColorbar(Canvas& canvas, const Colormap& colormap, const Rect& bar) {
  Matrix entries{1, Colormap::kSize, {}, {}};
  for (int i = 0; i < Colormap::kSize; ++i) entries.values.push_back(static_cast<float>(i));
  // Value i maps to entry i: floor(i / 255 * 256) = i below 255, and 255 stays 255.
  ColorScale scale{&colormap, 0, Colormap::kSize - 1, {}};
  if (canvas.format() != ImageFormat::kPng) {
    PaintCellRectangles(canvas.cr(), entries, {scale}, bar);
    return;
  }
  CellImage strip = RasterizeCells(entries, scale, kBadColor, Colormap::kSize, 1);
  PaintPixelated(canvas.cr(), strip.view(), bar);
}

}  // namespace attnviz
