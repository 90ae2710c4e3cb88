// Small tensors for tests, built from values held in memory.
#pragma once

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz::testing {

// The bytes of `values` as they lie in memory (native byte order).
template <typename T>
std::shared_ptr<const ByteSource> BytesOf(const std::vector<T>& values) {
  std::vector<std::byte> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return std::make_shared<OwnedBytes>(std::move(bytes));
}

// An array of `dtype` in native byte order over all of `source`, with `strides` in elements.
inline ArrayView ArrayOf(std::shared_ptr<const ByteSource> source, DType dtype,
                         std::vector<int64_t> shape, std::vector<int64_t> strides) {
  ArrayView array;
  array.data = source->bytes().data();
  array.source = std::move(source);
  array.dtype = dtype;
  array.byte_order = NativeByteOrder();
  array.shape = std::move(shape);
  array.strides = std::move(strides);
  return array;
}

// A C-order tensor of `shape` over `source`'s `dtype` values, with the default axes of its rank.
inline AttentionTensor TensorOver(std::shared_ptr<const ByteSource> source, DType dtype,
                                  std::vector<int64_t> shape) {
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> strides = RowMajorStrides(shape);
  return AttentionTensor::FromArray(
      ArrayOf(std::move(source), dtype, std::move(shape), std::move(strides)), DefaultAxes(rank));
}

// A C-order float32 tensor of `shape` with the default axes of its rank.
inline AttentionTensor MakeTensor(std::vector<int64_t> shape, const std::vector<float>& values) {
  return TensorOver(BytesOf(values), DType::kF32, std::move(shape));
}

}  // namespace attnviz::testing
