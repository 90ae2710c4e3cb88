// Values written inside heatmap cells, each in black or white, whichever contrasts more with it.
#pragma once

#include <string>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/matrix.h"
#include "text.h"

namespace attnviz {

struct CellAnnotation {
  PlacedText text;
  Rgba color;
};

// How values are written: two decimals below 10 in magnitude, one below 100, none above; an
// exact 0 as "0"; minus as U+2212; NaN as "NaN" and infinities as "∞", "−∞". On a log scale,
// where small values are the point, magnitudes below 0.005 show one significant digit: "3e−4".
struct ValueFormat {
  int decimals = 2;
  bool small_in_exponent = false;

  std::string Format(double value) const;
};

// The format suiting the finite, unmasked values of `matrix` on a scale with `norm`.
ValueFormat ValueFormatFor(const Matrix& matrix, NormKind norm = NormKind::kLinear);

// The widest text any cell of `matrix` would get, in `style`.
double WidestAnnotation(const Matrix& matrix, const ValueFormat& format, const TextStyle& style,
                        const TextShaper& shaper);

// Black or white, whichever has the higher WCAG contrast ratio against `background`.
Rgba ContrastingInk(Rgba background);

// One centred text per unmasked cell of `matrix` drawn over `area`.
std::vector<CellAnnotation> PlaceAnnotations(const Matrix& matrix, const ColorScale& scale,
                                             const Rect& area, const TextStyle& style,
                                             const TextShaper& shaper);

void DrawAnnotations(cairo_t* cr, const std::vector<CellAnnotation>& annotations);

}  // namespace attnviz
