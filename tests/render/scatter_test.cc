// The XY plot: data to page mapping, equal aspect, labels kept off the plot, dot colours in the
// PNG, fixed page sizes, and the three formats.
#include "attnviz/render/scatter.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodePng;

constexpr Rgba kRed{200, 0, 0, 255};
constexpr Rgba kBlue{0, 0, 200, 255};

ScatterSpec TwoPoints() {
  ScatterSpec spec;
  spec.points = {{0, 0, kRed, "first"}, {10, 5, kBlue, "second"}};
  spec.x.title = "x";
  spec.y.title = "y";
  spec.title = "two points";
  spec.legend = {{"red", kRed, false}, {"blue", kBlue, false}};
  return spec;
}

TEST_CASE("The data range is padded by 5 % and maps linearly onto the plot") {
  const ScatterLayout layout = LayoutScatter(TwoPoints());
  CHECK(layout.x_min == doctest::Approx(-0.5));  // 10 wide: 0.5 each side
  CHECK(layout.x_max == doctest::Approx(10.5));
  CHECK(layout.y_min == doctest::Approx(-0.25));
  const Point origin = layout.ToPage(layout.x_min, layout.y_min);
  CHECK(origin.x == doctest::Approx(layout.plot.x));
  CHECK(origin.y == doctest::Approx(layout.plot.bottom()));  // y grows upwards
}

TEST_CASE("Equal aspect gives one data unit the same length on both axes") {
  ScatterSpec spec = TwoPoints();
  spec.equal_aspect = true;
  const ScatterLayout layout = LayoutScatter(spec);
  const double x_unit = layout.plot.width / (layout.x_max - layout.x_min);
  const double y_unit = layout.plot.height / (layout.y_max - layout.y_min);
  CHECK(x_unit == doctest::Approx(y_unit));
  CHECK(layout.y_min < 0);  // the short range is widened about its centre, the data still inside
  CHECK(layout.y_max > 5);
}

TEST_CASE("Every text lies on the page, and only point labels inside the plot") {
  const ScatterLayout layout = LayoutScatter(TwoPoints());
  const Rect page{0, 0, layout.page.width, layout.page.height};
  int inside = 0;
  for (const Rect& box : layout.text_bounds) {
    CHECK(page.Contains(box));
    inside += layout.plot.Intersects(box) ? 1 : 0;
  }
  CHECK(inside <= 2);  // "first", "second"
  CHECK(!layout.legend.empty());
  CHECK(layout.legend.x >= layout.plot.right());
}

TEST_CASE("Labels of points close together move aside instead of overlapping") {
  ScatterSpec spec;
  // Two points a fifth of a label line apart in the middle of a wide range, and the corners.
  spec.points = {{0, 0, kRed, ""},
                 {10, 10, kRed, ""},
                 {5, 5, kRed, "L1H2"},
                 {5, 5.05, kBlue, "L1H3"},
                 {5.1, 4.95, kBlue, "L1H0"}};
  const ScatterLayout layout = LayoutScatter(spec);
  std::vector<Rect> labels;
  for (const Rect& box : layout.text_bounds) {
    if (layout.plot.Contains(box)) labels.push_back(box);
  }
  REQUIRE(labels.size() == 3);
  CHECK_FALSE(labels[0].Intersects(labels[1]));
  CHECK_FALSE(labels[0].Intersects(labels[2]));
  CHECK_FALSE(labels[1].Intersects(labels[2]));
}

TEST_CASE("Dots are painted in their colours where the layout puts them") {
  const ScatterSpec spec = TwoPoints();
  const ScatterLayout layout = LayoutScatter(spec);
  const auto png = DecodePng(RenderScatter(spec, ImageFormat::kPng, {}));
  const double scale = 100.0 / 72;  // pixels per point at the default 100 dpi
  CHECK(png.width == static_cast<int>(std::lround(layout.page.width * scale)));
  for (const ScatterPoint& p : spec.points) {
    const Point at = layout.ToPage(p.x, p.y);
    CHECK(png.at(static_cast<int>(at.x * scale), static_cast<int>(at.y * scale)) == p.color);
  }
}

TEST_CASE("A category axis labels its positions and spans half a step beyond them") {
  ScatterSpec spec;
  spec.lines = {{{{0, 1}, {1, 2}, {2, 1.5}}, kRed}};
  spec.x.categories = {{0, "ckpt-a"}, {1, "ckpt-b"}, {2, "ckpt-c"}};
  const ScatterLayout layout = LayoutScatter(spec);
  CHECK(layout.x_min == -0.5);
  CHECK(layout.x_max == 2.5);
}

TEST_CASE("A fixed page size is kept exactly, the plot taking what is left") {
  RenderOptions options;
  options.width_pt = 400;
  options.height_pt = 300;
  const ScatterLayout layout = LayoutScatter(TwoPoints(), options);
  CHECK(layout.page.width == 400);
  CHECK(layout.page.height == 300);
  const Rect page{0, 0, 400, 300};
  for (const Rect& box : layout.text_bounds) CHECK(page.Inflated(1).Contains(box));
  options.width_pt = 40;
  CHECK_THROWS_AS(LayoutScatter(TwoPoints(), options), Error);
}

TEST_CASE("A plot without data or limits, or with a NaN coordinate, is a usage error") {
  CHECK_THROWS_WITH_AS(LayoutScatter(ScatterSpec{}), doctest::Contains("nothing to show"), Error);
  ScatterSpec spec = TwoPoints();
  spec.points[0].x = NAN;
  CHECK_THROWS_WITH_AS(LayoutScatter(spec), doctest::Contains("not a finite number"), Error);
}

TEST_CASE("PNG, SVG and PDF come out, and twice the same bytes") {
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    const std::string bytes = RenderScatter(TwoPoints(), format, {});
    CHECK(bytes.size() > 100);
    CHECK(bytes == RenderScatter(TwoPoints(), format, {}));
  }
}

TEST_CASE("Layer colours run through viridis, lighter on a dark page") {
  CHECK(SequenceColor(0, 4) == FindColormap("viridis")->colors[0]);
  CHECK(SequenceColor(3, 4) == FindColormap("viridis")->Lookup(0.85, 0, 1));
  CHECK(SequenceColor(0, 1) == FindColormap("viridis")->colors[0]);
  CHECK(SequenceColor(3, 4, Theme::kDark) == FindColormap("viridis")->colors[255]);
}

TEST_CASE("groups without an order take matplotlib's tab10 colours, viridis beyond ten") {
  // tab10 (matplotlib.colors.TABLEAU_COLORS): #1f77b4, #ff7f0e, ..., #d62728 fourth, #17becf last.
  CHECK(CategoryColor(0, 8) == Rgba{0x1f, 0x77, 0xb4, 255});
  CHECK(CategoryColor(1, 8) == Rgba{0xff, 0x7f, 0x0e, 255});
  CHECK(CategoryColor(3, 8) == Rgba{0xd6, 0x27, 0x28, 255});
  CHECK(CategoryColor(9, 10) == Rgba{0x17, 0xbe, 0xcf, 255});
  CHECK(CategoryColor(10, 11) == SequenceColor(10, 11));
}

}  // namespace
}  // namespace attnviz
