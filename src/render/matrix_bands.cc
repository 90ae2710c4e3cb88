// Matrices read a band of rows at a time, and walking their rows in order.
#include "attnviz/render/matrix_bands.h"

#include <algorithm>

#include "row_cursor.h"

namespace attnviz {

void MatrixBands::ReadMask(int64_t first, int64_t count, std::vector<uint8_t>& flags) const {
  Matrix band;
  ReadBand(first, count, band);
  flags = std::move(band.masked);
}

void WholeMatrixBands::ReadBand(int64_t first, int64_t count, Matrix& band) const {
  band = Crop(matrix_, {first, first + count}, {0, matrix_.cols});
}

void ForEachBand(const MatrixBands& bands,
                 const std::function<void(int64_t, const Matrix&)>& visit) {
  const int64_t step = std::max<int64_t>(1, bands.band_rows());
  Matrix band;
  for (int64_t first = 0; first < bands.rows(); first += step) {
    bands.ReadBand(first, std::min(step, bands.rows() - first), band);
    visit(first, band);
  }
}

Matrix ReadWhole(const MatrixBands& bands) {
  Matrix whole{bands.rows(), bands.cols(), {}, {}};
  whole.values.reserve(static_cast<size_t>(bands.rows() * bands.cols()));
  if (bands.masked()) whole.masked.reserve(whole.values.capacity());
  ForEachBand(bands, [&](int64_t, const Matrix& band) {
    whole.values.insert(whole.values.end(), band.values.begin(), band.values.end());
    whole.masked.insert(whole.masked.end(), band.masked.begin(), band.masked.end());
  });
  return whole;
}

void AddToRange(const MatrixBands& bands, ValueRange& range) {
  ForEachBand(bands, [&](int64_t, const Matrix& band) { range.Add(band); });
}

const Matrix& RowCursor::Holding(int64_t row) {
  if (matrix_) return *matrix_;
  if (band_.rows == 0 || row < band_first_ || row >= band_first_ + band_.rows) {
    band_first_ = row;
    const int64_t step = std::max<int64_t>(1, bands_->band_rows());
    bands_->ReadBand(row, std::min(step, bands_->rows() - row), band_);
  }
  return band_;
}

const float* RowCursor::Values(int64_t row) {
  const Matrix& holding = Holding(row);
  return holding.values.data() + (row - (matrix_ ? 0 : band_first_)) * holding.cols;
}

const uint8_t* RowCursor::Flags(int64_t row) const {
  const Matrix& holding = matrix_ ? *matrix_ : band_;
  if (holding.masked.empty()) return nullptr;
  return holding.masked.data() + (row - (matrix_ ? 0 : band_first_)) * holding.cols;
}

}  // namespace attnviz
