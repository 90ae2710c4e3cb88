// A number for --json output: NaN (no value) written as null, which JSON has, instead of NaN,
// which it has not.
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace attnviz::cli {

inline nlohmann::json NumberOrNull(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

}  // namespace attnviz::cli
