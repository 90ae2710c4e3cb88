// Column groups of the grid (the key/value heads of grouped-query attention): a wider gap
// between groups, each group's name above its columns, and errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/grid.h"
#include "png_reader.h"

namespace attnviz {
namespace {

GridSpec FourHeads(std::vector<std::string> groups) {
  GridSpec spec;
  spec.rows = 1;
  spec.cols = 4;
  spec.panel_rows = spec.panel_cols = 4;
  spec.panel = [](int64_t, int64_t) { return Matrix(4, 4, std::vector<float>(16, 1.0f)); };
  spec.col_groups = std::move(groups);
  return spec;
}

double GapAfter(const GridLayout& layout, size_t col) {
  return layout.panels[col + 1].x - layout.panels[col].right();
}

TEST_CASE("columns of one group sit a column gap apart, groups a wider gap") {
  const GridLayout plain = LayoutGrid(FourHeads({}));
  const GridLayout grouped = LayoutGrid(FourHeads({"KV 0", "KV 0", "KV 1", "KV 1"}));
  CHECK(GapAfter(grouped, 0) == doctest::Approx(GapAfter(plain, 0)));
  CHECK(GapAfter(grouped, 2) == doctest::Approx(GapAfter(plain, 2)));
  CHECK(GapAfter(grouped, 1) > GapAfter(plain, 1) + 5);  // at least 5 pt more
}

TEST_CASE("each group's name is written once, above its columns and centred on them") {
  const GridLayout plain = LayoutGrid(FourHeads({}));
  const GridLayout grouped = LayoutGrid(FourHeads({"KV 0", "KV 0", "KV 1", "KV 1"}));
  REQUIRE(grouped.text_bounds.size() == plain.text_bounds.size() + 2);
  // Texts in order: the 4 column labels, then the group names, then the rest.
  const Rect& first = grouped.text_bounds[4];
  const Rect& second = grouped.text_bounds[5];
  const Rect& label = grouped.text_bounds[0];
  CHECK(first.bottom() <= label.y);  // above the column numbers
  const double centre = (grouped.panels[0].x + grouped.panels[1].right()) / 2;
  CHECK(first.center().x == doctest::Approx(centre).epsilon(0.01));
  CHECK(second.center().x ==
        doctest::Approx((grouped.panels[2].x + grouped.panels[3].right()) / 2).epsilon(0.01));
}

TEST_CASE("group names for some columns only are a usage error") {
  CHECK_THROWS_WITH(LayoutGrid(FourHeads({"KV 0", "KV 1"})),
                    doctest::Contains("2 column groups for 4 columns"));
}

}  // namespace
}  // namespace attnviz
