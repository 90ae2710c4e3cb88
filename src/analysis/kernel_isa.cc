// Which kernel builds this CPU runs, from CPUID.
#include "analysis/kernel_isa.h"

namespace attnviz {

std::vector<KernelIsa> KernelIsas() {
  __builtin_cpu_init();
  std::vector<KernelIsa> isas;
  if (__builtin_cpu_supports("fma")) {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) {
      isas.push_back(KernelIsa::kAvx512);
    }
    if (__builtin_cpu_supports("avx2")) isas.push_back(KernelIsa::kAvx2);
  }
  isas.push_back(KernelIsa::kBaseline);
  return isas;
}

std::string_view KernelIsaName(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::kAvx512:
      return "AVX-512";
    case KernelIsa::kAvx2:
      return "AVX2";
    case KernelIsa::kBaseline:
      break;
  }
  return "baseline";
}

KernelIsa BestKernelIsa() {
  static const KernelIsa best = KernelIsas().front();
  return best;
}

}  // namespace attnviz
