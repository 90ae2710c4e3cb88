// A matrix read a band of rows at a time, so that a figure of a head larger than memory pools it
// into pixels without ever holding it whole.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "attnviz/render/color_scale.h"
#include "attnviz/render/matrix.h"

namespace attnviz {

// rows() x cols() values with their mask, handed out by rows: a memory-mapped head, or a fusion
// of several. Reads may run on several threads at once.
class MatrixBands {
 public:
  virtual ~MatrixBands() = default;
  virtual int64_t rows() const = 0;
  virtual int64_t cols() const = 0;
  // Whether the cells carry mask flags (Matrix::masked is then non-empty in every band).
  virtual bool masked() const = 0;
  // How many rows a band should hold: a few hundred KB, so a band stays in cache while it is read.
  virtual int64_t band_rows() const = 0;
  // Rows [first, first + count) into `band`, a count x cols() Matrix (its storage reused).
  virtual void ReadBand(int64_t first, int64_t count, Matrix& band) const = 0;
  // Only the mask flags of those rows into `flags` (empty when !masked()). The default reads
  // the band; sources whose mask needs no values override it.
  virtual void ReadMask(int64_t first, int64_t count, std::vector<uint8_t>& flags) const;
  // The values of rows [first, first + count) as ReadBand gives them, without a copy, where the
  // source holds them so (one unmasked head of native float32 rows, shown as stored: the pages of
  // the memory-mapped dump); empty otherwise. Reading a dump's rows twice or three times for one
  // figure (its mask, its limits, its pixels) cost a tenth of drawing 144 heatmaps in copies.
  virtual std::span<const float> RowsInPlace(int64_t first, int64_t count) const;
};

// A whole Matrix served in bands of `band_rows` rows: for tests, and for code that takes either.
class WholeMatrixBands : public MatrixBands {
 public:
  // `matrix` must outlive this.
  WholeMatrixBands(const Matrix& matrix, int64_t band_rows)
      : matrix_(matrix), band_rows_(band_rows) {}
  int64_t rows() const override { return matrix_.rows; }
  int64_t cols() const override { return matrix_.cols; }
  bool masked() const override { return !matrix_.masked.empty(); }
  int64_t band_rows() const override { return band_rows_; }
  void ReadBand(int64_t first, int64_t count, Matrix& band) const override;
  std::span<const float> RowsInPlace(int64_t first, int64_t count) const override;

 private:
  const Matrix& matrix_;
  int64_t band_rows_;
};

// The whole matrix, read band by band.
Matrix ReadWhole(const MatrixBands& bands);

// The finite, unmasked values of `bands` summarised, as ValueRange::Add would over the whole.
void AddToRange(const MatrixBands& bands, ValueRange& range);

}  // namespace attnviz
