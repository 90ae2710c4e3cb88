// The colormap swatch: rows of labelled strips, each strip the table's 256 entries left to right.
#include "attnviz/render/colormap_swatch.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "attnviz/error.h"
#include "attnviz/render/color_scale.h"
#include "canvas.h"
#include "cell_painter.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "heatmap_layout.h"
#include "text.h"

namespace attnviz {
namespace {

constexpr double kStripWidthEm = 20;
constexpr double kStripHeightEm = 1.6;
constexpr double kRowGapEm = 0.7;

// A row: a map and, when listed too, its reverse.
struct SwatchRow {
  std::string_view name;
  std::optional<std::string_view> reversed;
};

std::vector<SwatchRow> PairReversed(const std::vector<std::string_view>& names) {
  std::vector<SwatchRow> rows;
  for (std::string_view name : names) {
    if (name.ends_with("_r")) {
      std::string_view base = name.substr(0, name.size() - 2);
      auto row = std::find_if(rows.begin(), rows.end(),
                              [&](const SwatchRow& r) { return r.name == base && !r.reversed; });
      if (row != rows.end()) {
        row->reversed = name;
        continue;
      }
    }
    rows.push_back({name, std::nullopt});
  }
  return rows;
}

struct SwatchPlan {
  Size page;
  std::vector<std::pair<const Colormap*, Rect>> strips;
  FigureParts parts;
  FigureStyle style;
  double dpi = 100;
};

// A labelled strip with its left edge at `x`, top at `y`; returns the right edge of the strip.
double PlaceStrip(std::string_view name, double x, double y, double label_width,
                  const TextShaper& shaper, SwatchPlan& plan) {
  const FigureStyle& style = plan.style;
  // Whole pixels at the PNG's resolution, the same number for every entry: each entry shows
  // exactly, none is split between pixels or dropped.
  double pixel = 72 / plan.dpi;
  double per_entry = std::max(1.0, std::round(kStripWidthEm * style.em / pixel / Colormap::kSize));
  Rect strip{std::ceil((x + label_width + style.gap) / pixel) * pixel, std::ceil(y / pixel) * pixel,
             per_entry * Colormap::kSize * pixel, kStripHeightEm * style.em};
  plan.parts.AddText(
      {shaper.Shape(name, style.label),
       {{strip.x - style.tick_pad, strip.center().y}, HAlign::kRight, VAlign::kMiddle, 0}});
  plan.parts.AddFrame(strip.Inflated(kStrokeWidth / 2));  // outside: the end entries stay whole
  plan.strips.push_back({&ColormapOrThrow(std::string(name)), strip});
  return strip.right();
}

double WidestName(const std::vector<std::string_view>& names, const FigureStyle& style,
                  const TextShaper& shaper) {
  double widest = 0;
  for (std::string_view name : names) {
    widest = std::max(widest, shaper.Shape(name, style.label).logical().width);
  }
  return widest;
}

SwatchPlan PlanSwatch(const std::vector<std::string_view>& names, const RenderOptions& options,
                      const TextShaper& shaper) {
  ValidateRenderOptions(options);
  SwatchPlan plan;
  plan.dpi = options.dpi;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  const FigureStyle& style = plan.style;
  double label_width = WidestName(names, style, shaper);
  double row_height = (kStripHeightEm + kRowGapEm) * style.em;
  double column_width = label_width + style.gap + (kStripWidthEm + 1) * style.em + 2 * style.gap;
  double right = 0, y = style.margin;
  for (const SwatchRow& row : PairReversed(names)) {
    right = std::max(right, PlaceStrip(row.name, style.margin, y, label_width, shaper, plan));
    if (row.reversed) {
      right = std::max(right, PlaceStrip(*row.reversed, style.margin + column_width, y, label_width,
                                         shaper, plan));
    }
    y += row_height;
  }
  plan.page = {right + style.margin + kStrokeWidth, y - kRowGapEm * style.em + style.margin};
  return plan;
}

void PaintStrip(Canvas& canvas, const Colormap& colormap, const Rect& strip) {
  Matrix entries{1, Colormap::kSize, {}, {}};
  for (int i = 0; i < Colormap::kSize; ++i) entries.values.push_back(static_cast<float>(i));
  // Value i maps to entry i: floor(i / 255 * 256) = i below 255, and 255 stays 255.
  CellColoring coloring{{&colormap, 0, Colormap::kSize - 1, {}}};
  if (canvas.format() != ImageFormat::kPng) {
    PaintCellRectangles(canvas.cr(), entries, coloring, strip);
    return;
  }
  CellImage image = RasterizeCells(entries, coloring.scale, kBadColor, Colormap::kSize, 1);
  PaintPixelated(canvas.cr(), image.view(), strip);
}

}  // namespace

std::string RenderColormapSwatch(const std::vector<std::string_view>& names, ImageFormat format,
                                 const RenderOptions& options) {
  if (names.empty()) ThrowUsageError("a colormap swatch needs at least one colormap");
  SwatchPlan plan = PlanSwatch(names, options, SharedTextShaper());
  Canvas canvas(format, plan.page,
                {options.dpi, options.png_compression, "colormaps", options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  for (const auto& [colormap, strip] : plan.strips) PaintStrip(canvas, *colormap, strip);
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  return canvas.Finish();
}

}  // namespace attnviz
