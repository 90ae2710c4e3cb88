// Figure titles: wrapped at their separators, long names shortened in the middle, never clipped.
#include "render/figure_title.h"

#include <doctest/doctest.h>

#include <string>

#include "attnviz/render/heatmap.h"
#include "attnviz/render/highlight.h"

namespace attnviz {
namespace {

const std::string kLongPath =
    "/home/someone/experiments/2026-12-01/runs/checkpoint-120000/attention_dump_final_v3.npy";
const std::string kPlace = "layer 11 · head 7 · query 42 “gdp”";
const TextStyle kTitle{"DejaVu Sans", 12, false};

// The title as read: no-break spaces back to spaces.
std::string Readable(const std::string& text) {
  std::string readable;
  for (size_t i = 0; i < text.size(); ++i) {
    bool no_break = text.compare(i, 2, "\xc2\xa0") == 0;
    readable.push_back(no_break ? ' ' : text[i]);
    if (no_break) ++i;
  }
  return readable;
}

double LineHeight() { return SharedTextShaper().Shape("Ag", kTitle).logical().height; }

TEST_CASE("a title that fits one line is kept as it is") {
  const std::string title = "gpt2 · layer 1 · head 3";
  CHECK(FitFigureTitle(title, kTitle, 400, 2, SharedTextShaper()) == title);
}

TEST_CASE("a long title wraps at a separator, not inside a name") {
  const std::string title = "a fairly long model name · layer 11 · head 7 · query 42";
  std::string fitted = Readable(FitFigureTitle(title, kTitle, 220, 2, SharedTextShaper()));
  CHECK(fitted == title);  // fits two lines untouched
  TextBlock block = ShapeFigureTitle(title, kTitle, 220, 2, SharedTextShaper());
  CHECK(block.logical().width <= 220);
  CHECK(block.logical().height == doctest::Approx(2 * LineHeight()).epsilon(0.05));
}

TEST_CASE("a long path loses its middle, and layer, head and query stay") {
  const std::string title = kLongPath + " · " + kPlace;
  std::string fitted = Readable(FitFigureTitle(title, kTitle, 240, 2, SharedTextShaper()));
  CAPTURE(fitted);
  CHECK(fitted.ends_with(kPlace));
  CHECK(fitted.starts_with("/home/"));
  CHECK(fitted.find("…") != std::string::npos);
  CHECK(fitted.find("v3.npy") != std::string::npos);  // the name's end stays
  TextBlock block = ShapeFigureTitle(title, kTitle, 240, 2, SharedTextShaper());
  CHECK(block.logical().width <= 240);
  CHECK(block.logical().height <= 2 * LineHeight() + 0.5);
}

TEST_CASE("a heatmap's long title stays inside the page on at most two lines") {
  HeatmapSpec spec;
  spec.matrix = {4, 4, std::vector<float>(16, 0.5f)};
  spec.title = kLongPath + " · " + kPlace;
  HeatmapLayout layout = LayoutHeatmap(spec);
  Rect page{0, 0, layout.page.width, layout.page.height};
  const Rect& title = layout.text_bounds.back();  // the title is placed last
  CHECK(page.Contains(title));
  CHECK(title.height <= 2 * LineHeight() + 2);
  CHECK(title.bottom() <= layout.matrix.y);
}

TEST_CASE("a highlight's long title stays inside the page on at most two lines") {
  HighlightSpec spec;
  spec.tokens = {"real", "gdp", "changed"};
  spec.weights = {0.1f, 0.8f, 0.3f};
  spec.title = kLongPath + " · " + kPlace;
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng);
  Rect page{0, 0, layout.page.width, layout.page.height};
  const Rect& title = layout.text_bounds[0][0];  // the title comes first
  CHECK(page.Contains(title));
  CHECK(title.height <= 2 * LineHeight() + 2);
}

}  // namespace
}  // namespace attnviz
