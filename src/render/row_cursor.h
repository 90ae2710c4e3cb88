// Walking the rows of a matrix in order, whether it is held whole or read in bands.
#pragma once

#include <cstdint>
#include <functional>

#include "attnviz/render/matrix.h"
#include "attnviz/render/matrix_bands.h"

namespace attnviz {

// Calls visit(first, band) for every band of `bands` in order, read into one reused Matrix.
void ForEachBand(const MatrixBands& bands,
                 const std::function<void(int64_t, const Matrix&)>& visit);

// The rows of a matrix in increasing order, each as pointers to its values and flags (null when
// unmasked): straight into a whole Matrix, or a band at a time from a MatrixBands.
class RowCursor {
 public:
  explicit RowCursor(const Matrix& matrix) : matrix_(&matrix) {}
  explicit RowCursor(const MatrixBands& bands) : bands_(&bands) {}

  int64_t rows() const { return matrix_ ? matrix_->rows : bands_->rows(); }
  int64_t cols() const { return matrix_ ? matrix_->cols : bands_->cols(); }
  bool masked() const { return matrix_ ? !matrix_->masked.empty() : bands_->masked(); }
  // Row `row`'s values; rows are asked for in increasing order. Valid until the next call.
  const float* Values(int64_t row);
  // Row `row`'s mask flags, after Values(row); null when the matrix is unmasked.
  const uint8_t* Flags(int64_t row) const;

 private:
  const Matrix& Holding(int64_t row);

  const Matrix* matrix_ = nullptr;
  const MatrixBands* bands_ = nullptr;
  Matrix band_;
  int64_t band_first_ = 0;
};

}  // namespace attnviz
