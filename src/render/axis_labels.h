// Token or index labels along a matrix's rows (left) or columns (bottom), never overlapping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attnviz/render/geometry.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {

enum class AxisSide { kLeft, kBottom };

struct AxisSpec {
  AxisSide side = AxisSide::kLeft;
  int64_t count = 0;                       // cells along the axis
  const std::vector<std::string>* tokens;  // nullptr or empty: indices
  std::string title;                       // "query", "key"; empty: none
  int64_t first_index = 0;                 // the index of position 0 (a crop's offset)

  bool has_tokens() const { return tokens && !tokens->empty(); }
};

// Index labels stay sparse, as on a plot axis, however much room there is.
inline constexpr int kMaxIndexLabels = 10;

// The cell size below which not every token label fits (one line height, since labels on both
// sides run across the axis); for index labels, the spacing two labels need.
double LabelPitch(const AxisSpec& axis, const FigureStyle& style, const TextShaper& shaper);

// Every k-th position is labelled: k = 1 when tokens fit, more when cells are smaller than the
// pitch; index labels use round steps (IndexTickStep) and label the indices divisible by them.
int64_t LabelStep(const AxisSpec& axis, double cell, double pitch);

// Adds ticks, labels and the axis title for a matrix at the origin, `matrix` its rectangle with
// `cell` points per position along this axis. Returns the label step used.
int64_t PlaceAxis(const AxisSpec& axis, const Rect& matrix, double cell, const FigureStyle& style,
                  const TextShaper& shaper, FigureParts& parts);

}  // namespace attnviz
