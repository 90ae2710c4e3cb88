// Shared by the stats and classify tests: small tensors from values, goldens from JSON files.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"
#include "support/tensors.h"

namespace attnviz::testing {

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
