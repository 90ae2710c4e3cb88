// The heatmap figure: pixels of the PNG, layout of labels, and the three formats' bytes.
#include "attnviz/render/heatmap.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/colormap.h"
#include "nlohmann/json.hpp"
#include "png_reader.h"
#include "support/real_dumps.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

constexpr Rgba kWhite{255, 255, 255, 255};

// A rows x cols matrix whose cell (r, c) holds (r * cols + c + 0.5) / 256: with vmin 0 and
// vmax 1 it lands in the middle of colormap entry r * cols + c.
Matrix EntryMatrix(int64_t rows, int64_t cols) {
  Matrix matrix{rows, cols, {}};
  for (int64_t i = 0; i < rows * cols; ++i) matrix.values.push_back((i + 0.5f) / 256);
  return matrix;
}

// Values in the cells would cover the centre pixels these tests read: they are off here and
// tested in heatmap_features_test.cc.
HeatmapSpec EntrySpec(int64_t rows, int64_t cols) {
  HeatmapSpec spec;
  spec.matrix = EntryMatrix(rows, cols);
  spec.vmin = 0;
  spec.vmax = 1;
  spec.annotate = false;
  return spec;
}

// The tokens of the FinBERT example sentence, with the tokenizer's [CLS] and [SEP].
std::vector<std::string> SentenceTokens() {
  return {"[CLS]", "real", "gdp",  "changed", "by",   "-", "1",    ".",
          "0",     "%",    "from", "last",    "year", ".", "[SEP]"};
}

HeatmapSpec TokenSpec() {
  HeatmapSpec spec;
  spec.matrix = EntryMatrix(15, 15);
  spec.row_labels = SentenceTokens();
  spec.col_labels = SentenceTokens();
  spec.title = "layer 11, head 0";
  spec.annotate = false;
  return spec;
}

HeatmapSpec IndexSpec(int64_t side) {
  HeatmapSpec spec;
  spec.matrix = {side, side, std::vector<float>(side * side, 0.25f)};
  return spec;
}

// The pixel holding page point (x, y) in a PNG rendered at `dpi`.
Rgba PixelAt(const DecodedPng& png, double x, double y, double dpi) {
  return png.at(static_cast<int>(x * dpi / 72), static_cast<int>(y * dpi / 72));
}

Rgba CellCentre(const DecodedPng& png, const HeatmapLayout& layout, const Matrix& matrix,
                int64_t row, int64_t col, double dpi) {
  double x = layout.matrix.x + (col + 0.5) * layout.matrix.width / matrix.cols;
  double y = layout.matrix.y + (row + 0.5) * layout.matrix.height / matrix.rows;
  return PixelAt(png, x, y, dpi);
}

ErrorKind KindOfError(const HeatmapSpec& spec, const RenderOptions& options = {}) {
  try {
    RenderHeatmap(spec, ImageFormat::kPng, options);
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("no error");
  return ErrorKind::kInput;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Sets an environment variable for one scope and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("each cell's centre pixel has the exact colormap colour") {
  HeatmapSpec spec = EntrySpec(4, 5);
  for (const char* name : {"viridis", "RdBu_r", "Greys"}) {
    CAPTURE(name);
    spec.colormap = name;
    const Colormap& colormap = *FindColormap(name);
    DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
    HeatmapLayout layout = LayoutHeatmap(spec);
    for (int64_t row = 0; row < 4; ++row) {
      for (int64_t col = 0; col < 5; ++col) {
        CHECK(CellCentre(png, layout, spec.matrix, row, col, 100) ==
              colormap.colors[row * 5 + col]);
      }
    }
  }
}

TEST_CASE("values at or beyond vmax take the last colour, at or below vmin the first") {
  HeatmapSpec spec;
  spec.matrix = {1, 4, {-1.0f, 0.0f, 2.0f, 3.0f}};
  spec.annotate = false;
  spec.vmin = 0;
  spec.vmax = 2;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  HeatmapLayout layout = LayoutHeatmap(spec);
  const Colormap& viridis = *FindColormap("viridis");
  CHECK(CellCentre(png, layout, spec.matrix, 0, 0, 100) == viridis.colors[0]);
  CHECK(CellCentre(png, layout, spec.matrix, 0, 1, 100) == viridis.colors[0]);
  CHECK(CellCentre(png, layout, spec.matrix, 0, 2, 100) == viridis.colors[255]);
  CHECK(CellCentre(png, layout, spec.matrix, 0, 3, 100) == viridis.colors[255]);
}

TEST_CASE("NaN and infinite cells are drawn in the bad colour") {
  HeatmapSpec spec = EntrySpec(2, 2);
  spec.matrix.values[1] = std::numeric_limits<float>::quiet_NaN();
  spec.matrix.values[2] = -INFINITY;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  HeatmapLayout layout = LayoutHeatmap(spec);
  CHECK(CellCentre(png, layout, spec.matrix, 0, 1, 100) == Rgba{255, 0, 255, 255});
  CHECK(CellCentre(png, layout, spec.matrix, 1, 0, 100) == Rgba{255, 0, 255, 255});
  CHECK(CellCentre(png, layout, spec.matrix, 0, 0, 100) == FindColormap("viridis")->colors[0]);
}

TEST_CASE("vmax defaults to the largest finite value and vmin to 0") {
  HeatmapSpec spec;
  spec.matrix = {1, 3, {0.0f, 0.2f, std::numeric_limits<float>::quiet_NaN()}};
  spec.annotate = false;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  HeatmapLayout layout = LayoutHeatmap(spec);
  CHECK(CellCentre(png, layout, spec.matrix, 0, 0, 100) == FindColormap("viridis")->colors[0]);
  CHECK(CellCentre(png, layout, spec.matrix, 0, 1, 100) == FindColormap("viridis")->colors[255]);
}

TEST_CASE("the colorbar runs from the first colour at the bottom to the last at the top") {
  HeatmapSpec spec = EntrySpec(16, 16);
  spec.colormap = "magma";
  RenderOptions options;
  options.dpi = 300;  // a bar of 16 cells: each colormap entry ~4 px tall, clear of the frame
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, options));
  HeatmapLayout layout = LayoutHeatmap(spec, options);
  const Rect& bar = layout.colorbar;
  double entry = bar.height / 256;
  const Colormap& magma = *FindColormap("magma");
  CHECK(PixelAt(png, bar.center().x, bar.y + entry / 2, 300) == magma.colors[255]);
  CHECK(PixelAt(png, bar.center().x, bar.bottom() - entry / 2, 300) == magma.colors[0]);
  CHECK(PixelAt(png, bar.center().x, bar.y + 128.5 * entry, 300) == magma.colors[127]);
}

TEST_CASE("the page is white around the figure: no text or stroke reaches its edge") {
  HeatmapSpec spec = TokenSpec();
  spec.row_labels[3] = "a-very-long-token-that-must-be-ellipsized-somewhere";
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  for (int x = 0; x < png.width; ++x) {
    CHECK(png.at(x, 0) == kWhite);
    CHECK(png.at(x, png.height - 1) == kWhite);
  }
  for (int y = 0; y < png.height; ++y) {
    CHECK(png.at(0, y) == kWhite);
    CHECK(png.at(png.width - 1, y) == kWhite);
  }
}

TEST_CASE("the PNG is the page size in points times dpi / 72, and opaque") {
  HeatmapSpec spec = TokenSpec();
  RenderOptions options;
  options.width_pt = 300;
  options.height_pt = 250;
  options.dpi = 150;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng, options));
  CHECK(png.width == 625);   // 300 * 150 / 72
  CHECK(png.height == 521);  // 250 * 150 / 72 = 520.8
  HeatmapLayout layout = LayoutHeatmap(spec, options);
  CHECK(layout.page.width == 300);
  CHECK(layout.page.height == 250);
}

TEST_CASE("every text box lies inside the page and no two overlap") {
  for (const HeatmapSpec& spec : {TokenSpec(), IndexSpec(512), EntrySpec(1, 15)}) {
    HeatmapLayout layout = LayoutHeatmap(spec);
    Rect page{0, 0, layout.page.width, layout.page.height};
    for (size_t i = 0; i < layout.text_bounds.size(); ++i) {
      CAPTURE(i);
      CHECK(page.Contains(layout.text_bounds[i]));
      for (size_t j = i + 1; j < layout.text_bounds.size(); ++j) {
        CAPTURE(j);
        CHECK_FALSE(layout.text_bounds[i].Intersects(layout.text_bounds[j]));
      }
    }
  }
}

TEST_CASE("the automatic size labels every token of a 15-token map") {
  HeatmapLayout layout = LayoutHeatmap(TokenSpec());
  CHECK(layout.row_label_step == 1);
  CHECK(layout.col_label_step == 1);
  // 15 + 15 labels, 5 colorbar values (0.0 to 0.8 by 0.2 for a maximum of 0.877 on a bar of 15
  // cells), 2 axis titles, title.
  CHECK(layout.text_bounds.size() == 15 + 15 + 5 + 2 + 1);
  CHECK(layout.matrix.width == doctest::Approx(layout.matrix.height));
  // Legible but compact: between 2 and 6 inches wide.
  CHECK(layout.page.width > 144);
  CHECK(layout.page.width < 432);
}

TEST_CASE("a 512 x 512 map without tokens is about 8 inches wide with indices every 64") {
  HeatmapLayout layout = LayoutHeatmap(IndexSpec(512));
  CHECK(layout.matrix.width == doctest::Approx(468));  // 6.5 in
  CHECK(layout.page.width > 7 * 72);
  CHECK(layout.page.width < 9 * 72);
  CHECK(layout.row_label_step == 64);
  CHECK(layout.col_label_step == 64);
}

HeatmapSpec PaddedTokenSpec(int count) {
  HeatmapSpec spec = IndexSpec(count);
  for (int i = 0; i < count; ++i)
    spec.row_labels.push_back((i < 10 ? "w0" : "w") + std::to_string(i));
  spec.col_labels = spec.row_labels;
  spec.annotate = false;
  return spec;
}

void CheckTextsInsideAndApart(const HeatmapLayout& layout) {
  Rect page{0, 0, layout.page.width, layout.page.height};
  for (size_t i = 0; i < layout.text_bounds.size(); ++i) {
    CAPTURE(i);
    CHECK(page.Contains(layout.text_bounds[i]));
    for (size_t j = i + 1; j < layout.text_bounds.size(); ++j) {
      CAPTURE(j);
      CHECK_FALSE(layout.text_bounds[i].Intersects(layout.text_bounds[j]));
    }
  }
}

TEST_CASE("a 76-token map labels every token, in smaller type, none overlapping") {
  HeatmapLayout layout = LayoutHeatmap(PaddedTokenSpec(76));
  CHECK(layout.matrix.width == doctest::Approx(720));  // the 10 in cap: 9.5 pt cells
  CHECK(layout.row_label_step == 1);
  CHECK(layout.col_label_step == 1);
  // 10 pt labels are 11.6 pt lines: they shrink to fit 9.5 pt, above the 6 pt floor.
  CHECK(layout.row_label_size < 10);
  CHECK(layout.row_label_size >= 6);
  CHECK(layout.col_label_size == doctest::Approx(layout.row_label_size));
  // Labels, both axis titles and the colorbar's values: 76 + 76 labels among them.
  int64_t left =
      std::count_if(layout.text_bounds.begin(), layout.text_bounds.end(), [&](const Rect& box) {
        return box.right() < layout.matrix.x &&
               box.width > box.height;  // upright: not the axis title
      });
  CHECK(left == 76);
  CheckTextsInsideAndApart(layout);
}

TEST_CASE("a 100-token map labels every token at the 6 pt floor") {
  HeatmapLayout layout = LayoutHeatmap(PaddedTokenSpec(100));
  CHECK(layout.matrix.width == doctest::Approx(720));  // 7.2 pt cells
  CHECK(layout.row_label_step == 1);
  CHECK(layout.row_label_size >= 6);
  CheckTextsInsideAndApart(layout);
}

TEST_CASE("a 300-token map labels every k-th token and its axis titles say so") {
  HeatmapSpec spec = PaddedTokenSpec(300);
  HeatmapLayout thinned = LayoutHeatmap(spec);
  CHECK(thinned.row_label_step > 1);
  CHECK(thinned.row_label_size == doctest::Approx(6));
  // The bottom axis title, below the rotated labels: "key (every 3rd token labelled)" is far
  // wider than "key" (about 17 pt).
  double widest_below = 0;
  for (const Rect& box : thinned.text_bounds) {
    if (box.y > thinned.matrix.bottom() + 20) widest_below = std::max(widest_below, box.width);
  }
  CHECK(widest_below > 100);
  CheckTextsInsideAndApart(thinned);
}

TEST_CASE("a small summary map asks for cells that read in print, labels upright when they fit") {
  HeatmapSpec spec;
  spec.matrix = {2, 4, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f}};
  spec.row_labels = {"L0", "L1"};
  spec.col_labels = {"H0", "H1", "H2", "H3"};
  spec.row_axis_title = "layer";
  spec.col_axis_title = "head";
  spec.min_cell = kSummaryCell;
  HeatmapLayout layout = LayoutHeatmap(spec);
  CHECK(layout.matrix.width == doctest::Approx(4 * 36));
  CHECK(layout.matrix.height == doctest::Approx(2 * 36));
  CHECK(layout.page.width >= 3 * 72);                   // 240 x 100 px at 100 dpi before: 2.4 in
  CHECK(layout.annotation_size == doctest::Approx(8));  // values at their full size
  // "H0".."H3" under the matrix are upright: wider than tall.
  int below = 0;
  for (const Rect& box : layout.text_bounds) {
    if (box.y > layout.matrix.bottom() && box.bottom() < layout.matrix.bottom() + 24 &&
        box.x > layout.matrix.x - 1 && box.right() < layout.matrix.right() + 1) {
      ++below;
      CHECK(box.width > box.height);
    }
  }
  CHECK(below == 4);
}

TEST_CASE("a large summary map keeps its matrix within 10 in") {
  HeatmapSpec spec;
  spec.matrix = {32, 40, std::vector<float>(32 * 40, 0.5f)};
  spec.min_cell = kSummaryCell;
  HeatmapLayout layout = LayoutHeatmap(spec);
  CHECK(layout.matrix.width == doctest::Approx(720));  // 18 pt cells, not 36
}

TEST_CASE("a fixed size too small for every token label thins them") {
  HeatmapSpec spec = TokenSpec();
  RenderOptions options;
  options.width_pt = 200;
  options.height_pt = 160;
  HeatmapLayout layout = LayoutHeatmap(spec, options);
  CHECK(layout.row_label_step > 1);
  Rect page{0, 0, 200, 160};
  for (const Rect& box : layout.text_bounds) CHECK(page.Contains(box));
}

TEST_CASE("more cells than pixels are max-pooled so a single spike stays visible") {
  HeatmapSpec spec = IndexSpec(3000);
  std::fill(spec.matrix.values.begin(), spec.matrix.values.end(), 0.0f);
  spec.matrix.values[1234 * 3000 + 777] = 1.0f;
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  HeatmapLayout layout = LayoutHeatmap(spec);
  Rgba top = FindColormap("viridis")->colors[255];
  int spikes = 0;
  for (int y = static_cast<int>(layout.matrix.y * 100 / 72) + 2;
       y < static_cast<int>(layout.matrix.bottom() * 100 / 72) - 2; ++y) {
    for (int x = static_cast<int>(layout.matrix.x * 100 / 72) + 2;
         x < static_cast<int>(layout.matrix.right() * 100 / 72) - 2; ++x) {
      spikes += png.at(x, y) == top;
    }
  }
  CHECK(spikes >= 1);
}

TEST_CASE("SVG and PDF output start with their magic bytes") {
  HeatmapSpec spec = TokenSpec();
  CHECK(RenderHeatmap(spec, ImageFormat::kPdf).rfind("%PDF-1.", 0) == 0);
  std::string svg = RenderHeatmap(spec, ImageFormat::kSvg);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(Contains(svg, "<svg"));
}

TEST_CASE("rendering twice gives identical bytes in every format") {
  for (const HeatmapSpec& spec : {TokenSpec(), IndexSpec(100)}) {
    for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
      CHECK(RenderHeatmap(spec, format) == RenderHeatmap(spec, format));
    }
  }
}

TEST_CASE("rendering on several threads at once gives the same bytes as one at a time") {
  HeatmapSpec spec = TokenSpec();
  const ImageFormat formats[] = {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf};
  std::vector<std::string> serial;
  for (ImageFormat format : formats) serial.push_back(RenderHeatmap(spec, format));
  std::vector<std::string> parallel(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < parallel.size(); ++i) {
    threads.emplace_back([&, i] { parallel[i] = RenderHeatmap(spec, formats[i % 3]); });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < parallel.size(); ++i) CHECK(parallel[i] == serial[i % 3]);
}

TEST_CASE("a PDF's dates come from SOURCE_DATE_EPOCH, else from 1970") {
  HeatmapSpec spec = EntrySpec(2, 2);
  {
    ScopedEnv epoch("SOURCE_DATE_EPOCH", "1700000000");  // 2023-11-14 22:13:20 UTC
    std::string pdf = RenderHeatmap(spec, ImageFormat::kPdf);
    CHECK(Contains(pdf, "/CreationDate (20231114221320Z)"));
    CHECK(Contains(pdf, "/ModDate (20231114221320Z)"));
  }
  {
    ScopedEnv epoch("SOURCE_DATE_EPOCH", nullptr);
    CHECK(Contains(RenderHeatmap(spec, ImageFormat::kPdf), "/CreationDate (19700101000000Z)"));
  }
}

TEST_CASE("a malformed SOURCE_DATE_EPOCH is a usage error") {
  ScopedEnv epoch("SOURCE_DATE_EPOCH", "yesterday");
  try {
    RenderHeatmap(EntrySpec(2, 2), ImageFormat::kPdf);
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUsage);
  }
}

TEST_CASE("PDF cells are an image that viewers must not interpolate") {
  std::string pdf = RenderHeatmap(IndexSpec(100), ImageFormat::kPdf);
  CHECK(Contains(pdf, "/Interpolate false"));
  CHECK_FALSE(Contains(pdf, "/Interpolate true"));
}

TEST_CASE("SVG draws up to 64 x 64 cells as rectangles and larger maps as a pixelated image") {
  std::string small = RenderHeatmap(EntrySpec(8, 8), ImageFormat::kSvg);
  CHECK_FALSE(Contains(small, "<image"));
  std::string large = RenderHeatmap(IndexSpec(65), ImageFormat::kSvg);
  CHECK(Contains(large,
                 "<image style=\"image-rendering:optimizeSpeed;"
                 "image-rendering:crisp-edges;image-rendering:pixelated\""));
}

size_t CountOf(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST_CASE("SVG cells and colorbar bands, and only they, are crisp: no seams between them") {
  std::string svg = RenderHeatmap(EntrySpec(8, 8), ImageFormat::kSvg);
  // 8 x 8 cells and one band per colormap entry; text, ticks and frames stay antialiased.
  CHECK(CountOf(svg, "fill-rule:evenodd;shape-rendering:crispEdges;") == 64 + 256);
  CHECK(CountOf(svg, "shape-rendering:crispEdges") == 64 + 256);
}

TEST_CASE("a long token is ellipsized to ten ems; x labels are rotated to read upwards") {
  HeatmapSpec spec = TokenSpec();
  spec.row_labels[0] = std::string(200, 'x');
  spec.title.clear();
  HeatmapLayout layout = LayoutHeatmap(spec);
  // Text boxes come in order: row labels, "query", column labels, "key", colorbar values.
  CHECK(layout.text_bounds[0].width <= 10 * 10 + 1);
  CHECK(layout.text_bounds[0].right() <= layout.matrix.x);
  const Rect& changed = layout.text_bounds[15 + 1 + 3];  // "changed" below the matrix
  CHECK(changed.height > 2 * changed.width);
  CHECK(changed.y >= layout.matrix.bottom());
}

TEST_CASE("a real FinBERT head renders with every token and its peak in the top colour") {
  const std::string path = ATTNVIZ_SHARED_REAL_DIR "/finbert_l11h0.json";
  if (testing::SkippedWithout(path)) return;
  nlohmann::json dump = nlohmann::json::parse(std::ifstream(path));
  HeatmapSpec spec;
  spec.row_labels = dump["tokens"].get<std::vector<std::string>>();
  spec.col_labels = spec.row_labels;
  spec.annotate = false;
  spec.matrix.rows = spec.matrix.cols = static_cast<int64_t>(spec.row_labels.size());
  for (const auto& row : dump["attention"]) {
    for (const auto& value : row) spec.matrix.values.push_back(value.get<float>());
  }
  HeatmapLayout layout = LayoutHeatmap(spec);
  CHECK(layout.row_label_step == 1);
  CHECK(layout.col_label_step == 1);
  auto peak = std::max_element(spec.matrix.values.begin(), spec.matrix.values.end());
  int64_t index = peak - spec.matrix.values.begin();
  DecodedPng png = DecodePng(RenderHeatmap(spec, ImageFormat::kPng));
  CHECK(CellCentre(png, layout, spec.matrix, index / spec.matrix.cols, index % spec.matrix.cols,
                   100) == FindColormap("viridis")->colors[255]);
}

TEST_CASE("an unknown colormap is a usage error") {
  HeatmapSpec spec = EntrySpec(2, 2);
  spec.colormap = "jet";
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("vmin at or above vmax is a usage error") {
  HeatmapSpec spec = EntrySpec(2, 2);
  spec.vmin = 1;
  spec.vmax = 1;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
  spec.vmin = std::nullopt;
  spec.vmax = -0.5;  // below the default vmin of 0
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("an all-zero map still gets a colorbar from 0 to 1") {
  HeatmapSpec spec = IndexSpec(3);
  std::fill(spec.matrix.values.begin(), spec.matrix.values.end(), 0.0f);
  CHECK_NOTHROW(RenderHeatmap(spec, ImageFormat::kPng));
}

TEST_CASE("label counts that do not match the matrix are a usage error") {
  HeatmapSpec spec = TokenSpec();
  spec.row_labels.pop_back();
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("an empty or inconsistent matrix is a usage error") {
  HeatmapSpec spec;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
  spec.matrix = {2, 2, {1.0f}};
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("a fixed size with no room for the matrix is a usage error") {
  RenderOptions options;
  options.width_pt = 40;
  options.height_pt = 40;
  CHECK(KindOfError(TokenSpec(), options) == ErrorKind::kUsage);
}

TEST_CASE("out-of-range options are usage errors") {
  RenderOptions options;
  options.dpi = 0;
  CHECK(KindOfError(EntrySpec(2, 2), options) == ErrorKind::kUsage);
  options = {};
  options.font_size = -1;
  CHECK(KindOfError(EntrySpec(2, 2), options) == ErrorKind::kUsage);
  options = {};
  options.png_compression = 10;
  CHECK(KindOfError(EntrySpec(2, 2), options) == ErrorKind::kUsage);
}

}  // namespace
}  // namespace attnviz
