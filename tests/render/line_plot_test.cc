// Line plots: steps on a category axis, one line per series broken at NaN, and the figure.
#include "attnviz/render/line_plot.h"

#include <doctest/doctest.h>

#include <cmath>

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

}  // namespace
}  // namespace attnviz
