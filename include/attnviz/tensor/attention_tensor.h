// The attention tensor: named axes over strided arrays that stay where the file put them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attnviz/tensor/byte_source.h"
#include "attnviz/tensor/dtype.h"

namespace attnviz {

enum class Axis { kLayer, kBatch, kHead, kQuery, kKey };

// "layer", "batch", "head", "query", "key".
std::string_view AxisName(Axis axis);
std::optional<Axis> ParseAxis(std::string_view name);

// The axes a dump of this rank has when nobody says otherwise: 2 (query, key), 3 (head, query,
// key), 4 (layer, head, query, key), 5 (layer, batch, head, query, key) as
// torch.stack(outputs.attentions) gives. Empty for other ranks.
std::vector<Axis> DefaultAxes(int rank);

// Why `axes` cannot name the dimensions of an array of rank `rank` (wrong count, a name twice,
// no query or key axis), or nullopt when they can.
std::optional<std::string> AxesProblem(std::span<const Axis> axes, int rank);

// "(layer, head, query, key)".
std::string FormatAxes(std::span<const Axis> axes);

// One n-dimensional array inside a ByteSource, with strides in elements (C or Fortran order,
// or anything else a format can describe).
struct ArrayView {
  std::shared_ptr<const ByteSource> source;  // keeps `data` alive
  const std::byte* data = nullptr;           // the element at index (0, ..., 0)
  DType dtype = DType::kF32;
  ByteOrder byte_order = ByteOrder::kLittle;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements, one per dimension

  int64_t ElementCount() const;
};

// C-order (row-major) strides for `shape`, in elements.
std::vector<int64_t> RowMajorStrides(std::span<const int64_t> shape);
// Fortran-order (column-major) strides for `shape`, in elements.
std::vector<int64_t> ColumnMajorStrides(std::span<const int64_t> shape);

// Scores at or below this are masks (-inf, -3.4e38 = torch.finfo(float32).min, -1e30), not
// values: ScoresToProbabilities gives them 0.
inline constexpr float kMaskedScore = -1e30f;

// Softmax of one row of pre-softmax scores, in place, computed in double: masked entries (see
// kMaskedScore) become 0, and a row with no other entry becomes all 0. NaN stays NaN and takes no
// part; +inf entries share the whole mass.
void ScoresToProbabilities(std::span<float> row);

// The logical extent of each named axis; an axis the dump does not have has extent 1.
struct TensorExtents {
  int64_t layers = 1;
  int64_t batches = 1;
  int64_t heads = 1;
  int64_t queries = 0;
  int64_t keys = 0;
};

// Attention weights with named axes. Nothing is copied or converted when a tensor is built: each
// head (a query x key plane of one layer and one batch item) is converted to float when read.
class AttentionTensor {
 public:
  // One array whose dimensions are named by `axes`. Throws a usage Error with AxesProblem's
  // message when the names do not fit the array.
  static AttentionTensor FromArray(ArrayView array, std::vector<Axis> axes);

  // One array per layer (np.savez(f, *outputs.attentions)); all share shape and `axes`, which
  // must not name a layer axis (a usage Error otherwise). Each layer keeps its own strides and
  // byte order.
  static AttentionTensor FromLayerStack(std::vector<ArrayView> layers, std::vector<Axis> axes);

  // The extents reads see: queries and keys after Crop.
  const TensorExtents& extents() const { return extents_; }
  int64_t layers() const { return extents_.layers; }
  int64_t heads() const { return extents_.heads; }
  int64_t queries() const { return extents_.queries; }
  int64_t keys() const { return extents_.keys; }
  int64_t batches() const { return extents_.batches; }
  int64_t HeadSize() const { return extents_.queries * extents_.keys; }

  // The axes and shape as stored; a layer stack shows its layer axis first.
  const std::vector<Axis>& axes() const { return axes_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  DType dtype() const { return parts_.front().dtype; }

  // The batch item that ReadHead reads (default 0). Requires 0 <= batch < batches().
  void SelectBatch(int64_t batch) { batch_ = batch; }
  int64_t batch() const { return batch_; }

  // Restricts every read (ReadHead, ReadRows, HeadValues, HeadInPlace, queries(), keys()) to the
  // stored queries [query_first, query_first + query_count) and keys [key_first, key_first +
  // key_count): a dump without its padding, for analyses and figures that know nothing of it.
  // Replaces an earlier crop. Requires counts >= 1 and ranges within the stored extents.
  void Crop(int64_t query_first, int64_t query_count, int64_t key_first, int64_t key_count);
  int64_t query_first() const { return query_first_; }
  int64_t key_first() const { return key_first_; }
  // The extents of the query and key axes as stored, whatever the crop.
  int64_t stored_queries() const { return stored_queries_; }
  int64_t stored_keys() const { return stored_keys_; }

  // When on, each row read is turned from pre-softmax scores into probabilities over the keys
  // read (ScoresToProbabilities); heads are then never in place.
  void SetSoftmax(bool on) { softmax_ = on; }
  bool softmax() const { return softmax_; }

  // Copies head `head` of layer `layer` (selected batch item) into `out`, queries x keys in
  // row-major order. Requires valid indices and out.size() == HeadSize().
  void ReadHead(int64_t layer, int64_t head, std::span<float> out) const;
  std::vector<float> ReadHead(int64_t layer, int64_t head) const;

  // Copies query rows [first, first + count) of that head into `out` as ReadHead would. Requires
  // valid indices, a range within queries() and out.size() == count * keys().
  void ReadRows(int64_t layer, int64_t head, int64_t first, int64_t count,
                std::span<float> out) const;

  // Head `head` of layer `layer` as ReadHead gives it, without a copy when the dump stores it as
  // aligned row-major native float32 (the span then points into the dump's bytes and stays valid
  // while this tensor lives); otherwise read into `scratch`, resized to HeadSize().
  std::span<const float> HeadValues(int64_t layer, int64_t head, std::vector<float>& scratch) const;

  // The head in place as HeadValues would give it, or an empty span when it has to be converted.
  std::span<const float> HeadInPlace(int64_t layer, int64_t head) const;

  // Passes `access` for the bytes holding one head to the dump's ByteSource.
  void AdviseHead(int64_t layer, int64_t head, Access access) const;

 private:
  // Where one head's first element lies and how its queries and keys step, in elements.
  struct HeadPlace {
    const ArrayView* part;
    const std::byte* base;
    int64_t query_stride;
    int64_t key_stride;
  };
  HeadPlace PlaceOf(int64_t layer, int64_t head) const;
  // ReadRows without the softmax: the stored values converted to float.
  void ConvertRows(int64_t layer, int64_t head, int64_t first, int64_t count,
                   std::span<float> out) const;

  // The stride of the part dimension named `axis`, or 0 when the dump has no such axis.
  int64_t StrideOf(const ArrayView& part, Axis axis) const;

  AttentionTensor() = default;
  void PlaceAxes(const std::vector<Axis>& part_axes);

  std::vector<ArrayView> parts_;  // one array, or one per layer
  bool layer_stack_ = false;
  std::vector<Axis> axes_;
  std::vector<int64_t> shape_;
  TensorExtents extents_;
  std::vector<Axis> part_axes_;  // the names of each part's dimensions
  int64_t batch_ = 0;
  int64_t stored_queries_ = 0;
  int64_t stored_keys_ = 0;
  int64_t query_first_ = 0;
  int64_t key_first_ = 0;
  bool softmax_ = false;
};

}  // namespace attnviz
