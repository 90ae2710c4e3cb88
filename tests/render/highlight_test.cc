// The highlight figure: exact background colours, text ink by contrast, line wrapping, pages.
#include "attnviz/render/highlight.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/render/colormap.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

constexpr Rgba kBlack{0, 0, 0, 255};
constexpr Rgba kWhite{255, 255, 255, 255};

HighlightSpec SentenceSpec() {
  HighlightSpec spec;
  spec.tokens = {"[CLS]", "real", "gdp", "changed", "by", "-", "1", ".", "0", "%", "[SEP]"};
  spec.weights = {0.0f, 0.5f, 1.0f, 0.25f, 0.0f, 0.0f, 0.1f, 0.0f, 0.0f, 0.75f, 0.0f};
  spec.scale.vmin = 0;
  spec.scale.vmax = 1;
  return spec;
}

HighlightSpec LongSpec(int count) {
  HighlightSpec spec;
  for (int i = 0; i < count; ++i) {
    spec.tokens.push_back(i % 7 == 0 ? "international" : "w" + std::to_string(i));
    spec.weights.push_back(static_cast<float>(i % 10) / 10);
  }
  return spec;
}

// The PNG pixel one device pixel inside the top-left corner of `box` (clear of the text).
Rgba BoxCorner(const DecodedPng& png, const Rect& box, double dpi) {
  return png.at(static_cast<int>(box.x * dpi / 72) + 1, static_cast<int>(box.y * dpi / 72) + 1);
}

ErrorKind KindOfError(const HighlightSpec& spec) {
  try {
    RenderHighlight(spec, ImageFormat::kPng);
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("no error");
  return ErrorKind::kInput;
}

void CheckInsidePage(const HighlightLayout& layout) {
  Rect page{0, 0, layout.page.width, layout.page.height};
  for (size_t i = 0; i < layout.boxes.size(); ++i) {
    CAPTURE(i);
    CHECK(page.Contains(layout.boxes[i]));
  }
  for (const std::vector<Rect>& texts : layout.text_bounds) {
    for (const Rect& text : texts) {
      CAPTURE(text.x);
      CAPTURE(text.y);
      CAPTURE(text.right());
      CAPTURE(text.bottom());
      CHECK(page.Contains(text));
    }
  }
}

TEST_CASE("text is white on dark backgrounds and black on light ones, by WCAG contrast") {
  // Relative luminances from the WCAG formula, computed with numpy; the switch is at 0.1791.
  CHECK(ContrastingTextColor({255, 255, 255, 255}) == kBlack);
  CHECK(ContrastingTextColor({0, 0, 0, 255}) == kWhite);
  CHECK(ContrastingTextColor({118, 118, 118, 255}) == kBlack);  // L = 0.1812
  CHECK(ContrastingTextColor({117, 117, 117, 255}) == kWhite);  // L = 0.1779
  CHECK(ContrastingTextColor({103, 0, 13, 255}) == kWhite);     // Reds' darkest
  CHECK(ContrastingTextColor({68, 1, 84, 255}) == kWhite);      // viridis' first
  CHECK(ContrastingTextColor({253, 231, 36, 255}) == kBlack);   // viridis' last
}

TEST_CASE("each token's background has the exact colormap colour of its weight") {
  HighlightSpec spec = SentenceSpec();
  RenderOptions options;
  options.dpi = 200;
  DecodedPng png = DecodePng(RenderHighlight(spec, ImageFormat::kPng, options));
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng, options);
  const Colormap& reds = *FindColormap("Reds");
  // Weights 0, 0.5, 1 take Reds entries 0, 128, 255: (255, 245, 240), (250, 105, 73),
  // (103, 0, 12) in matplotlib.
  CHECK(reds.colors[128] == Rgba{250, 105, 73, 255});
  CHECK(BoxCorner(png, layout.boxes[0], 200) == reds.colors[0]);
  CHECK(BoxCorner(png, layout.boxes[1], 200) == reds.colors[128]);
  CHECK(BoxCorner(png, layout.boxes[2], 200) == reds.colors[255]);
  CHECK(layout.text_colors[0] == kBlack);
  CHECK(layout.text_colors[2] == kWhite);
}

TEST_CASE("the colorbar runs from the first colour at the left to the last at the right") {
  HighlightSpec spec = SentenceSpec();
  spec.scale.colormap = "viridis";
  RenderOptions options;
  options.dpi = 300;
  DecodedPng png = DecodePng(RenderHighlight(spec, ImageFormat::kPng, options));
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng, options);
  const Rect& bar = layout.colorbar;
  double entry = bar.width / 256;
  auto at = [&](double x) {
    return png.at(static_cast<int>(x * 300 / 72), static_cast<int>(bar.center().y * 300 / 72));
  };
  const Colormap& viridis = *FindColormap("viridis");
  // The frame covers the outermost entries' half; their neighbours show clear of it.
  CHECK(at(bar.x + 1.5 * entry) == viridis.colors[1]);
  CHECK(at(bar.right() - 1.5 * entry) == viridis.colors[254]);
  CHECK(at(bar.x + 128.5 * entry) == viridis.colors[128]);
}

TEST_CASE("masked tokens have no background, grey text, and no say in the default limits") {
  HighlightSpec spec = SentenceSpec();
  spec.scale.vmax = std::nullopt;
  spec.masked = std::vector<uint8_t>(spec.tokens.size(), 0);
  spec.masked[10] = 1;
  spec.weights[10] = 50;  // a future token's value must not set vmax
  DecodedPng png = DecodePng(RenderHighlight(spec, ImageFormat::kPng));
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng);
  CHECK(layout.scale.vmax == 1);
  CHECK(BoxCorner(png, layout.boxes[10], 100) == kWhite);
  CHECK(layout.text_colors[10] != kBlack);
  CHECK(layout.text_colors[10] != kWhite);
}

TEST_CASE("the marked token is outlined in the ink colour") {
  HighlightSpec spec = SentenceSpec();
  spec.marked = 4;  // "by", weight 0: a near-white box
  RenderOptions options;
  options.dpi = 200;
  DecodedPng png = DecodePng(RenderHighlight(spec, ImageFormat::kPng, options));
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng, options);
  const Rect& box = layout.boxes[4];
  // The 1.5 pt outline lies just outside the box: 0.75 pt left of it is its middle.
  CHECK(png.at(static_cast<int>((box.x - 0.75) * 200 / 72),
               static_cast<int>(box.center().y * 200 / 72)) == kBlack);
}

TEST_CASE("tokens flow left to right into lines no wider than the text width") {
  HighlightSpec spec = LongSpec(120);
  RenderOptions options;
  options.width_pt = 300;
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng, options);
  CHECK(layout.page.width == 300);
  double left = layout.boxes[0].x;
  int lines = 1;
  for (size_t i = 1; i < layout.boxes.size(); ++i) {
    const Rect& previous = layout.boxes[i - 1];
    const Rect& box = layout.boxes[i];
    CHECK(box.right() <= left + 300 - 2 * 5 + 1e-9);  // margins of half an em
    if (box.y > previous.y) {
      ++lines;
      CHECK(box.x == doctest::Approx(left));
      CHECK(box.y >= previous.bottom());
    } else {
      CHECK(box.y == previous.y);
      CHECK(box.x > previous.right());
    }
  }
  CHECK(lines > 3);
  CheckInsidePage(layout);
}

TEST_CASE("a token holding a newline ends its line") {
  HighlightSpec spec = SentenceSpec();
  spec.tokens[3] = "\n";
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng);
  CHECK(layout.boxes[3].y == layout.boxes[0].y);
  CHECK(layout.boxes[4].y > layout.boxes[3].y);
  CHECK(layout.boxes[4].x == doctest::Approx(layout.boxes[0].x));
}

TEST_CASE("attached word pieces follow the previous token without a gap") {
  HighlightSpec spec = SentenceSpec();
  spec.attached = std::vector<uint8_t>(spec.tokens.size(), 0);
  spec.attached[3] = 1;  // "changed" continues "gdp"
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kPng);
  CHECK(layout.boxes[3].x == doctest::Approx(layout.boxes[2].right()));
  CHECK(layout.boxes[2].x > layout.boxes[1].right());  // others keep their gap
}

TEST_CASE("2000 tokens make one tall PNG, or PDF pages of at most 10 inches") {
  HighlightSpec spec = LongSpec(2000);
  HighlightLayout png = LayoutHighlight(spec, ImageFormat::kPng);
  CHECK(png.pages == 1);
  CHECK(png.page.height > 720);
  CheckInsidePage(png);
  HighlightLayout pdf = LayoutHighlight(spec, ImageFormat::kPdf);
  CHECK(pdf.pages > 1);
  CHECK(pdf.page.height <= 720);
  CHECK(pdf.box_pages.back() == pdf.pages - 1);
  CheckInsidePage(pdf);
  // Every page repeats the title and colorbar: at least the tick labels on each.
  for (const std::vector<Rect>& texts : pdf.text_bounds) CHECK(texts.size() > 3);
  std::string bytes = RenderHighlight(spec, ImageFormat::kPdf);
  CHECK(bytes.find("/Count " + std::to_string(pdf.pages)) != std::string::npos);
}

TEST_CASE("every text box lies inside the page and no two overlap") {
  HighlightSpec spec = SentenceSpec();
  spec.title = "finbert · layer 11 · head 0 · query 0 “[CLS]”";
  spec.scale_title = "attention";
  HighlightLayout layout = LayoutHighlight(spec, ImageFormat::kSvg);
  CheckInsidePage(layout);
  const std::vector<Rect>& texts = layout.text_bounds[0];
  for (size_t i = 0; i < texts.size(); ++i) {
    for (size_t j = i + 1; j < texts.size(); ++j) {
      CAPTURE(i);
      CAPTURE(j);
      CHECK_FALSE(texts[i].Intersects(texts[j]));
    }
  }
}

TEST_CASE("rendering twice gives identical bytes in every format") {
  HighlightSpec spec = SentenceSpec();
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    CHECK(RenderHighlight(spec, format) == RenderHighlight(spec, format));
  }
}

TEST_CASE("weights and tokens that differ in number are a usage error") {
  HighlightSpec spec = SentenceSpec();
  spec.weights.pop_back();
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("no tokens, or a marked token out of range, are usage errors") {
  CHECK(KindOfError(HighlightSpec{}) == ErrorKind::kUsage);
  HighlightSpec spec = SentenceSpec();
  spec.marked = 11;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

}  // namespace
}  // namespace attnviz
