// LayoutImageText and LayoutRegionText: where lines end, panels share a size, regions outline
// their patches; positions derived by hand from the layout's picture rectangles.
#include "attnviz/render/image_text.h"

#include <doctest/doctest.h>

#include "attnviz/error.h"

namespace attnviz {
namespace {

Picture Grey(int width, int height) {
  return {width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 4, 128)};
}

ImageTextSpec TwoPanels() {
  ImageTextSpec spec;
  spec.picture = Grey(40, 40);
  spec.grid_rows = 2;
  spec.grid_cols = 2;
  spec.panels = {{"red", {0.1f, 0.6f, 0.2f, 0.1f}, {1, 2}}, {"square", {0.4f, 0, 0, 0.6f}, {3}}};
  return spec;
}

TEST_CASE("a join line runs from the label's right edge to its patch's centre") {
  ImageTextLayout layout = LayoutImageText(TwoPanels());
  REQUIRE(layout.images.size() == 2);
  const Rect& image = layout.images[0];
  const JoinLine& line = layout.lines[0][0];  // patch 1: row 0, column 1
  CHECK(line.to.x == doctest::Approx(image.x + 0.75 * image.width));
  CHECK(line.to.y == doctest::Approx(image.y + 0.25 * image.height));
  CHECK(line.from.x == doctest::Approx(layout.labels[0].right()));
  CHECK(line.from.y == doctest::Approx(layout.labels[0].center().y));
  const JoinLine& other = layout.lines[1][0];  // patch 3: row 1, column 1 of the second panel
  CHECK(other.to.x == doctest::Approx(layout.images[1].x + 0.75 * layout.images[1].width));
  CHECK(other.to.y == doctest::Approx(layout.images[1].y + 0.75 * layout.images[1].height));
}

TEST_CASE("line width and opacity follow the weight over the largest joined weight") {
  ImageTextLayout layout = LayoutImageText(TwoPanels());
  // Largest joined weight 0.6 (patch 1 of panel 0 and patch 3 of panel 1): 3 pt, opaque.
  CHECK(layout.lines[0][0].width == doctest::Approx(3));
  CHECK(layout.lines[0][0].opacity == doctest::Approx(1));
  // 0.2 / 0.6 = 1/3: 0.75 + 2.25 / 3 = 1.5 pt; 0.45 + 0.55 / 3.
  CHECK(layout.lines[0][1].width == doctest::Approx(1.5));
  CHECK(layout.lines[0][1].opacity == doctest::Approx(0.45 + 0.55 / 3));
}

TEST_CASE("small multiples are the same size, side by side, inside the page") {
  ImageTextLayout layout = LayoutImageText(TwoPanels());
  CHECK(layout.images[0].width == layout.images[1].width);
  CHECK(layout.images[0].y == layout.images[1].y);
  CHECK(layout.images[1].x > layout.images[0].right());
  Rect page{0, 0, layout.page.width, layout.page.height};
  for (const Rect& text : layout.text_bounds) CHECK(page.Contains(text));
  CHECK(page.Contains(layout.colorbar));
}

TEST_CASE("a joined patch outside the grid is refused") {
  ImageTextSpec spec = TwoPanels();
  spec.panels[0].joined = {4};
  CHECK_THROWS_AS(LayoutImageText(spec), Error);
}

TEST_CASE("the region outline covers exactly its patches") {
  RegionTextSpec spec;
  spec.picture = Grey(64, 64);
  spec.grid_rows = spec.grid_cols = 8;
  spec.col0 = 0, spec.row0 = 2, spec.col1 = 2, spec.row1 = 4;
  spec.text.tokens = {"red", "square"};
  spec.text.weights = {0.3f, 0.1f};
  RegionTextLayout layout = LayoutRegionText(spec);
  CHECK(layout.region.x == doctest::Approx(layout.image.x));
  CHECK(layout.region.y == doctest::Approx(layout.image.y + layout.image.height / 4));
  CHECK(layout.region.width == doctest::Approx(layout.image.width / 4));
  CHECK(layout.region.height == doctest::Approx(layout.image.height / 4));
  CHECK(layout.text.x > layout.image.right());
}

}  // namespace
}  // namespace attnviz
