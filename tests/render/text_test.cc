// Shaping text: the same text measures the same whether freshly shaped or kept from before.
#include "render/text.h"

#include <doctest/doctest.h>

#include <string>

namespace attnviz {
namespace {

TEST_CASE("text shaped again is the same block, before and after the kept shapes are emptied") {
  const TextShaper shaper;
  const TextStyle style{"DejaVu Sans", 10, false};
  const TextBlock first = shaper.Shape("query", style);
  CHECK(first.logical().width > 10);
  const TextBlock again = shaper.Shape("query", style);
  CHECK(again.logical().width == first.logical().width);
  CHECK(again.ink().height == first.ink().height);
  // Another style or width is another shape.
  CHECK(shaper.Shape("query", {"DejaVu Sans", 20, false}).logical().width >
        1.9 * first.logical().width);
  CHECK(shaper.Shape("query", {"DejaVu Sans", 10, true}).logical().width > first.logical().width);
  // More texts than are kept: the first is shaped anew and measures the same.
  for (int i = 0; i < 5000; ++i) shaper.Shape(std::to_string(i), style);
  CHECK(shaper.Shape("query", style).logical().width == first.logical().width);
  CHECK(first.logical().width > 10);  // blocks outlive the emptying
}

TEST_CASE("a wrapped text keeps its wrapping when shaped again") {
  const TextShaper shaper;
  const TextStyle style{"DejaVu Sans", 10, false};
  const std::string text = "attends to the token after the previous occurrence";
  const TextBlock wrapped = shaper.Shape(text, style, 60, 2);
  const TextBlock single = shaper.Shape(text, style);
  CHECK(wrapped.logical().height > 1.5 * single.logical().height);
  CHECK(shaper.Shape(text, style, 60, 2).logical().height == wrapped.logical().height);
}

}  // namespace
}  // namespace attnviz
