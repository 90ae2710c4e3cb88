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

std::span<const float> MatrixBands::RowsInPlace(int64_t, int64_t) const { return {}; }

void WholeMatrixBands::ReadBand(int64_t first, int64_t count, Matrix& band) const {
  band = Crop(matrix_, {first, first + count}, {0, matrix_.cols});
}

std::span<const float> WholeMatrixBands::RowsInPlace(int64_t first, int64_t count) const {
  if (!matrix_.masked.empty()) return {};
  return std::span<const float>(matrix_.values)
      .subspan(static_cast<size_t>(first * matrix_.cols),
               static_cast<size_t>(count * matrix_.cols));
}

void ForEachBand(const MatrixBands& bands, const BandValuesVisit& visit) {
  const int64_t step = std::max<int64_t>(1, bands.band_rows());
  Matrix band;
  for (int64_t first = 0; first < bands.rows(); first += step) {
    const int64_t count = std::min(step, bands.rows() - first);
    if (const std::span<const float> values = bands.RowsInPlace(first, count); !values.empty()) {
      visit(first, values, {});
      continue;
    }
    bands.ReadBand(first, count, band);
    visit(first, band.values, band.masked);
  }
}

Matrix ReadWhole(const MatrixBands& bands) {
  Matrix whole{bands.rows(), bands.cols(), {}, {}};
  whole.values.reserve(static_cast<size_t>(bands.rows() * bands.cols()));
  if (bands.masked()) whole.masked.reserve(whole.values.capacity());
  ForEachBand(bands, [&](int64_t, std::span<const float> values, std::span<const uint8_t> flags) {
    whole.values.insert(whole.values.end(), values.begin(), values.end());
    whole.masked.insert(whole.masked.end(), flags.begin(), flags.end());
  });
  return whole;
}

void AddToRange(const MatrixBands& bands, ValueRange& range) {
  ForEachBand(bands, [&](int64_t, std::span<const float> values, std::span<const uint8_t> flags) {
    range.Add(values, flags);
  });
}

const float* RowCursor::Values(int64_t row) {
  if (matrix_) return matrix_->values.data() + row * matrix_->cols;
  if (band_rows_ == 0 || row < band_first_ || row >= band_first_ + band_rows_) {
    band_first_ = row;
    band_rows_ = std::min(std::max<int64_t>(1, bands_->band_rows()), bands_->rows() - row);
    in_place_ = bands_->RowsInPlace(row, band_rows_);
    if (in_place_.empty()) bands_->ReadBand(row, band_rows_, band_);
  }
  const float* values = in_place_.empty() ? band_.values.data() : in_place_.data();
  return values + (row - band_first_) * bands_->cols();
}

const uint8_t* RowCursor::Flags(int64_t row) const {
  const Matrix& holding = matrix_ ? *matrix_ : band_;
  if (!in_place_.empty() || holding.masked.empty()) return nullptr;
  return holding.masked.data() + (row - (matrix_ ? 0 : band_first_)) * holding.cols;
}

}  // namespace attnviz
