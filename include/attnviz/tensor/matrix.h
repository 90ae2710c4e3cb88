// The plain matrix of weights, one head's queries by keys, that analyses compute and figures draw.
// It lives with the tensor so that analysis and render both take it without either reaching into
// the other; what a figure does to it first (crop, renormalise, mask, fuse) is in render/matrix.h.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace attnviz {

// rows x cols values, row-major: rows are queries, columns are keys.
struct Matrix {
  Matrix() = default;
  Matrix(int64_t rows, int64_t cols, std::vector<float> values, std::vector<uint8_t> masked = {})
      : rows(rows), cols(cols), values(std::move(values)), masked(std::move(masked)) {}

  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;
  // Empty, or one flag per value: 1 marks a cell that is no weight at all (above a causal
  // diagonal, in a padded row or column). Figures hatch it; it takes no part in default limits,
  // pooling or annotations, so it is never mistaken for a weight of 0.
  std::vector<uint8_t> masked;

  float at(int64_t row, int64_t col) const { return values[row * cols + col]; }
  bool is_masked(int64_t row, int64_t col) const {
    return !masked.empty() && masked[row * cols + col] != 0;
  }
};

}  // namespace attnviz
