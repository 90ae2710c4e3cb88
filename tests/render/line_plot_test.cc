// Line plots: steps on a category axis, one line per series broken at NaN, and the figure.
#include "attnviz/render/line_plot.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "attnviz/error.h"
#include "png_reader.h"

namespace attnviz {
namespace {

constexpr Rgba kGreen{0, 150, 0, 255};

LinePlotSpec Checkpoints() {
  LinePlotSpec spec;
  spec.steps = {"step0", "step100", "step200", "step300"};
  spec.series = {{{0.1, 0.5, NAN, 0.9}, kGreen}};
  spec.y_title = "prev";
  spec.legend = {{"head 0", kGreen, true}};
  return spec;
}

TEST_CASE("Steps become categories 0..n-1 labelled with their names") {
  const ScatterSpec scatter = LinePlotScatter(Checkpoints());
  REQUIRE(scatter.x.categories.size() == 4);
  CHECK(scatter.x.categories[2].position == 2);
  CHECK(scatter.x.categories[2].label == "step200");
  CHECK(scatter.y.title == "prev");
  CHECK(scatter.x.title == "checkpoint");
}

TEST_CASE("A NaN breaks the line; a lone value keeps its dot") {
  const ScatterSpec scatter = LinePlotScatter(Checkpoints());
  REQUIRE(scatter.lines.size() == 2);
  CHECK(scatter.lines[0].points.size() == 2);
  CHECK(scatter.lines[1].points.size() == 1);
  CHECK(scatter.lines[1].points[0].x == 3);
  CHECK(scatter.lines[1].markers);
}

TEST_CASE("A series without one value per step is a usage error") {
  LinePlotSpec spec = Checkpoints();
  spec.series[0].values.pop_back();
  CHECK_THROWS_WITH_AS(LinePlotScatter(spec), doctest::Contains("3 values for 4 steps"), Error);
}

TEST_CASE("The line plot's dots are drawn in the series colour") {
  const LinePlotSpec spec = Checkpoints();
  const ScatterLayout layout = LayoutScatter(LinePlotScatter(spec));
  const auto png = testing::DecodePng(RenderLinePlot(spec, ImageFormat::kPng));
  const double scale = 100.0 / 72;
  const Point at = layout.ToPage(3, 0.9);  // the lone last value
  CHECK(png.at(static_cast<int>(at.x * scale), static_cast<int>(at.y * scale)) == kGreen);
}

constexpr Rgba kRed{200, 0, 0, 255};
constexpr Rgba kBlue{0, 0, 200, 255};

// Three layers, two heads each: head 0 red, head 1 blue in every panel.
LinePanels ThreeLayers() {
  LinePanels panels;
  panels.title = "prev per head over 4 checkpoints";
  for (int layer = 0; layer < 3; ++layer) {
    LinePlotSpec panel;
    panel.steps = {"a", "b", "c", "d"};
    panel.series = {{{0.1 * layer, 0.2, 0.3, 0.4}, kRed},
                    {{0.9, 0.8 - 0.1 * layer, 0.7, 0.6}, kBlue}};
    panel.legend = {{"head 0", kRed, true}, {"head 1", kBlue, true}};
    panel.title = "layer " + std::to_string(layer);
    panel.y_title = "prev";
    panels.panels.push_back(panel);
  }
  return panels;
}

int64_t PixelsOf(const testing::DecodedPng& png, const Rect& area, Rgba color) {
  const double scale = 100.0 / 72;
  int64_t count = 0;
  for (int y = static_cast<int>(area.y * scale); y < static_cast<int>(area.bottom() * scale); ++y) {
    for (int x = static_cast<int>(area.x * scale); x < static_cast<int>(area.right() * scale);
         ++x) {
      count += png.at(x, y) == color;
    }
  }
  return count;
}

TEST_CASE("Panels: one per layer, side by side under the title, inside the page") {
  const LinePanelsLayout layout = LayoutLinePanels(ThreeLayers());
  REQUIRE(layout.panels.size() == 3);
  Rect page{0, 0, layout.page.width, layout.page.height};
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(page.Contains(layout.panels[i]));
    CHECK(layout.panels[i].y == layout.panels[0].y);  // one row of three
    if (i > 0) CHECK_FALSE(layout.panels[i].Intersects(layout.panels[i - 1]));
  }
  REQUIRE(layout.text_bounds.size() == 1);
  CHECK(layout.text_bounds[0].bottom() <= layout.panels[0].y);
}

TEST_CASE("Panels: every panel shows each head in its own colour, legend swatches included") {
  const LinePanels panels = ThreeLayers();
  const auto png = testing::DecodePng(RenderLinePanels(panels, ImageFormat::kPng));
  const LinePanelsLayout layout = LayoutLinePanels(panels);
  for (const Rect& panel : layout.panels) {
    CHECK(PixelsOf(png, panel, kRed) > 20);
    CHECK(PixelsOf(png, panel, kBlue) > 20);
  }
}

TEST_CASE("Panels: no panels is a usage error") {
  CHECK_THROWS_AS(LayoutLinePanels(LinePanels{}), Error);
}

}  // namespace
}  // namespace attnviz
