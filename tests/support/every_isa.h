// Runs a check once per instruction set this CPU runs (simd/dispatch.h), for the kernels' tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "simd/dispatch.h"

namespace attnviz {

// Runs `check(isa)` once per instruction set of this CPU, best first, then restores the one that
// ran before (ATTNVIZ_ISA's, when the whole suite runs on one).
template <typename Check>
void OnEveryIsa(Check check) {
  const std::string before = CurrentIsa();
  const std::vector<std::string> isas = IsasOfThisCpu();
  for (const std::string& isa : isas) {
    RestrictIsa(isa);
    CAPTURE(isa);
    check(isa);
  }
  RestrictIsa(before);
}

}  // namespace attnviz
