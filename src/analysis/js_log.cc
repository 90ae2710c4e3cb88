// The JS kernels built for AVX-512, AVX2 and the baseline, so that tests check every build.
#include "analysis/js_log.h"

#include <cstring>

namespace attnviz {

namespace {

template <void (*kLog)(JsLanes&)>
[[gnu::always_inline]] inline void LogOfLanes(double* values, size_t count) {
  for (size_t i = 0; i + kJsLanes <= count; i += kJsLanes) {
    JsLanes x;
    std::memcpy(&x, values + i, sizeof x);
    kLog(x);
    std::memcpy(values + i, &x, sizeof x);
  }
}

template <void (*kLog)(JsLanes&)>
[[gnu::always_inline]] inline double SumOfLanes(const double* p, const double* q, int64_t count) {
  JsLanes sum{};
  for (int64_t i = 0; i < count; i += kJsLanes) {
    JsLanes a, b;
    std::memcpy(&a, p + i, sizeof a);
    std::memcpy(&b, q + i, sizeof b);
    JsLanes log_m = a + b;  // the halves were halved exactly: this is 0.5 * (P' + Q')
    kLog(log_m);
    sum += (a + b) * log_m;
  }
  return ((sum[0] + sum[1]) + (sum[2] + sum[3])) + ((sum[4] + sum[5]) + (sum[6] + sum[7]));
}

ATTNVIZ_BUILD_AVX512 void LogEachAvx512(double* values, size_t count) {
  LogOfLanes<LogByTable>(values, count);
}
ATTNVIZ_BUILD_AVX2 void LogEachAvx2(double* values, size_t count) {
  LogOfLanes<LogBySeries>(values, count);
}
void LogEachBaseline(double* values, size_t count) { LogOfLanes<LogBySeries>(values, count); }

ATTNVIZ_BUILD_AVX512 double SumAvx512(const double* p, const double* q,
                                                         int64_t count) {
  return SumOfLanes<LogByTable>(p, q, count);
}
ATTNVIZ_BUILD_AVX2 double SumAvx2(const double* p, const double* q, int64_t count) {
  return SumOfLanes<LogBySeries>(p, q, count);
}
double SumBaseline(const double* p, const double* q, int64_t count) {
  return SumOfLanes<LogBySeries>(p, q, count);
}

}  // namespace

void LogEach(KernelIsa isa, std::span<double> values) {
  switch (isa) {
    case KernelIsa::kAvx512:
      return LogEachAvx512(values.data(), values.size());
    case KernelIsa::kAvx2:
      return LogEachAvx2(values.data(), values.size());
    case KernelIsa::kBaseline:
      break;
  }
  LogEachBaseline(values.data(), values.size());
}

double SumMeanLogMean(KernelIsa isa, const double* p, const double* q, int64_t count) {
  switch (isa) {
    case KernelIsa::kAvx512:
      return SumAvx512(p, q, count);
    case KernelIsa::kAvx2:
      return SumAvx2(p, q, count);
    case KernelIsa::kBaseline:
      break;
  }
  return SumBaseline(p, q, count);
}

}  // namespace attnviz
