// The one place that decides which instruction sets the vectorised kernels run: Highway's
// detection of the CPU, narrowed by ATTNVIZ_ISA, which Highway's dynamic dispatch (the kernels in
// src/simd/) follows.
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

}  // namespace attnviz
