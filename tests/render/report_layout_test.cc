// The report's layout: everything inside the margins, one type scale, tables that span the text
// width and repeat their header, figures laid out at the size they are printed, page
// references and the outline.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/report.h"

namespace attnviz {
namespace {

constexpr double kSlack = 0.01;  // points

ReportTable NumberTable(int rows) {
  ReportTable table{{"row", "label", "value_share"}, {}};
  for (int i = 0; i < rows; ++i) table.rows.push_back({std::to_string(i), "x", "0.5"});
  return table;
}

// A map of values in [0, 1], as the statistics maps of a dump of `layers` x `heads` heads.
HeatmapSpec StatMap(int64_t layers = 12, int64_t heads = 12) {
  HeatmapSpec map;
  std::vector<float> values;
  for (int i = 0; i < layers * heads; ++i) values.push_back(static_cast<float>(i % 17) / 16.0f);
  map.matrix = Matrix(layers, heads, values);
  map.title = "entropy";
  map.vmin = 0;
  map.vmax = 1;
  return map;
}

bool Inside(const Rect& inner, const Rect& outer) {
  return inner.x >= outer.x - kSlack && inner.y >= outer.y - kSlack &&
         inner.x + inner.width <= outer.x + outer.width + kSlack &&
         inner.y + inner.height <= outer.y + outer.height + kSlack;
}

std::vector<const ReportItem*> Texts(const ReportLayout& layout, const std::string& text) {
  std::vector<const ReportItem*> found;
  for (const ReportItem& item : layout.items) {
    if (item.kind == ReportItem::Kind::kText && item.text == text) found.push_back(&item);
  }
  return found;
}

std::vector<ReportSection> SampleReport() {
  ReportSection findings{"Findings", {"maps on {page:maps}"}, {}, {}, "findings"};
  ReportSection table{"Statistics", {"a long table"}, NumberTable(300), {}, "stats"};
  ReportSection maps{"Maps", {}, {}, {StatMap(), StatMap(), StatMap()}, "maps"};
  return {findings, table, maps};
}

TEST_CASE("every text, rule and figure lies inside the margins; footers below them") {
  const ReportLayout layout = LayoutReport("title", SampleReport(), Paper::kA4);
  const Rect page{0, 0, layout.paper.width, layout.paper.height};
  // 54 pt margins: the text area of A4 is 595.276 - 108 wide and 841.89 - 108 - 18 tall.
  CHECK(layout.text_area.width == doctest::Approx(487.276));
  CHECK(layout.text_area.height == doctest::Approx(715.89));
  int footers = 0;
  for (const ReportItem& item : layout.items) {
    CHECK(item.page >= 1);
    CHECK(item.page <= layout.pages);
    if (item.text.starts_with("title  ·  page ")) {
      ++footers;
      CHECK(item.box.y >= layout.text_area.y + layout.text_area.height);
      CHECK(Inside(item.box, page));
    } else {
      CHECK(Inside(item.box, layout.text_area));
    }
  }
  CHECK(footers == layout.pages);
}

TEST_CASE("all text is set in the sizes of one type scale") {
  const ReportLayout layout = LayoutReport("title", SampleReport(), Paper::kA4);
  const ReportTypeScale& s = layout.scale;
  const std::set<double> sizes = {s.body, s.table, s.table_min, s.heading, s.subheading, s.footer};
  for (const ReportItem& item : layout.items) {
    if (item.kind == ReportItem::Kind::kText) CHECK(sizes.count(item.font_size) == 1);
  }
  CHECK(s.heading == 14);
  CHECK(s.body == 9.5);
  CHECK(s.figure * 0.8 >= 7);  // the smallest figure text, values in cells
  SUBCASE("a larger font size scales the whole scale") {
    RenderOptions options;
    options.font_size = 12;
    const ReportLayout larger = LayoutReport("title", SampleReport(), Paper::kA4, options);
    CHECK(larger.scale.heading == doctest::Approx(14 * 1.2));
    CHECK(larger.scale.body == doctest::Approx(9.5 * 1.2));
    CHECK(larger.figure_options.font_size == doctest::Approx(8.75 * 1.2));
  }
}

TEST_CASE("a long table continues on further pages with its header, spanning the text width") {
  const ReportLayout layout = LayoutReport("t", SampleReport(), Paper::kA4);
  // Every page holding rows of the table holds its header: "row", "value_" over "share".
  std::set<int> row_pages;
  for (int i = 0; i < 300; ++i) {
    const auto cells = Texts(layout, std::to_string(i));
    REQUIRE(!cells.empty());
    row_pages.insert(cells.front()->page);
  }
  CHECK(row_pages.size() >= 2);
  for (int page : row_pages) {
    for (const char* header : {"row", "value_", "share"}) {
      const auto found = Texts(layout, header);
      CHECK(std::any_of(found.begin(), found.end(),
                        [&](const ReportItem* item) { return item->page == page && item->bold; }));
    }
  }
  // Rows in order, page by page and down each page.
  const ReportItem* previous = nullptr;
  for (int i = 0; i < 300; ++i) {
    const ReportItem* cell = Texts(layout, std::to_string(i)).front();
    if (previous) {
      CHECK((cell->page > previous->page ||
             (cell->page == previous->page && cell->box.y > previous->box.y)));
    }
    previous = cell;
  }
  // The numbers are right-aligned in their columns, the last one at the text area's right edge.
  const double right = layout.text_area.x + layout.text_area.width;
  for (const ReportItem* value : Texts(layout, "0.5")) {
    CHECK(value->right_aligned);
    CHECK(value->box.x + value->box.width == doctest::Approx(right).epsilon(1e-9));
  }
}

TEST_CASE("figures are laid out at the size they are printed, their cell values legible") {
  const std::vector<ReportSection> sections = SampleReport();  // the figures point into them
  const ReportLayout layout = LayoutReport("t", sections, Paper::kA4);
  int figures = 0;
  for (const ReportItem& item : layout.items) {
    if (item.kind != ReportItem::Kind::kFigure) continue;
    ++figures;
    RenderOptions options = layout.figure_options;
    options.width_pt = item.box.width;
    options.height_pt = item.box.height;
    const HeatmapLayout map = LayoutHeatmap(std::get<HeatmapSpec>(*item.figure), options);
    // Drawn into its box at scale 1: the figure is as large as the box.
    CHECK(map.page.width == doctest::Approx(item.box.width));
    CHECK(map.page.height == doctest::Approx(item.box.height));
    // 12 x 12 cells carry their values at 7 pt or more (the old report printed them at 4 pt).
    CHECK(map.annotation_size >= 7);
    for (const Rect& text : map.text_bounds)
      CHECK(Inside(text, {0, 0, map.page.width, map.page.height}));
  }
  CHECK(figures == 3);
}

TEST_CASE("page references print the page a section starts on, and the outline lists sections") {
  const std::vector<ReportSection> sections = SampleReport();
  const ReportLayout layout = LayoutReport("t", sections, Paper::kA4);
  REQUIRE(layout.outline.size() == 3);
  CHECK(layout.outline[0].title == "Findings");
  CHECK(layout.outline[0].page == 1);
  CHECK(layout.outline[1].title == "Statistics");
  const int maps_page = layout.outline[2].page;
  CHECK(maps_page > layout.outline[1].page);  // 300 rows need more than the first page
  // The maps section's heading is on the page the outline and the reference give.
  const auto heading = Texts(layout, "Maps");
  REQUIRE(heading.size() == 1);
  CHECK(heading.front()->page == maps_page);
  CHECK(Texts(layout, "maps on p. " + std::to_string(maps_page)).size() == 1);
  SUBCASE("a reference to no section is an error") {
    ReportSection broken{"Findings", {"see {page:nowhere}"}, {}, {}, ""};
    CHECK_THROWS_AS(LayoutReport("t", {broken}, Paper::kA4), Error);
  }
}

TEST_CASE("a few lines follow on the page; a section whose figures need more starts one") {
  ReportSection small{"Small map", {}, {}, {StatMap(2, 4)}, ""};
  ReportSection text{"Not computed", {"one sentence"}, {}, {}, ""};
  ReportSection maps{"Maps", {}, {}, {StatMap(), StatMap()}, ""};
  const std::vector<ReportSection> sections = {small, text, maps};
  const ReportLayout layout = LayoutReport("t", sections, Paper::kA4);
  REQUIRE(layout.outline.size() == 3);
  // A 2 x 4 map is at most 2 x 34 pt of cells and its labels tall: the sentence follows it; two
  // 12 x 12 maps need 2 x 250 pt and more, which the rest of the page does not have.
  CHECK(layout.outline[1].page == layout.outline[0].page);
  CHECK(layout.outline[2].page == layout.outline[1].page + 1);
}

}  // namespace
}  // namespace attnviz
