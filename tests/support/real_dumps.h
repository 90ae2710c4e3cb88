// The real dumps in ../shared/real: not part of a fresh clone, where the tests that read them
// report themselves as skipped.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

namespace attnviz::testing {

// The folder, with a trailing slash.
inline const std::string kRealDumps = ATTNVIZ_SHARED_REAL_DIR "/";

// Whether `path` (a real dump or the folder) is absent. When it is, the test says "SKIPPED: ...",
// which CTest reports as a skip (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt); the caller
// then returns.
inline bool SkippedWithout(const std::string& path = kRealDumps) {
  if (std::filesystem::exists(path)) return false;
  MESSAGE("SKIPPED: " << path << " is absent (../shared/real is not part of a clone)");
  return true;
}

}  // namespace attnviz::testing
