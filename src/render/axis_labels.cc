// Choosing which positions get labels, and placing labels, ticks and the axis title.
#include "axis_labels.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "attnviz/render/ticks.h"

namespace attnviz {
namespace {

std::string LabelText(const AxisSpec& axis, int64_t position) {
  return axis.has_tokens() ? (*axis.tokens)[position] : std::to_string(position + axis.first_index);
}

// Where the label for `position` goes: left labels right-aligned and centred on their row;
// bottom tokens rotated to read upwards, ending at the tick, unless `upright`; bottom indices
// horizontal.
TextPlacement LabelPlacement(const AxisSpec& axis, const Rect& matrix, double cell,
                             int64_t position, const FigureStyle& style, bool upright) {
  double along = (static_cast<double>(position) + 0.5) * cell;
  double offset = style.tick_length + style.tick_pad;
  if (axis.side == AxisSide::kLeft) {
    return {{matrix.x - offset, matrix.y + along}, HAlign::kRight, VAlign::kMiddle, 0};
  }
  Point anchor{matrix.x + along, matrix.bottom() + offset};
  if (!upright) return {anchor, HAlign::kRight, VAlign::kMiddle, std::numbers::pi / 2};
  return {anchor, HAlign::kCenter, VAlign::kTop, 0};
}

// Bottom token labels stand upright when each fits its cell with a third of an em to spare
// (layer x head maps: "H0", "H1", ...); else they are rotated.
bool UprightTokens(const AxisSpec& axis, double cell, const TokenLabelFit& fit,
                   const FigureStyle& style, const TextShaper& shaper) {
  if (axis.side != AxisSide::kBottom || fit.step != 1) return false;
  for (const std::string& token : *axis.tokens) {
    double width = shaper.Shape(token, fit.label, style.max_label_width).logical().width;
    if (width + style.em / 3 > cell) return false;
  }
  return true;
}

Segment TickFor(const AxisSpec& axis, const Rect& matrix, double cell, int64_t position,
                const FigureStyle& style) {
  double along = (static_cast<double>(position) + 0.5) * cell;
  if (axis.side == AxisSide::kLeft) {
    double y = matrix.y + along;
    return {{matrix.x - style.tick_length, y}, {matrix.x, y}};
  }
  double x = matrix.x + along;
  return {{x, matrix.bottom()}, {x, matrix.bottom() + style.tick_length}};
}

// Axis titles may run past a short axis, up to 12 em, then wrap onto a second line (a title
// with the thinned-labels note), then are ellipsized.
constexpr int kAxisTitleLines = 2;
double TitleWidth(double axis_length, const FigureStyle& style) {
  return std::max(axis_length + 2 * style.gap, 12 * style.em);
}

// The far edge of ticks and labels: their leftmost x on the left, their lowest y at the bottom.
double OuterEdge(const AxisSpec& axis, const Rect& box, double edge) {
  return axis.side == AxisSide::kLeft ? std::min(edge, box.x) : std::max(edge, box.bottom());
}

// The axis title beyond the labels (`outer`, from OuterEdge): rotated on the left, centred
// below the bottom labels.
void PlaceAxisTitle(const std::string& title, const AxisSpec& axis, const Rect& matrix,
                    double outer, const FigureStyle& style, const TextShaper& shaper,
                    FigureParts& parts) {
  if (title.empty()) return;
  double pad = style.tick_pad;
  if (axis.side == AxisSide::kLeft) {
    // Rotated even beside a single row: an upright title would read as part of the labels.
    TextBlock block =
        shaper.Shape(title, style.axis_title, TitleWidth(matrix.height, style), kAxisTitleLines);
    TextPlacement placement{
        {outer - pad, matrix.center().y}, HAlign::kCenter, VAlign::kBottom, std::numbers::pi / 2};
    parts.AddText({std::move(block), placement});
    return;
  }
  TextBlock block =
      shaper.Shape(title, style.axis_title, TitleWidth(matrix.width, style), kAxisTitleLines);
  TextPlacement placement{{matrix.center().x, outer + pad}, HAlign::kCenter, VAlign::kTop, 0};
  parts.AddText({std::move(block), placement});
}

double LineHeight(const TextStyle& text, const TextShaper& shaper) {
  return shaper.Shape("Ag", text).logical().height;
}

// "1st", "2nd", "3rd", "4th", ..., "11th", ..., "21st".
std::string Ordinal(int64_t n) {
  int64_t tens = n % 100, ones = n % 10;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th"
                       : ones == 1                ? "st"
                       : ones == 2                ? "nd"
                       : ones == 3                ? "rd"
                                                  : "th";
  return std::to_string(n) + suffix;
}

}  // namespace

TokenLabelFit FitTokenLabels(double pitch, const FigureStyle& style, const TextShaper& shaper) {
  TextStyle label = style.label;
  double smallest = std::min(kMinLabelSize, label.size);
  double height = style.line_height;
  // Line height grows with the size nearly in proportion: scaled down (to whole 64ths of a
  // point, so a size never lands a hair above the pitch), it fits within a round or two.
  for (int round = 0; round < 4 && height > pitch && label.size > smallest; ++round) {
    label.size = std::max(smallest, std::floor(label.size * pitch / height * 64) / 64);
    height = LineHeight(label, shaper);
  }
  int64_t step = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(height / pitch - 1e-9)));
  return {label, height, step};
}

double SmallestLabelLineHeight(const FigureStyle& style, const TextShaper& shaper) {
  TextStyle label = style.label;
  label.size = std::min(kMinLabelSize, label.size);
  return LineHeight(label, shaper);
}

std::string ThinnedLabelsNote(int64_t step, std::string_view item) {
  return "every " + Ordinal(step) + " " + std::string(item) + " labelled";
}

std::string TitleWithThinnedNote(const std::string& title, int64_t step, std::string_view item) {
  if (step <= 1) return title;
  const std::string note = ThinnedLabelsNote(step, item);
  return title.empty() ? note : title + " (" + note + ")";
}

double LabelPitch(const AxisSpec& axis, const FigureStyle& style, const TextShaper& shaper) {
  if (axis.has_tokens()) return style.line_height;
  if (axis.side == AxisSide::kLeft) return 1.2 * style.line_height;
  std::string widest = std::to_string(std::max<int64_t>(axis.first_index + axis.count - 1, 0));
  return shaper.Shape(widest, style.label).logical().width + style.em;
}

int64_t LabelStep(const AxisSpec& axis, double cell, double pitch) {
  if (axis.has_tokens()) {
    return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(pitch / cell - 1e-9)));
  }
  return IndexTickStep(std::max(pitch / cell, static_cast<double>(axis.count) / kMaxIndexLabels));
}

PlacedAxis PlaceAxis(const AxisSpec& axis, const Rect& matrix, double cell,
                     const FigureStyle& style, const TextShaper& shaper, FigureParts& parts) {
  TokenLabelFit fit{style.label, style.line_height, 1};
  if (axis.has_tokens()) {
    fit = FitTokenLabels(cell, style, shaper);
  } else {
    fit.step = LabelStep(axis, cell, LabelPitch(axis, style, shaper));
  }
  int64_t step = fit.step;
  bool upright = !axis.has_tokens() || UprightTokens(axis, cell, fit, style, shaper);
  double max_width = axis.has_tokens() ? style.max_label_width : 0;
  double outer = axis.side == AxisSide::kLeft ? matrix.x - style.tick_length
                                              : matrix.bottom() + style.tick_length;
  // Index labels fall on round indices: a crop from 100 with step 64 labels 128, 192, ...
  int64_t first = axis.has_tokens() ? 0 : (step - axis.first_index % step) % step;
  for (int64_t position = first; position < axis.count; position += step) {
    Segment tick = TickFor(axis, matrix, cell, position, style);
    parts.AddTick(tick.from, tick.to);
    PlacedText label{shaper.Shape(LabelText(axis, position), fit.label, max_width),
                     LabelPlacement(axis, matrix, cell, position, style, upright)};
    outer = OuterEdge(axis, label.Bounds(), outer);
    parts.AddText(std::move(label));
  }
  std::string title = axis.has_tokens() ? TitleWithThinnedNote(axis.title, step) : axis.title;
  PlaceAxisTitle(title, axis, matrix, outer, style, shaper, parts);
  return {step, fit.label.size};
}

}  // namespace attnviz
