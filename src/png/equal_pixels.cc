// Equal pixels a vector at a time (src/simd): a bit per pixel in a loop doubles the time of the
// whole PNG encoding of a 776 x 742 heatmap (1.6 ms, still half of libdeflate's level 2).
#include "equal_pixels.h"

#include "simd/kernels.h"

namespace attnviz {

void MarkEqualPixels(const uint32_t* a, const uint32_t* b, int count, uint64_t* mask) {
  simd::MarkEqualPixels(a, b, static_cast<size_t>(count), mask);
}

}  // namespace attnviz
