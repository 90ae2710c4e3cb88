// Masks of equal pixels and the runs of set bits in them.
#include "png/equal_pixels.h"

#include <doctest/doctest.h>

#include <vector>

namespace attnviz {
namespace {

TEST_CASE("MarkEqualPixels sets the bit of each equal pixel") {
  uint32_t a[] = {1, 2, 3, 4, 5};
  uint32_t b[] = {1, 0, 3, 4, 0};
  std::vector<uint64_t> mask(EqualMaskWords(5), ~uint64_t{0});
  MarkEqualPixels(a, b, 5, mask.data());
  CHECK(mask == std::vector<uint64_t>{0b01101});
}

TEST_CASE("MarkEqualPixels covers every pixel of long rows and clears the bits after them") {
  // Pixel i differs where i is a multiple of 7 or 11; counts around the 8-pixel and 64-bit steps.
  for (int count : {0, 1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 200}) {
    CAPTURE(count);
    std::vector<uint32_t> a(static_cast<size_t>(count)), b(static_cast<size_t>(count));
    std::vector<uint64_t> expected(EqualMaskWords(count), 0);
    for (int i = 0; i < count; ++i) {
      a[static_cast<size_t>(i)] = 0xff000000u + static_cast<uint32_t>(i);
      bool differs = i % 7 == 0 || i % 11 == 0;
      b[static_cast<size_t>(i)] = a[static_cast<size_t>(i)] ^ (differs ? 0x10u : 0u);
      if (!differs) expected[static_cast<size_t>(i / 64)] |= uint64_t{1} << (i % 64);
    }
    std::vector<uint64_t> mask(EqualMaskWords(count), ~uint64_t{0});
    MarkEqualPixels(a.data(), b.data(), count, mask.data());
    CHECK(mask == expected);
  }
}

TEST_CASE("EqualMaskWords leaves room for a clear bit after the last pixel") {
  CHECK(EqualMaskWords(0) == 1);
  CHECK(EqualMaskWords(63) == 1);
  CHECK(EqualMaskWords(64) == 2);
  CHECK(EqualMaskWords(776) == 13);
}

TEST_CASE("SetBitsFrom counts set bits up to the first clear one, across words") {
  std::vector<uint64_t> mask{~uint64_t{0} << 4, ~uint64_t{0}, 0b0111};
  CHECK(SetBitsFrom(mask.data(), 0) == 0);
  CHECK(SetBitsFrom(mask.data(), 4) == 60 + 64 + 3);
  CHECK(SetBitsFrom(mask.data(), 60) == 4 + 64 + 3);
  CHECK(SetBitsFrom(mask.data(), 64) == 64 + 3);
  CHECK(SetBitsFrom(mask.data(), 130) == 1);
  CHECK(SetBitsFrom(mask.data(), 131) == 0);
}

}  // namespace
}  // namespace attnviz
