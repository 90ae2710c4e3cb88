// Dendrograms: leaf rows, brackets at merge heights midway between their parts, the threshold,
// validation, and the figure.
#include "attnviz/render/dendrogram.h"

#include <doctest/doctest.h>

#include "attnviz/error.h"
#include "png_reader.h"

namespace attnviz {
namespace {

// Four heads: 0 and 1 merge at 1 (cluster 4), 2 joins at 2.5 (cluster 5), 3 at 17/3.
DendrogramSpec LineTree() {
  DendrogramSpec spec;
  spec.links = {{0, 1, 1.0}, {2, 4, 2.5}, {3, 5, 17.0 / 3}};
  spec.leaves = {3, 2, 0, 1};
  spec.labels = {"L0H0", "L0H1", "L1H0", "L1H1"};
  spec.leaf_colors = {{68, 1, 84, 255}, {68, 1, 84, 255}, {122, 209, 81, 255}, {122, 209, 81, 255}};
  spec.title = "tree";
  return spec;
}

TEST_CASE("Leaves are rows from the top in the given order, labelled with their heads") {
  const ScatterSpec scatter = DendrogramScatter(LineTree());
  REQUIRE(scatter.y.categories.size() == 4);
  CHECK(scatter.y.categories[0].label == "L1H1");  // leaves[0] = 3, at the top (y = 3)
  CHECK(scatter.y.categories[0].position == 3);
  CHECK(scatter.y.categories[3].label == "L0H1");
  CHECK(scatter.points.size() == 4);  // a coloured dot per leaf, at distance 0
  CHECK(scatter.points[2].x == 0);
  CHECK(scatter.points[2].y == 2);  // head 2 is the second row from the top
}

TEST_CASE("Each merge is a bracket at its height, its joint midway between its parts") {
  const ScatterSpec scatter = DendrogramScatter(LineTree());
  REQUIRE(scatter.lines.size() == 3);
  // Merge 0 joins heads 0 (y = 1) and 1 (y = 0) at 1: the bracket runs (0,1) (1,1) (1,0) (0,0).
  const std::vector<Point>& first = scatter.lines[0].points;
  REQUIRE(first.size() == 4);
  CHECK((first[0].x == 0 && first[0].y == 1 && first[1].x == 1 && first[1].y == 1));
  CHECK((first[2].x == 1 && first[2].y == 0 && first[3].x == 0 && first[3].y == 0));
  // Merge 1 joins head 2 (y = 2) with cluster 4 (at height 1, y = 0.5) at 2.5.
  const std::vector<Point>& second = scatter.lines[1].points;
  CHECK((second[0].x == 0 && second[0].y == 2 && second[1].x == 2.5));
  CHECK((second[3].x == 1 && second[3].y == 0.5));
  CHECK(*scatter.x.max == doctest::Approx(1.05 * 17.0 / 3));
}

TEST_CASE("A threshold adds a dashed line and widens the axis to show it") {
  DendrogramSpec spec = LineTree();
  spec.threshold = 8;
  const ScatterSpec scatter = DendrogramScatter(spec);
  CHECK(scatter.lines.back().dashed);
  CHECK(scatter.lines.back().points[0].x == 8);
  CHECK(*scatter.x.max == doctest::Approx(8.4));
}

TEST_CASE("Links, leaves and labels that do not make one tree are a usage error") {
  DendrogramSpec spec = LineTree();
  spec.leaves = {3, 2, 0, 0};
  CHECK_THROWS_AS(DendrogramScatter(spec), Error);
  spec = LineTree();
  spec.links[0].a = 6;  // a cluster not made yet
  CHECK_THROWS_AS(DendrogramScatter(spec), Error);
  spec = LineTree();
  spec.labels.pop_back();
  CHECK_THROWS_WITH_AS(DendrogramScatter(spec), doctest::Contains("3 labels"), Error);
}

// n leaves L0 ... L{n-1} merged one after the other.
DendrogramSpec Chain(int64_t n) {
  DendrogramSpec chain;
  for (int64_t i = 0; i < n; ++i) {
    chain.leaves.push_back(i);
    chain.labels.push_back("L" + std::to_string(i));
  }
  for (int64_t k = 0; k < n - 1; ++k) {
    chain.links.push_back({k == 0 ? 0 : n + k - 1, k + 1, static_cast<double>(k + 1)});
  }
  return chain;
}

TEST_CASE("Every leaf is labelled: labels shrink, the plot grows to 20 in, then thins with a note") {
  const ScatterSpec small = DendrogramScatter(LineTree());
  CHECK(small.plot.height == 144);  // at least 2 in
  // 200 leaves: 6 pt labels need more than 10 in, so the plot grows, and every leaf is labelled.
  const ScatterSpec big = DendrogramScatter(Chain(200));
  CHECK(big.plot.height > 720);
  CHECK(big.plot.height <= 1440);
  CHECK(LayoutScatter(big).text_bounds.size() >= 200);
  const std::string big_svg = RenderDendrogram(Chain(200), ImageFormat::kSvg);
  CHECK(big_svg.find(">L199<") != std::string::npos);
  CHECK(big_svg.find("labelled") == std::string::npos);
  // 400 leaves do not fit 20 in even at 6 pt: every 2nd, and the axis says so.
  CHECK(DendrogramScatter(Chain(400)).plot.height == 1440);
  const std::string huge_svg = RenderDendrogram(Chain(400), ImageFormat::kSvg);
  CHECK(huge_svg.find("every 2nd row labelled") != std::string::npos);
}

TEST_CASE("The dendrogram renders in every format") {
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    CHECK(RenderDendrogram(LineTree(), format).size() > 100);
  }
  const auto png = testing::DecodePng(RenderDendrogram(LineTree(), ImageFormat::kPng));
  CHECK(png.width > 200);
}

}  // namespace
}  // namespace attnviz
