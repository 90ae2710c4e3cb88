// LogInPlace over an array, built like SumMeanLogMean so that tests check the build that runs.
#include "analysis/js_log.h"

#include <cstring>

namespace attnviz {

namespace {

// Internal, as SumMeanLogMean is: clang 14 builds no clones of an external function that its
// own file does not call.
__attribute__((target_clones("avx512f", "avx2", "default"))) void LogOfLanes(double* values,
                                                                             size_t count) {
  for (size_t i = 0; i + kJsLanes <= count; i += kJsLanes) {
    JsLanes x;
    std::memcpy(&x, values + i, sizeof x);
    LogInPlace(x);
    std::memcpy(values + i, &x, sizeof x);
  }
}

}  // namespace

void LogEach(std::span<double> values) { LogOfLanes(values.data(), values.size()); }

}  // namespace attnviz
