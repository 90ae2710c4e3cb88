// Formatting cell values and choosing a legible ink for each cell.
#include "cell_annotations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "figure_style.h"

namespace attnviz {
namespace {

constexpr const char* kMinusSign = "\u2212";

// sRGB channel to linear light (WCAG 2 relative luminance).
double Linear(uint8_t channel) {
  double c = channel / 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double Luminance(Rgba color) {
  return 0.2126 * Linear(color.r) + 0.7152 * Linear(color.g) + 0.0722 * Linear(color.b);
}

// "3e−4": one significant digit and the exponent without padding.
std::string Exponent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0e", std::abs(value));  // "3e-04"
  std::string mantissa(text, std::strchr(text, 'e'));
  int exponent = std::atoi(std::strchr(text, 'e') + 1);
  std::string sign = value < 0 ? kMinusSign : "";
  std::string power =
      exponent < 0 ? std::string(kMinusSign) + std::to_string(-exponent) : std::to_string(exponent);
  return sign + mantissa + "e" + power;
}

}  // namespace

std::string ValueFormat::Format(double value) const {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "∞" : std::string(kMinusSign) + "∞";
  if (value == 0) return "0";
  if (small_in_exponent && std::abs(value) < 0.005) return Exponent(value);
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, std::abs(value));
  std::string digits = text;
  bool negative = value < 0 && digits.find_first_not_of("0.") != std::string::npos;
  return (negative ? kMinusSign : "") + digits;
}

ValueFormat ValueFormatFor(const Matrix& matrix, NormKind norm) {
  double largest = 0;
  for (size_t i = 0; i < matrix.values.size(); ++i) {
    bool masked = !matrix.masked.empty() && matrix.masked[i];
    if (!masked && std::isfinite(matrix.values[i])) {
      largest = std::max(largest, std::abs(static_cast<double>(matrix.values[i])));
    }
  }
  return {largest < 9.995 ? 2 : largest < 99.95 ? 1 : 0, norm == NormKind::kLog};
}

double WidestAnnotation(const Matrix& matrix, const ValueFormat& format, const TextStyle& style,
                        const TextShaper& shaper) {
  // Digits share one width in DejaVu and most UI fonts, so the longest string is the widest
  // up to its sign: measure the longest of each kind rather than every cell.
  std::string longest;
  for (size_t i = 0; i < matrix.values.size(); ++i) {
    bool masked = !matrix.masked.empty() && matrix.masked[i];
    if (masked) continue;
    std::string text = format.Format(matrix.values[i]);
    if (text.size() > longest.size()) longest = std::move(text);
  }
  return longest.empty() ? 0 : shaper.Shape(longest, style).logical().width;
}

Rgba ContrastingInk(Rgba background) {
  double luminance = Luminance(background);
  double with_black = (luminance + 0.05) / 0.05;
  double with_white = 1.05 / (luminance + 0.05);
  return with_black >= with_white ? Rgba{0, 0, 0, 255} : Rgba{255, 255, 255, 255};
}

std::vector<CellAnnotation> PlaceAnnotations(const Matrix& matrix, const ColorScale& scale,
                                             const Rect& area, const TextStyle& style,
                                             const TextShaper& shaper) {
  ValueFormat format = ValueFormatFor(matrix, scale.norm.kind);
  double cell_width = area.width / matrix.cols, cell_height = area.height / matrix.rows;
  std::vector<CellAnnotation> annotations;
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = 0; col < matrix.cols; ++col) {
      if (matrix.is_masked(row, col)) continue;
      float value = matrix.at(row, col);
      Point centre{area.x + (col + 0.5) * cell_width, area.y + (row + 0.5) * cell_height};
      TextPlacement placement{centre, HAlign::kCenter, VAlign::kMiddle, 0};
      annotations.push_back({{shaper.Shape(format.Format(value), style), placement},
                             ContrastingInk(scale.Lookup(value))});
    }
  }
  return annotations;
}

void DrawAnnotations(cairo_t* cr, const std::vector<CellAnnotation>& annotations) {
  for (const CellAnnotation& annotation : annotations) {
    SetSourceColor(cr, annotation.color);
    annotation.text.Draw(cr);
  }
}

}  // namespace attnviz
