// The one place that decides which instruction sets the vectorised kernels run: Highway's
// detection of the CPU, narrowed by ATTNVIZ_ISA. Highway's dynamic dispatch (the kernels in
// src/simd/) and the kernels still built per instruction set (KernelIsa) both follow it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attnviz {

// Narrows dispatch to the instruction set named by ATTNVIZ_ISA, when it is set: one of
// IsaChoices(). Throws a usage error for an unknown name or one this CPU cannot run. main() and
// the test runner call it once, before any kernel runs.
void ApplyIsaFromEnvironment();

// Narrows dispatch to `name` (one of IsaChoices()), for ATTNVIZ_ISA and the tests.
void RestrictIsa(std::string_view name);

// Every name ATTNVIZ_ISA accepts on this architecture, best first: avx512, avx2, sse4, scalar on
// x86; sve, neon, scalar on Arm; scalar elsewhere.
std::vector<std::string> IsaChoices();

// Those of IsaChoices() this CPU runs, best first (always ends with scalar).
std::vector<std::string> IsasOfThisCpu();

// The one of IsaChoices() dispatch now runs: the best this CPU has, or what ATTNVIZ_ISA chose.
std::string CurrentIsa();

// Highway's name of the target its dispatch now picks: "AVX3", "AVX2", "SSE4", "EMU128"...
std::string DispatchTargetName();

// The builds of the kernels written per instruction set (stats row, JS sums): AVX-512 (F and DQ)
// with FMA, AVX2 with FMA, and the portable baseline.
enum class KernelIsa { kAvx512, kAvx2, kBaseline };

// The builds dispatch may run now, best first; the last is always kBaseline.
std::vector<KernelIsa> KernelIsas();

// "AVX-512", "AVX2" or "baseline", for messages and tests.
std::string_view KernelIsaName(KernelIsa isa);

// The first of KernelIsas().
KernelIsa BestKernelIsa();

// Attributes that build a kernel written per instruction set for AVX-512 or AVX2 on x86; elsewhere
// none (the code then compiles as portable vector code that KernelIsas never chooses).
#if defined(__x86_64__) || defined(__i386__)
#define ATTNVIZ_BUILD_AVX512 [[gnu::target("avx512f,avx512dq,fma")]]
#define ATTNVIZ_BUILD_AVX2 [[gnu::target("avx2,fma")]]
#else
#define ATTNVIZ_BUILD_AVX512
#define ATTNVIZ_BUILD_AVX2
#endif

}  // namespace attnviz
