// Shared by the stats and classify tests: small tensors from values, goldens from JSON files.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz::testing {

// A C-order float32 tensor of `shape` with the default axes of its rank.
inline AttentionTensor MakeTensor(std::vector<int64_t> shape, const std::vector<float>& values) {
  std::vector<std::byte> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  auto source = std::make_shared<OwnedBytes>(std::move(bytes));
  ArrayView array;
  array.data = source->bytes().data();
  array.source = std::move(source);
  array.dtype = DType::kF32;
  array.byte_order = NativeByteOrder();
  array.strides = RowMajorStrides(shape);
  array.shape = std::move(shape);
  const int rank = static_cast<int>(array.shape.size());
  return AttentionTensor::FromArray(std::move(array), DefaultAxes(rank));
}

inline nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path);
  return nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
}

// A golden number (null: does not apply, NaN here) against a computed one, to 1e-6.
inline void CheckGolden(const nlohmann::json& expected, double actual, const std::string& what) {
  INFO(what);
  if (expected.is_null()) {
    CHECK_MESSAGE(std::isnan(actual), "expected null, found ", actual);
  } else {
    const double want = expected.get<double>();
    CHECK_MESSAGE(std::abs(actual - want) <= 1e-6, "expected ", want, ", found ", actual);
  }
}

}  // namespace attnviz::testing
