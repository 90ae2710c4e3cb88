// Which instruction sets the kernels run: Highway's CPU detection, narrowed by ATTNVIZ_ISA.
#include "simd/dispatch.h"

#include <hwy/targets.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "attnviz/error.h"

namespace attnviz {
namespace {

struct IsaLevel {
  const char* name;
  int64_t target;  // the Highway target of that level; better targets have lower bits
};

// Best first. Each level also allows every target below it (worse), never one above.
std::vector<IsaLevel> Levels() {
#if HWY_ARCH_X86
  return {{"avx512", HWY_AVX3}, {"avx2", HWY_AVX2}, {"sse4", HWY_SSE4}, {"scalar", HWY_EMU128}};
#elif HWY_ARCH_ARM
  return {{"sve", HWY_SVE}, {"neon", HWY_NEON}, {"scalar", HWY_EMU128}};
#else
  return {{"scalar", HWY_EMU128}};
#endif
}

// Every target the CPU runs, whatever ATTNVIZ_ISA says: read before the first restriction.
int64_t TargetsOfThisCpu() {
  static const int64_t targets = hwy::SupportedTargets();
  return targets;
}

// The targets RestrictIsa took away (Highway's SupportedTargets() detects the CPU afresh on every
// call).
std::atomic<int64_t> disabled_targets{0};

bool CpuRuns(const IsaLevel& level) {
  // Reads the CPU's targets first, so that they are known before any narrowing.
  return (TargetsOfThisCpu() & level.target) != 0 || level.target == HWY_EMU128;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

}  // namespace

std::vector<std::string> IsaChoices() {
  std::vector<std::string> names;
  for (const IsaLevel& level : Levels()) names.emplace_back(level.name);
  return names;
}

std::vector<std::string> IsasOfThisCpu() {
  std::vector<std::string> names;
  for (const IsaLevel& level : Levels()) {
    if (CpuRuns(level)) names.emplace_back(level.name);
  }
  return names;
}

void RestrictIsa(std::string_view name) {
  for (const IsaLevel& level : Levels()) {
    if (name != level.name) continue;
    if (!CpuRuns(level)) {
      ThrowUsageError("ATTNVIZ_ISA " + std::string(name) + " is not an instruction set this CPU " +
                      "runs; expected one of " + Joined(IsasOfThisCpu()));
    }
    disabled_targets = level.target - 1;  // every better target
    hwy::DisableTargets(disabled_targets);
    return;
  }
  ThrowUsageError("ATTNVIZ_ISA \"" + std::string(name) + "\" is not an instruction set; " +
                  "expected one of " + Joined(IsaChoices()));
}

void ApplyIsaFromEnvironment() {
  const char* name = std::getenv("ATTNVIZ_ISA");
  if (name != nullptr && *name != '\0') RestrictIsa(name);
}

std::string CurrentIsa() {
  const int64_t allowed = TargetsOfThisCpu() & ~disabled_targets.load();
  for (const IsaLevel& level : Levels()) {
    if (level.target == HWY_EMU128 || (allowed & level.target) != 0) return level.name;
  }
  return "scalar";
}

std::string DispatchTargetName() {
  const int64_t targets = hwy::SupportedTargets() & HWY_TARGETS;
  return hwy::TargetName(targets & -targets);  // the lowest bit is the best target
}

}  // namespace attnviz

// Highway 1.0.3's libhwy measures its timer's resolution for nanobenchmark when it is loaded, by
// spinning: 4.2 ms of CPU in every process (an empty program linked with -lhwy: 4.7 against
// 0.5 ms, perf stat -r 50), more than the rest of attnviz's start-up. attnviz never uses
// nanobenchmark, so the program answers libhwy's call itself: it exports this definition
// (CMakeLists.txt, --export-dynamic-symbol), which the dynamic loader binds ahead of libhwy's own.
// A Highway that no longer makes the call leaves it unused.
namespace hwy::platform {
uint64_t TimerResolution() { return 1; }
}  // namespace hwy::platform
