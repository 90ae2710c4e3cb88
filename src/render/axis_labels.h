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

// Token labels shrink to fit their rows, down to 6 pt (legible in print at the figure's size;
// a smaller base font is never enlarged); below that every k-th token is labelled and the axis
// says so.
inline constexpr double kMinLabelSize = 6;

// How a row of token labels is set: their type and line height, and every `step`-th labelled.
struct TokenLabelFit {
  TextStyle label;
  double line_height = 0;
  int64_t step = 1;
};

// The largest label size, from style.label down to kMinLabelSize, whose lines stack at `pitch`
// points; the step is 1 unless even the smallest does not fit.
TokenLabelFit FitTokenLabels(double pitch, const FigureStyle& style, const TextShaper& shaper);

// The line height of token labels at the smallest size they may shrink to.
double SmallestLabelLineHeight(const FigureStyle& style, const TextShaper& shaper);

// What an axis title adds when not every token (or other `item`) is labelled: "every 2nd token
// labelled".
std::string ThinnedLabelsNote(int64_t step, std::string_view item = "token");

// `title` with the note of a thinned axis: "key (every 2nd token labelled)"; as is for step 1.
std::string TitleWithThinnedNote(const std::string& title, int64_t step,
                                 std::string_view item = "token");

// The cell size below which not every token label fits (one line height, since labels on both
// sides run across the axis); for index labels, the spacing two labels need.
double LabelPitch(const AxisSpec& axis, const FigureStyle& style, const TextShaper& shaper);

// Every k-th position is labelled: k = 1 when tokens fit, more when cells are smaller than the
// pitch; index labels use round steps (IndexTickStep) and label the indices divisible by them.
int64_t LabelStep(const AxisSpec& axis, double cell, double pitch);

// Adds ticks, labels and the axis title for a matrix at the origin, `matrix` its rectangle with
// `cell` points per position along this axis. Token labels shrink to fit their cells (see
// FitTokenLabels); when they still do not, every k-th is labelled and the axis title says so.
struct PlacedAxis {
  int64_t step = 1;       // every k-th position is labelled
  double label_size = 0;  // points
};
PlacedAxis PlaceAxis(const AxisSpec& axis, const Rect& matrix, double cell,
                     const FigureStyle& style, const TextShaper& shaper, FigureParts& parts);

}  // namespace attnviz
