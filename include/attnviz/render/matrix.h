// The plain matrix of weights that figures draw: rows are queries, columns are keys.
#pragma once

#include <cstdint>
#include <vector>

namespace attnviz {

// rows x cols values, row-major.
struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;

  float at(int64_t row, int64_t col) const { return values[row * cols + col]; }
};

}  // namespace attnviz
