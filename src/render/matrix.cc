// Cropping, row normalisation, masks and head fusion of the matrices figures draw.
#include "attnviz/render/matrix.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "attnviz/error.h"
#include "attnviz/render/mask_shape.h"

namespace attnviz {
namespace {

constexpr float kBad = std::numeric_limits<float>::quiet_NaN();

bool AllZero(const Matrix& matrix) {
  return std::all_of(matrix.values.begin(), matrix.values.end(), [](float v) { return v == 0; });
}

// The flags of `shape` for every cell of `matrix`, or none when it masks nothing.
std::vector<uint8_t> FlagsOf(const MaskShape& shape, const Matrix& matrix) {
  if (!shape.any()) return {};
  std::vector<uint8_t> mask(matrix.values.size());
  shape.Flags(0, matrix.rows, mask.data());
  return mask;
}

// Rows MaskShape::Detect looks at in one go: it stops once they rule every mask out.
constexpr int64_t kDetectBandRows = 64;

}  // namespace

Matrix Crop(const Matrix& matrix, IndexRange rows, IndexRange cols) {
  Matrix crop{rows.size(), cols.size(), {}, {}};
  crop.values.reserve(rows.size() * cols.size());
  for (int64_t row = rows.begin; row < rows.end; ++row) {
    const float* line = &matrix.values[row * matrix.cols];
    crop.values.insert(crop.values.end(), line + cols.begin, line + cols.end);
    if (matrix.masked.empty()) continue;
    const uint8_t* flags = &matrix.masked[row * matrix.cols];
    crop.masked.insert(crop.masked.end(), flags + cols.begin, flags + cols.end);
  }
  return crop;
}

Matrix RowNormalized(Matrix matrix) {
  for (int64_t row = 0; row < matrix.rows; ++row) {
    double sum = 0;
    for (int64_t col = 0; col < matrix.cols; ++col) {
      float value = matrix.at(row, col);
      if (std::isfinite(value) && !matrix.is_masked(row, col)) sum += value;
    }
    if (!(sum > 0)) continue;
    float* line = &matrix.values[row * matrix.cols];
    for (int64_t col = 0; col < matrix.cols; ++col) line[col] = static_cast<float>(line[col] / sum);
  }
  return matrix;
}

std::vector<uint8_t> DetectCausalRows(const Matrix& matrix, const std::vector<int64_t>& positions) {
  if (static_cast<int64_t>(positions.size()) != matrix.rows || AllZero(matrix)) return {};
  std::vector<uint8_t> mask(matrix.values.size(), 0);
  bool any = false;
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = positions[row] + 1; col < matrix.cols; ++col) {
      if (matrix.at(row, col) != 0) return {};
      mask[row * matrix.cols + col] = 1;
      any = true;
    }
  }
  return any ? mask : std::vector<uint8_t>{};
}

std::vector<uint8_t> MaskedInBoth(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.empty() || b.empty()) return {};
  std::vector<uint8_t> both(a.size());
  for (size_t i = 0; i < a.size(); ++i) both[i] = a[i] & b[i];
  return both;
}

std::vector<uint8_t> MaskCells(const Matrix& matrix, MaskMode mode) {
  if (mode != MaskMode::kDetect) {
    return FlagsOf(MaskShape::Fixed(matrix.rows, matrix.cols, mode), matrix);
  }
  const auto read = [&matrix](int64_t first, int64_t count, std::vector<float>&) {
    return std::span<const float>(matrix.values)
        .subspan(static_cast<size_t>(first * matrix.cols),
                 static_cast<size_t>(count * matrix.cols));
  };
  return FlagsOf(MaskShape::Detect(matrix.rows, matrix.cols, kDetectBandRows, read), matrix);
}

void HeadFusion::Add(const Matrix& head) {
  if (count_ > 0 && (head.rows != fused_.rows || head.cols != fused_.cols)) {
    ThrowUsageError("cannot fuse a " + std::to_string(head.rows) + " x " +
                    std::to_string(head.cols) + " head with " + std::to_string(fused_.rows) +
                    " x " + std::to_string(fused_.cols) + " heads");
  }
  AddValues(head);
  AddMask(head);
  ++count_;
}

void HeadFusion::AddValues(const Matrix& head) {
  if (count_ == 0) {
    fused_ = {head.rows, head.cols, head.values, {}};
    if (fusion_ == Fusion::kMean) sum_.assign(head.values.begin(), head.values.end());
    return;
  }
  for (size_t i = 0; i < head.values.size(); ++i) {
    float value = head.values[i];
    float& fused = fused_.values[i];
    if (!std::isfinite(value) || !std::isfinite(fused)) {
      fused = kBad;
      if (fusion_ == Fusion::kMean) sum_[i] = kBad;
    } else if (fusion_ == Fusion::kMean) {
      sum_[i] += value;
    } else {
      fused = fusion_ == Fusion::kMax ? std::max(fused, value) : std::min(fused, value);
    }
  }
}

void HeadFusion::AddMask(const Matrix& head) {
  if (count_ == 0) {
    fused_.masked = head.masked;
    return;
  }
  if (fused_.masked.empty()) return;
  if (head.masked.empty()) {
    fused_.masked.clear();
    return;
  }
  for (size_t i = 0; i < head.masked.size(); ++i) fused_.masked[i] &= head.masked[i];
}

Matrix HeadFusion::Result() const {
  Matrix result = fused_;
  if (fusion_ == Fusion::kMean) {
    for (size_t i = 0; i < sum_.size(); ++i) {
      result.values[i] = static_cast<float>(sum_[i] / static_cast<double>(count_));
    }
  }
  return result;
}

}  // namespace attnviz
