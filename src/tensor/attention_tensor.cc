// Named axes over strided arrays; heads converted to float on access.
#include "attnviz/tensor/attention_tensor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr std::array<std::string_view, 5> kAxisNames = {"layer", "batch", "head", "query", "key"};

}  // namespace

std::string_view AxisName(Axis axis) { return kAxisNames[static_cast<size_t>(axis)]; }

std::optional<Axis> ParseAxis(std::string_view name) {
  for (size_t i = 0; i < kAxisNames.size(); ++i) {
    if (kAxisNames[i] == name) return static_cast<Axis>(i);
  }
  return std::nullopt;
}

std::vector<Axis> DefaultAxes(int rank) {
  using enum Axis;
  switch (rank) {
    case 2:
      return {kQuery, kKey};
    case 3:
      return {kHead, kQuery, kKey};
    case 4:
      return {kLayer, kHead, kQuery, kKey};
    case 5:
      return {kLayer, kBatch, kHead, kQuery, kKey};
    default:
      return {};
  }
}

std::optional<std::string> AxesProblem(std::span<const Axis> axes, int rank) {
  if (static_cast<int>(axes.size()) != rank) {
    return "expected " + std::to_string(rank) + " axis names for a rank-" + std::to_string(rank) +
           " array, found " + std::to_string(axes.size()) + " " + FormatAxes(axes);
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    if (std::count(axes.begin(), axes.end(), axes[i]) > 1) {
      return "axis '" + std::string(AxisName(axes[i])) + "' named twice in " + FormatAxes(axes);
    }
  }
  for (Axis required : {Axis::kQuery, Axis::kKey}) {
    if (std::find(axes.begin(), axes.end(), required) == axes.end()) {
      return "expected a '" + std::string(AxisName(required)) + "' axis, found " + FormatAxes(axes);
    }
  }
  return std::nullopt;
}

std::string FormatAxes(std::span<const Axis> axes) {
  std::string text = "(";
  for (size_t i = 0; i < axes.size(); ++i) {
    if (i > 0) text += ", ";
    text += AxisName(axes[i]);
  }
  return text + ")";
}

void ScoresToProbabilities(std::span<float> row) {
  const auto masked = [](float score) { return score <= kMaskedScore; };  // -inf too
  double top = -std::numeric_limits<double>::infinity();
  for (float score : row) {
    if (!std::isnan(score) && !masked(score)) top = std::max<double>(top, score);
  }
  if (std::isinf(top) && top > 0) {
    // Only the +inf entries share the mass: exp(x - inf) is 0 for every other.
    const auto winners = std::count(row.begin(), row.end(), std::numeric_limits<float>::infinity());
    for (float& score : row) {
      if (!std::isnan(score))
        score = std::isinf(score) && score > 0 ? 1.0f / static_cast<float>(winners) : 0.0f;
    }
    return;
  }
  double total = 0;
  for (float score : row) {
    if (!std::isnan(score) && !masked(score)) total += std::exp(score - top);
  }
  for (float& score : row) {
    if (std::isnan(score)) continue;
    score = masked(score) ? 0.0f : static_cast<float>(std::exp(score - top) / total);
  }
}

int64_t ArrayView::ElementCount() const {
  int64_t count = 1;
  for (int64_t extent : shape) count *= extent;
  return count;
}

std::vector<int64_t> RowMajorStrides(std::span<const int64_t> shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

std::vector<int64_t> ColumnMajorStrides(std::span<const int64_t> shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

AttentionTensor AttentionTensor::FromArray(ArrayView array, std::vector<Axis> axes) {
  if (const auto problem = AxesProblem(axes, static_cast<int>(array.shape.size()))) {
    ThrowUsageError(*problem);
  }
  AttentionTensor tensor;
  tensor.shape_ = array.shape;
  tensor.axes_ = axes;
  tensor.parts_.push_back(std::move(array));
  tensor.PlaceAxes(axes);
  return tensor;
}

AttentionTensor AttentionTensor::FromLayerStack(std::vector<ArrayView> layers,
                                                std::vector<Axis> axes) {
  if (const auto problem = AxesProblem(axes, static_cast<int>(layers.front().shape.size()))) {
    ThrowUsageError(*problem);
  }
  if (std::find(axes.begin(), axes.end(), Axis::kLayer) != axes.end()) {
    ThrowUsageError("per-layer arrays cannot also have a 'layer' axis: " + FormatAxes(axes));
  }
  AttentionTensor tensor;
  tensor.layer_stack_ = true;
  tensor.shape_ = layers.front().shape;
  tensor.shape_.insert(tensor.shape_.begin(), static_cast<int64_t>(layers.size()));
  tensor.axes_ = axes;
  tensor.axes_.insert(tensor.axes_.begin(), Axis::kLayer);
  tensor.parts_ = std::move(layers);
  tensor.PlaceAxes(axes);
  tensor.extents_.layers = static_cast<int64_t>(tensor.parts_.size());
  return tensor;
}

void AttentionTensor::PlaceAxes(const std::vector<Axis>& part_axes) {
  part_axes_ = part_axes;
  const ArrayView& part = parts_.front();
  for (size_t d = 0; d < part_axes.size(); ++d) {
    const int64_t extent = part.shape[d];
    switch (part_axes[d]) {
      case Axis::kLayer:
        extents_.layers = extent;
        break;
      case Axis::kBatch:
        extents_.batches = extent;
        break;
      case Axis::kHead:
        extents_.heads = extent;
        break;
      case Axis::kQuery:
        extents_.queries = extent;
        break;
      case Axis::kKey:
        extents_.keys = extent;
        break;
    }
  }
  stored_queries_ = extents_.queries;
  stored_keys_ = extents_.keys;
}

void AttentionTensor::Crop(int64_t query_first, int64_t query_count, int64_t key_first,
                           int64_t key_count) {
  query_first_ = query_first;
  key_first_ = key_first;
  extents_.queries = query_count;
  extents_.keys = key_count;
}

int64_t AttentionTensor::StrideOf(const ArrayView& part, Axis axis) const {
  const auto it = std::find(part_axes_.begin(), part_axes_.end(), axis);
  return it == part_axes_.end() ? 0 : part.strides[static_cast<size_t>(it - part_axes_.begin())];
}

AttentionTensor::HeadPlace AttentionTensor::PlaceOf(int64_t layer, int64_t head) const {
  const ArrayView& part = layer_stack_ ? parts_[static_cast<size_t>(layer)] : parts_.front();
  const int64_t offset =
      (layer_stack_ ? 0 : layer * StrideOf(part, Axis::kLayer)) +
      batch_ * StrideOf(part, Axis::kBatch) + head * StrideOf(part, Axis::kHead) +
      query_first_ * StrideOf(part, Axis::kQuery) + key_first_ * StrideOf(part, Axis::kKey);
  return {&part, part.data + offset * DTypeSize(part.dtype), StrideOf(part, Axis::kQuery),
          StrideOf(part, Axis::kKey)};
}

void AttentionTensor::ReadHead(int64_t layer, int64_t head, std::span<float> out) const {
  ReadRows(layer, head, 0, extents_.queries, out);
}

void AttentionTensor::ReadRows(int64_t layer, int64_t head, int64_t first, int64_t count,
                               std::span<float> out) const {
  ConvertRows(layer, head, first, count, out);
  if (!softmax_) return;
  for (int64_t q = 0; q < count; ++q) ScoresToProbabilities(out.subspan(q * keys(), keys()));
}

void AttentionTensor::ConvertRows(int64_t layer, int64_t head, int64_t first, int64_t count,
                                  std::span<float> out) const {
  const HeadPlace place = PlaceOf(layer, head);
  const ArrayView& part = *place.part;
  const int64_t element_size = DTypeSize(part.dtype);
  const int64_t cols = extents_.keys;
  const int64_t query_stride = place.query_stride, key_stride = place.key_stride;
  const std::byte* base = place.base + first * query_stride * element_size;
  const bool contiguous = (cols <= 1 || key_stride == 1) && (count <= 1 || query_stride == cols);
  if (contiguous && part.source) {
    // One copy of the band out of the source (a read of the file for a map), then converted.
    const auto bytes = static_cast<size_t>(count * cols * element_size);
    if (part.dtype == DType::kF32 && part.byte_order == NativeByteOrder()) {
      part.source->Copy({base, bytes}, reinterpret_cast<std::byte*>(out.data()));
      return;
    }
    thread_local std::vector<std::byte> staging;
    staging.resize(bytes);
    part.source->Copy({base, bytes}, staging.data());
    ConvertToFloat(staging.data(), part.dtype, part.byte_order, count * cols, 1, out.data());
    return;
  }
  if (std::llabs(key_stride) <= std::llabs(query_stride)) {
    for (int64_t q = 0; q < count; ++q) {
      ConvertToFloat(base + q * query_stride * element_size, part.dtype, part.byte_order, cols,
                     key_stride, out.data() + q * cols);
    }
    return;
  }
  // Column-major plane: read each column contiguously, then transpose in memory.
  std::vector<float> column(static_cast<size_t>(count));
  for (int64_t k = 0; k < cols; ++k) {
    ConvertToFloat(base + k * key_stride * element_size, part.dtype, part.byte_order, count,
                   query_stride, column.data());
    for (int64_t q = 0; q < count; ++q) out[static_cast<size_t>(q * cols + k)] = column[q];
  }
}

std::span<const float> AttentionTensor::HeadInPlace(int64_t layer, int64_t head) const {
  const HeadPlace place = PlaceOf(layer, head);
  const bool in_place = !softmax_ && place.part->dtype == DType::kF32 &&
                        place.part->byte_order == NativeByteOrder() &&
                        (extents_.keys <= 1 || place.key_stride == 1) &&
                        (extents_.queries <= 1 || place.query_stride == extents_.keys) &&
                        reinterpret_cast<uintptr_t>(place.base) % alignof(float) == 0;
  if (!in_place) return {};
  return {reinterpret_cast<const float*>(place.base), static_cast<size_t>(HeadSize())};
}

std::span<const float> AttentionTensor::HeadValues(int64_t layer, int64_t head,
                                                   std::vector<float>& scratch) const {
  const std::span<const float> in_place = HeadInPlace(layer, head);
  if (!in_place.empty() || HeadSize() == 0) return in_place;
  scratch.resize(static_cast<size_t>(HeadSize()));
  ReadHead(layer, head, scratch);
  return scratch;
}

// Only for a head stored in one run: the range of a strided head would cover its neighbours.
void AttentionTensor::AdviseHead(int64_t layer, int64_t head, Access access) const {
  const HeadPlace place = PlaceOf(layer, head);
  const bool contiguous = (extents_.keys <= 1 || place.key_stride == 1) &&
                          (extents_.queries <= 1 || place.query_stride == extents_.keys);
  if (!contiguous || !place.part->source) return;
  const auto size = static_cast<size_t>(HeadSize() * DTypeSize(place.part->dtype));
  place.part->source->Advise({place.base, size}, access);
}

std::vector<float> AttentionTensor::ReadHead(int64_t layer, int64_t head) const {
  std::vector<float> out(static_cast<size_t>(HeadSize()));
  ReadHead(layer, head, out);
  return out;
}

}  // namespace attnviz
