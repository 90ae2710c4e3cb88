// The heatmap beyond plain cells: bare output pixel for pixel, norms, masks, values in cells,
// themes, crops and multi-page PDFs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attnviz/render/heatmap.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

const Colormap& Viridis() { return *FindColormap("viridis"); }

// matplotlib's rule, written out independently of the code under test.
int ExpectedEntry(double value, double vmin, double vmax) {
  double x = (value - vmin) / (vmax - vmin);
  if (x < 0) return 0;
  return std::min(static_cast<int>(std::floor(x * 256)), 255);
}

HeatmapSpec BareSpec(Matrix matrix, double vmin, double vmax) {
  HeatmapSpec spec;
  spec.matrix = std::move(matrix);
  spec.vmin = vmin;
  spec.vmax = vmax;
  return spec;
}

RenderOptions Bare(int cell) {
  RenderOptions options;
  options.bare = true;
  options.cell_pixels = cell;
  return options;
}

// Every pixel of every cell of a bare PNG with `cell` pixels a side.
void CheckEveryPixel(const DecodedPng& png, const Matrix& matrix, int cell,
                     const std::vector<int>& entries) {
  REQUIRE(png.width == matrix.cols * cell);
  REQUIRE(png.height == matrix.rows * cell);
  for (int y = 0; y < png.height; ++y) {
    for (int x = 0; x < png.width; ++x) {
      CAPTURE(x);
      CAPTURE(y);
      CHECK(png.at(x, y) == Viridis().colors[entries[(y / cell) * matrix.cols + x / cell]]);
    }
  }
}

bool IsViridisColour(Rgba color) {
  return std::find(Viridis().colors.begin(), Viridis().colors.end(), color) !=
         Viridis().colors.end();
}

TEST_CASE("bare output is K x K pixels per cell, each in the exact table colour") {
  // Entry centres, entry edges (k / 256 is exact in binary), the ends and beyond them.
  std::vector<float> values = {0.5f / 256,   1.0f / 256, 127.0f / 256, 128.0f / 256,
                               255.5f / 256, 1.0f,       -0.5f,        7.0f};
  Matrix matrix(2, 4, values);
  for (int cell : {1, 3}) {
    CAPTURE(cell);
    DecodedPng png =
        DecodePng(RenderHeatmap(BareSpec(matrix, 0, 1), ImageFormat::kPng, Bare(cell)));
    CheckEveryPixel(png, matrix, cell, {0, 1, 127, 128, 255, 255, 0, 255});
  }
}

TEST_CASE("bare colours follow x = (v - vmin) / (vmax - vmin) for any limits") {
  std::vector<float> values = {0.2f, 0.45f, 0.31f, 0.69f, 0.7f, 0.1f};
  Matrix matrix(2, 3, values);
  std::vector<int> expected;
  for (float value : values) expected.push_back(ExpectedEntry(value, 0.2, 0.7));
  DecodedPng png = DecodePng(RenderHeatmap(BareSpec(matrix, 0.2, 0.7), ImageFormat::kPng, Bare(2)));
  CheckEveryPixel(png, matrix, 2, expected);
}

TEST_CASE("a bare log-scale map takes matplotlib's LogNorm entries") {
  HeatmapSpec spec = BareSpec(Matrix(1, 4, {1e-3f, 1e-2f, 0.1f, 1.0f}), 1e-3, 1);
  spec.norm = {NormKind::kLog, 1};
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, Bare(1)));
  CheckEveryPixel(png, spec.matrix, 1, {0, 85, 170, 255});  // printed by matplotlib 3.6.3
}

TEST_CASE("bare PDF and SVG pages measure the cells at the PNG's dpi") {
  HeatmapSpec spec = BareSpec(Matrix(2, 3, std::vector<float>(6, 0.5f)), 0, 1);
  RenderOptions options = Bare(10);
  options.dpi = 144;  // 10 px = 5 pt
  std::string pdf = RenderHeatmap(spec, ImageFormat::kPdf, options);
  CHECK(pdf.find("/MediaBox [ 0 0 15 10 ]") != std::string::npos);
  std::string svg = RenderHeatmap(spec, ImageFormat::kSvg, options);
  CHECK(svg.find("width=\"15pt\" height=\"10pt\"") != std::string::npos);
}

TEST_CASE("masked cells are hatched in colours no colormap entry has, never as a weight of 0") {
  // A causal 4 x 4 head: the cells above the diagonal are masked (and 0).
  Matrix matrix(
      4, 4, {1, 0, 0, 0, 0.5f, 0.5f, 0, 0, 0.2f, 0.3f, 0.5f, 0, 0.1f, 0.2f, 0.3f, 0.4f},
      MaskCells(
          Matrix(4, 4, {1, 0, 0, 0, 0.5f, 0.5f, 0, 0, 0.2f, 0.3f, 0.5f, 0, 0.1f, 0.2f, 0.3f, 0.4f}),
          MaskMode::kDetect));
  DecodedPng png = DecodePng(RenderHeatmap(BareSpec(matrix, 0, 1), ImageFormat::kPng, Bare(16)));
  for (auto [row, col] : {std::pair{0, 1}, {0, 3}, {2, 3}}) {
    int tinted = 0;
    for (int y = row * 16; y < row * 16 + 16; ++y) {
      for (int x = col * 16; x < col * 16 + 16; ++x) {
        CHECK_FALSE(IsViridisColour(png.at(x, y)));
        tinted += png.at(x, y) == Rgba{232, 232, 232, 255};
      }
    }
    CHECK(tinted > 32);  // the light fill, crossed by darker lines
  }
  CHECK(png.at(8, 8 + 16) == Viridis().colors[ExpectedEntry(0.5, 0, 1)]);  // unmasked (1, 0)
}

TEST_CASE("masked cells take no part in the default vmax") {
  Matrix matrix(1, 2, {0.25f, 0.9f}, {0, 1});
  HeatmapSpec spec;
  spec.matrix = matrix;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, Bare(1)));
  CHECK(png.at(0, 0) == Viridis().colors[255]);  // 0.25 is the largest unmasked value
}

HeatmapSpec SmallTokenSpec(int64_t side) {
  HeatmapSpec spec;
  spec.matrix = Matrix(side, side, std::vector<float>(side * side, 0.02f));
  for (int64_t i = 0; i < side; ++i) spec.matrix.values[i * side + i] = 0.98f;
  return spec;
}

TEST_CASE("values are written in cells up to 32 x 32 by default, and not beyond") {
  CHECK(LayoutHeatmap(SmallTokenSpec(32)).annotation_bounds.size() == 32 * 32);
  CHECK(LayoutHeatmap(SmallTokenSpec(33)).annotation_bounds.empty());
  HeatmapSpec forced = SmallTokenSpec(33);
  forced.annotate = true;
  CHECK(LayoutHeatmap(forced).annotation_bounds.size() == 33 * 33);
  HeatmapSpec off = SmallTokenSpec(4);
  off.annotate = false;
  CHECK(LayoutHeatmap(off).annotation_bounds.empty());
}

TEST_CASE("each value fits inside its cell, and masked cells carry none") {
  HeatmapSpec spec = SmallTokenSpec(6);
  spec.matrix.masked = MaskCells(spec.matrix, MaskMode::kCausal);
  HeatmapLayout layout = LayoutHeatmap(spec);
  REQUIRE(layout.annotation_bounds.size() == 21);  // 6 + 5 + ... + 1 cells on or below the diagonal
  double cell = layout.matrix.width / 6;
  size_t i = 0;
  for (int row = 0; row < 6; ++row) {
    for (int col = 0; col <= row; ++col, ++i) {
      Rect box{layout.matrix.x + col * cell, layout.matrix.y + row * cell, cell, cell};
      CHECK(box.Contains(layout.annotation_bounds[i]));
    }
  }
}

// The share of pixels in a cell's middle that are much lighter or darker than its colour.
struct InkCount {
  int lighter = 0;
  int darker = 0;
};

InkCount InkIn(const DecodedPng& png, const Rect& cell, double dpi) {
  InkCount count;
  Rgba base =
      png.at(static_cast<int>((cell.x + 1) * dpi / 72), static_cast<int>((cell.y + 1) * dpi / 72));
  int base_sum = base.r + base.g + base.b;
  for (int y = static_cast<int>(cell.y * dpi / 72) + 2;
       y < static_cast<int>(cell.bottom() * dpi / 72) - 2; ++y) {
    for (int x = static_cast<int>(cell.x * dpi / 72) + 2;
         x < static_cast<int>(cell.right() * dpi / 72) - 2; ++x) {
      int sum = png.at(x, y).r + png.at(x, y).g + png.at(x, y).b;
      count.lighter += sum > base_sum + 200;
      count.darker += sum < base_sum - 200;
    }
  }
  return count;
}

TEST_CASE("values are white on dark cells and black on light ones") {
  HeatmapSpec spec = SmallTokenSpec(3);  // dark 0.02 off the diagonal, yellow 0.98 on it
  RenderOptions options;
  options.dpi = 200;
  HeatmapLayout layout = LayoutHeatmap(spec, options);
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, options));
  double cell = layout.matrix.width / 3;
  InkCount dark = InkIn(png, {layout.matrix.x + cell, layout.matrix.y, cell, cell}, 200);
  InkCount light = InkIn(png, {layout.matrix.x, layout.matrix.y, cell, cell}, 200);
  CHECK(dark.lighter > 20);
  CHECK(dark.darker == 0);
  CHECK(light.darker > 20);
  CHECK(light.lighter == 0);
}

TEST_CASE("a fixed size too small for the values shrinks them, then leaves them out") {
  HeatmapSpec spec = SmallTokenSpec(20);
  double automatic = LayoutHeatmap(spec).annotation_size;
  RenderOptions options;
  options.width_pt = 400;
  double shrunk = LayoutHeatmap(spec, options).annotation_size;
  CHECK(shrunk > 0);
  CHECK(shrunk < automatic);
  options.width_pt = 150;
  CHECK(LayoutHeatmap(spec, options).annotation_size == 0);
}

TEST_CASE("index labels of a crop fall on round indices of the whole head") {
  HeatmapSpec spec;
  spec.matrix = Matrix(100, 100, std::vector<float>(10000, 0.1f));
  spec.first_row_index = 103;  // rows 103..202: with a step of 10, row 110 (position 7) is first
  spec.title.clear();
  HeatmapLayout layout = LayoutHeatmap(spec);
  REQUIRE(layout.row_label_step == 10);
  double cell = layout.matrix.height / 100;
  CHECK(layout.text_bounds[0].center().y ==
        doctest::Approx(layout.matrix.y + 7.5 * cell).epsilon(0.01));
}

TEST_CASE("the dark theme paints the page dark and keeps every text inside it") {
  HeatmapSpec spec = SmallTokenSpec(8);
  spec.title = "a dark figure";
  RenderOptions options;
  options.theme = Theme::kDark;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, options));
  Rgba page{26, 26, 26, 255};
  for (int x = 0; x < png.width; ++x) {
    CHECK(png.at(x, 0) == page);
    CHECK(png.at(x, png.height - 1) == page);
  }
  for (int y = 0; y < png.height; ++y) {
    CHECK(png.at(0, y) == page);
    CHECK(png.at(png.width - 1, y) == page);
  }
}

TEST_CASE("a transparent figure has a clear page and opaque cells") {
  HeatmapSpec spec = SmallTokenSpec(4);
  RenderOptions options;
  options.transparent = true;
  HeatmapLayout layout = LayoutHeatmap(spec, options);
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, options));
  CHECK(png.at(0, 0).a == 0);
  CHECK(png.at(static_cast<int>((layout.matrix.x + 2) * 100 / 72),
               static_cast<int>((layout.matrix.y + 2) * 100 / 72))
            .a == 255);
}

TEST_CASE("every text and every value of an annotated token map stays inside the page") {
  HeatmapSpec spec = SmallTokenSpec(12);
  for (int i = 0; i < 12; ++i) spec.row_labels.push_back(i % 3 ? "tok" : "a-rather-long-token");
  spec.col_labels = spec.row_labels;
  spec.title = "a title long enough to wrap onto a second line over a narrow heatmap figure";
  HeatmapLayout layout = LayoutHeatmap(spec);
  Rect page{0, 0, layout.page.width, layout.page.height};
  for (const Rect& box : layout.text_bounds) CHECK(page.Contains(box));
  for (const Rect& box : layout.annotation_bounds) CHECK(layout.matrix.Contains(box));
}

TEST_CASE("mean pooling lets a lone spike fade where max pooling keeps it") {
  HeatmapSpec spec;
  spec.matrix = Matrix(3000, 3000, std::vector<float>(3000 * 3000, 0.0f));
  spec.matrix.values[1234 * 3000 + 777] = 1.0f;
  spec.vmax = 1;
  spec.pooling = Pooling::kMean;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  Rgba top = Viridis().colors[255];
  int spikes = 0;
  for (int y = 0; y < png.height; ++y) {
    for (int x = 0; x < png.width; ++x) spikes += png.at(x, y) == top;
  }
  // Only the colorbar's top band has the top colour: about 1/256 of its height, 14 px wide.
  CHECK(spikes < 40);
}

TEST_CASE("a PDF of several heatmaps has a page each, sized to each figure") {
  std::vector<HeatmapSpec> specs = {SmallTokenSpec(4), SmallTokenSpec(40), SmallTokenSpec(9)};
  std::string pdf = RenderHeatmapPages(specs);
  CHECK(pdf.find("/Count 3") != std::string::npos);
  std::vector<std::string> boxes;
  for (size_t at = pdf.find("/MediaBox"); at != std::string::npos;
       at = pdf.find("/MediaBox", at + 1)) {
    boxes.push_back(pdf.substr(at, pdf.find(']', at) - at));
  }
  REQUIRE(boxes.size() == 3);
  CHECK(boxes[0] != boxes[1]);
  CHECK(RenderHeatmapPages(specs) == pdf);
}

}  // namespace
}  // namespace attnviz
