// The cells MaskCells masks, described by their shape (a causal triangle and masked lines) rather
// than a flag per cell, and found a band of rows at a time: a head too large to hold is masked
// band by band.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "attnviz/render/matrix.h"

namespace attnviz {

class MaskShape {
 public:
  // The mask MaskCells(matrix, mode) gives a rows x cols matrix for the modes that look at no
  // value: kCausal and kNone.
  static MaskShape Fixed(int64_t rows, int64_t cols, MaskMode mode);

  // Query rows [first, first + count) of the matrix (count x cols values): where they lie, or
  // copied into `scratch`.
  using ReadRows = std::function<std::span<const float>(int64_t first, int64_t count,
                                                        std::vector<float>& scratch)>;
  // The mask MaskCells(matrix, kDetect) gives, from the rows `read` hands out a band of
  // `band_rows` at a time: the last row, then from the top until the rows read rule every mask
  // out (any row of a softmax head does), or all of them (a causal head: a whole pass).
  static MaskShape Detect(int64_t rows, int64_t cols, int64_t band_rows, const ReadRows& read);

  // Whether MaskCells gives flags at all (false: an empty vector, no cell masked).
  bool any() const { return any_; }
  // The flags MaskCells gives rows [first, first + count) into `out` (count x cols); all 0 when
  // !any().
  void Flags(int64_t first, int64_t count, uint8_t* out) const;

 private:
  MaskShape(int64_t rows, int64_t cols) : rows_(rows), cols_(cols) {}

  int64_t rows_ = 0, cols_ = 0;
  bool any_ = false;
  bool causal_ = false;               // cells right of the bottom-right aligned diagonal
  IndexRange kept_rows_, kept_cols_;  // lines outside are masked (padding's zeros)
};

}  // namespace attnviz
