// What a figure may do to the matrix of weights it draws (attnviz/tensor/matrix.h) first: crop
// it, renormalise its rows, fuse several heads into one, and mask cells that are not weights.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/tensor/matrix.h"

namespace attnviz {

// The positions begin, begin + 1, ..., end - 1 along one axis.
struct IndexRange {
  int64_t begin = 0;
  int64_t end = 0;

  int64_t size() const { return end - begin; }
};

// The cells of `rows` x `cols`, mask included. The ranges must lie inside the matrix.
Matrix Crop(const Matrix& matrix, IndexRange rows, IndexRange cols);

// Each row divided by the sum of its finite, unmasked values, so it sums to 1; a row whose sum
// is not positive stays as it is. Never applied unless asked for: a crop of a head or a dump
// that stores partial rows keeps its true weights.
Matrix RowNormalized(Matrix matrix);

enum class MaskMode {
  kDetect,  // the causal upper triangle and padded rows or columns, when the zeros say so
  kCausal,  // the cells above the (bottom-right aligned) diagonal, whatever their values
  kNone,
};

// Mask flags for `matrix` (see Matrix::masked), or an empty vector when no cell is masked.
// kDetect masks the cells above the diagonal of a square matrix when all of them are exactly 0,
// and the leading or trailing rows and columns that are exactly 0 throughout; an all-zero
// matrix is data, not padding, and is never masked. kCausal masks cell (r, c) when
// c > r + cols - rows: with more keys than queries, the queries are the last ones (a KV cache).
std::vector<uint8_t> MaskCells(const Matrix& matrix, MaskMode mode);

// Mask flags for a map over the tokens whose row i belongs to token `positions[i]` (a rollout of
// some or all output tokens): the cells right of each row's own token, when there are some and
// every one of them is exactly 0 (a causal model's triangle), as MaskCells(kDetect) masks a head;
// else an empty vector.
std::vector<uint8_t> DetectCausalRows(const Matrix& matrix, const std::vector<int64_t>& positions);

// The cells masked in both `a` and `b` (flags as Matrix::masked; empty: none masked).
std::vector<uint8_t> MaskedInBoth(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

enum class Fusion { kMean, kMax, kMin };

// Several heads of one shape combined cell by cell into one matrix. A non-finite value in any
// head makes the fused cell non-finite; a cell is masked when it is masked in every head.
class HeadFusion {
 public:
  explicit HeadFusion(Fusion fusion) : fusion_(fusion) {}

  // Throws Error(kUsage) when `head` differs in shape from the first head added.
  void Add(const Matrix& head);
  int64_t count() const { return count_; }
  // The fusion of the heads added so far; requires count() > 0.
  Matrix Result() const;

 private:
  void AddValues(const Matrix& head);
  void AddMask(const Matrix& head);

  Fusion fusion_;
  int64_t count_ = 0;
  Matrix fused_;             // running sum, maximum or minimum
  std::vector<double> sum_;  // the mean's sums, in double so 1024 heads add up exactly enough
};

}  // namespace attnviz
