// Which pixels of a row equal those of another, as bit masks: how the figure encoder finds runs.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace attnviz {

// The 64-bit words a mask of `count` pixels takes, with at least one clear bit after the last
// pixel so that a run always ends inside the mask.
inline size_t EqualMaskWords(int count) { return static_cast<size_t>(count) / 64 + 1; }

// Sets bit i % 64 of mask[i / 64] when a[i] == b[i], for i < count, and clears the bits after
// them up to the end of the EqualMaskWords(count) words.
void MarkEqualPixels(const uint32_t* a, const uint32_t* b, int count, uint64_t* mask);

// How many bits of `mask` are set from bit `from` on, before the first clear one. Inline: the
// parse asks twice per run.
inline int SetBitsFrom(const uint64_t* mask, int from) {
  const uint64_t* word = mask + from / 64;
  int run = std::countr_one(*word >> (from % 64));
  if (run < 64 - from % 64) return run;
  while (true) {
    int ones = std::countr_one(*++word);
    run += ones;
    if (ones < 64) return run;
  }
}

}  // namespace attnviz
