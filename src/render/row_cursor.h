// Walking the rows of a matrix in order, whether it is held whole or read in bands.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "attnviz/render/matrix.h"
#include "attnviz/render/matrix_bands.h"

namespace attnviz {

// Calls visit(first, values, flags) for every band of `bands` in order: its values where the
// source holds them (MatrixBands::RowsInPlace), else read into one reused Matrix; flags empty when
// the band is unmasked.
using BandValuesVisit = std::function<void(int64_t first, std::span<const float> values,
                                           std::span<const uint8_t> flags)>;
void ForEachBand(const MatrixBands& bands, const BandValuesVisit& visit);

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
  const Matrix* matrix_ = nullptr;
  const MatrixBands* bands_ = nullptr;
  Matrix band_;                      // read, unless the rows are in place
  std::span<const float> in_place_;  // the band's values where the source holds them
  int64_t band_first_ = 0, band_rows_ = 0;
};

}  // namespace attnviz
