// The instruction sets the vectorised kernels of the analyses are built for, and which this CPU
// runs.
#pragma once

#include <string_view>
#include <vector>

namespace attnviz {

// A kernel's builds: AVX-512 (F and DQ) with FMA, AVX2 with FMA, and the x86-64 baseline (SSE2).
enum class KernelIsa { kAvx512, kAvx2, kBaseline };

// The builds this CPU can run, best first; the last is always kBaseline.
std::vector<KernelIsa> KernelIsas();

// "AVX-512", "AVX2" or "baseline", for messages and tests.
std::string_view KernelIsaName(KernelIsa isa);

// The first of KernelIsas(), found once.
KernelIsa BestKernelIsa();

}  // namespace attnviz
