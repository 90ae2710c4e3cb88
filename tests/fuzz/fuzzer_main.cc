// The libFuzzer entry point of one harness, named at compile time by ATTNVIZ_FUZZ_HARNESS.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  attnviz::fuzz::RunHarness(ATTNVIZ_FUZZ_HARNESS,
                            std::span(reinterpret_cast<const std::byte*>(data), size));
  return 0;
}
