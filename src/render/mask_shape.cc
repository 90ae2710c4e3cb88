// Masks as shapes, detected from a head read a band of rows at a time: MaskCells (matrix.cc)
// gives their flags for a whole matrix.
#include "attnviz/render/mask_shape.h"

#include <algorithm>

namespace attnviz {
namespace {

// What the rows read so far show of the zeros a mask is made of: which rows and columns hold
// a value other than 0 (NaN counts), and whether a cell right of the diagonal does.
class ZeroEvidence {
 public:
  ZeroEvidence(int64_t rows, int64_t cols) : row_nonzero_(rows), col_nonzero_(cols) {}

  void AddRow(int64_t row, const float* values) {
    const auto cols = static_cast<int64_t>(col_nonzero_.size());
    uint8_t any = 0;
    for (int64_t col = 0; col < cols; ++col) {
      const uint8_t nonzero = values[col] != 0;
      col_nonzero_[col] |= nonzero;
      any |= nonzero;
    }
    row_nonzero_[row] = any;
    upper_nonzero_ = upper_nonzero_ || std::any_of(values + std::min(row + 1, cols), values + cols,
                                                   [](float v) { return v != 0; });
  }

  // True once no mask can follow, whatever the rows not read: the first and last row and column
  // each hold a value, and so does a cell right of the diagonal (when that could be causal).
  bool RulesOutMask() const {
    const bool could_be_causal = row_nonzero_.size() == col_nonzero_.size() && Rows() >= 2;
    return row_nonzero_.front() && row_nonzero_.back() && col_nonzero_.front() &&
           col_nonzero_.back() && (!could_be_causal || upper_nonzero_);
  }

  // The lines between the leading and trailing all-zero ones; empty when all are zero.
  static IndexRange NonZeroSpan(const std::vector<uint8_t>& nonzero) {
    const auto first = std::find(nonzero.begin(), nonzero.end(), 1);
    if (first == nonzero.end()) return {};
    const auto last = std::find(nonzero.rbegin(), nonzero.rend(), 1);
    return {first - nonzero.begin(), nonzero.rend() - last};
  }
  IndexRange RowSpan() const { return NonZeroSpan(row_nonzero_); }
  IndexRange ColSpan() const { return NonZeroSpan(col_nonzero_); }
  bool UpperNonZero() const { return upper_nonzero_; }
  int64_t Rows() const { return static_cast<int64_t>(row_nonzero_.size()); }

 private:
  std::vector<uint8_t> row_nonzero_, col_nonzero_;
  bool upper_nonzero_ = false;
};

// Reads the last row, then bands from the top, until `evidence` rules every mask out; false when
// it never did (every row was read).
bool GatherEvidence(int64_t rows, int64_t cols, int64_t band_rows, const MaskShape::ReadRows& read,
                    ZeroEvidence& evidence) {
  std::vector<float> scratch;
  auto add = [&](int64_t first, int64_t count) {
    const std::span<const float> band = read(first, count, scratch);
    for (int64_t row = 0; row < count; ++row) {
      evidence.AddRow(first + row, band.data() + row * cols);
    }
    return evidence.RulesOutMask();
  };
  if (add(rows - 1, 1)) return true;
  const int64_t step = std::max<int64_t>(1, band_rows);
  for (int64_t first = 0; first < rows - 1; first += step) {
    if (add(first, std::min(step, rows - 1 - first))) return true;
  }
  return false;
}

}  // namespace

MaskShape MaskShape::Fixed(int64_t rows, int64_t cols, MaskMode mode) {
  MaskShape shape(rows, cols);
  shape.kept_rows_ = {0, rows};
  shape.kept_cols_ = {0, cols};
  shape.any_ = mode == MaskMode::kCausal;
  shape.causal_ = shape.any_;
  return shape;
}

MaskShape MaskShape::Detect(int64_t rows, int64_t cols, int64_t band_rows, const ReadRows& read) {
  MaskShape shape = Fixed(rows, cols, MaskMode::kNone);
  if (rows < 1 || cols < 1) return shape;
  ZeroEvidence evidence(rows, cols);
  if (GatherEvidence(rows, cols, band_rows, read, evidence)) return shape;
  const IndexRange row_span = evidence.RowSpan(), col_span = evidence.ColSpan();
  if (row_span.size() == 0) return shape;  // all zero: data, not padding
  shape.causal_ = rows == cols && rows >= 2 && !evidence.UpperNonZero();
  shape.kept_rows_ = row_span;
  shape.kept_cols_ = col_span;
  shape.any_ = shape.causal_ || row_span.size() < rows || col_span.size() < cols;
  return shape;
}

void MaskShape::Flags(int64_t first, int64_t count, uint8_t* out) const {
  std::fill_n(out, count * cols_, uint8_t{any_});
  if (!any_) return;
  for (int64_t row = std::max(first, kept_rows_.begin);
       row < std::min(first + count, kept_rows_.end); ++row) {
    // Unmasked: the kept columns left of the diagonal's end.
    const int64_t end =
        causal_ ? std::min(kept_cols_.end, row + cols_ - rows_ + 1) : kept_cols_.end;
    if (end > kept_cols_.begin) {
      std::fill(out + (row - first) * cols_ + kept_cols_.begin, out + (row - first) * cols_ + end,
                uint8_t{0});
    }
  }
}

}  // namespace attnviz
