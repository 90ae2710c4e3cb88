// Colorbar layout (round value ticks on the right) and painting (the exact lookup table).
#include "colorbar.h"

#include <algorithm>
#include <vector>

#include "attnviz/render/cell_raster.h"
#include "attnviz/render/ticks.h"
#include "canvas.h"
#include "cell_painter.h"

namespace attnviz {
namespace {

// Like matplotlib's colorbars: a handful of ticks, at least 2.5 line heights apart.
constexpr int kMaxTicks = 9;

int MaxTicks(const Rect& bar, const FigureStyle& style) {
  int fit = static_cast<int>(bar.height / (2.5 * style.line_height)) + 1;
  return std::clamp(fit, 2, kMaxTicks);
}

double TickY(double value, const ColorbarSpec& spec, const Rect& bar) {
  return bar.bottom() - (value - spec.vmin) / (spec.vmax - spec.vmin) * bar.height;
}

}  // namespace

double ColorbarWidth(const FigureStyle& style) { return style.em; }
double ColorbarGap(const FigureStyle& style) { return style.em; }
double ColorbarMinHeight(const FigureStyle& style) { return 6 * style.line_height; }

void PlaceColorbar(const ColorbarSpec& spec, const Rect& bar, const FigureStyle& style,
                   const TextShaper& shaper, FigureParts& parts) {
  parts.AddFrame(bar);
  std::vector<double> ticks = NiceTicks(spec.vmin, spec.vmax, MaxTicks(bar, style));
  std::vector<std::string> labels = FormatTicks(ticks);
  for (size_t i = 0; i < ticks.size(); ++i) {
    double y = TickY(ticks[i], spec, bar);
    parts.AddTick({bar.right(), y}, {bar.right() + style.tick_length, y});
    TextPlacement placement{
        {bar.right() + style.tick_length + style.tick_pad, y}, HAlign::kLeft, VAlign::kMiddle, 0};
    parts.AddText({shaper.Shape(labels[i], style.tick_label), placement});
  }
}

void PaintColorbar(Canvas& canvas, const Colormap& colormap, const Rect& bar) {
  Matrix entries{Colormap::kSize, 1, {}};  // top (the last entry) first
  for (int i = Colormap::kSize - 1; i >= 0; --i) entries.values.push_back(static_cast<float>(i));
  // Value i maps to entry i: floor(i / 255 * 256) = i below 255, and 255 stays 255.
  CellColoring coloring{&colormap, 0, Colormap::kSize - 1};
  if (canvas.format() != ImageFormat::kPng) {
    PaintCellRectangles(canvas.cr(), entries, coloring, bar);
    return;
  }
  CellImage strip =
      RasterizeCells(entries, colormap, coloring.vmin, coloring.vmax, 1, Colormap::kSize);
  PaintPixelated(canvas.cr(), strip.view(), bar);
}

}  // namespace attnviz
