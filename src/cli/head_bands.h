// The matrix a heatmap draws of one head, or of a fusion of heads, read a band of query rows at a
// time: masked, cropped and renormalised as CellSelection does it to the whole head, so that a
// head larger than memory is pooled into the figure as it streams from the dump.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "attnviz/render/mask_shape.h"
#include "attnviz/render/matrix_bands.h"
#include "attnviz/tensor/attention_tensor.h"
#include "cli/cell_options.h"

namespace attnviz::cli {

class HeadBands : public MatrixBands {
 public:
  // The heads (layer, head) of `tensor`, fused by `fusion` (none: exactly one head), as
  // cells.Shown(cells.ReadMasked(...)) or their HeadFusion gives them: the same values and flags.
  // Reads every head once or twice to find its mask (MaskShape::Detect). `tensor` must outlive
  // this; `band_bytes` sets how much a band of a head holds.
  HeadBands(const AttentionTensor& tensor, const CellSelection& cells,
            std::vector<std::pair<int64_t, int64_t>> heads, std::optional<Fusion> fusion,
            int64_t band_bytes = kBandBytes);

  int64_t rows() const override { return cells_.queries.size(); }
  int64_t cols() const override { return cells_.keys.size(); }
  bool masked() const override { return masked_; }
  int64_t band_rows() const override { return band_rows_; }
  void ReadBand(int64_t first, int64_t count, Matrix& band) const override;
  void ReadMask(int64_t first, int64_t count, std::vector<uint8_t>& flags) const override;
  std::span<const float> RowsInPlace(int64_t first, int64_t count) const override;

  // About 1 MB of a head's rows: fewer reads of the file than a band that fits L2, while the
  // memory a figure holds stays far below any head worth streaming.
  static constexpr int64_t kBandBytes = 1 << 20;

 private:
  struct Head {
    int64_t layer, head;
    MaskShape mask;
    bool masked;  // the whole head's mask is not empty (MaskShape, or padding)
  };
  Head MaskedHead(int64_t layer, int64_t head) const;
  bool PaddingMasks() const;
  // Head rows [first, first + count) of one head over every key into `out`: their values when
  // `values` (else none), and their mask flags when the head has them.
  void ReadHeadRows(const Head& head, int64_t first, int64_t count, bool values, Matrix& out) const;
  // The same of the fusion of the heads, or of the one head.
  void ReadFused(int64_t first, int64_t count, bool values, Matrix& out) const;

  const AttentionTensor& tensor_;
  CellSelection cells_;
  std::vector<Head> heads_;
  std::optional<Fusion> fusion_;
  int64_t band_rows_ = 1;
  bool masked_ = false;
};

}  // namespace attnviz::cli
