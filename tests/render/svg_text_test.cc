// Labels written into SVG as <text>: where they are anchored, their font, colour, rotation and
// escaping, their place in the drawing order, and the glyph outlines --svg-text paths keeps.
#include "render/svg_text.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <string_view>

#include "render/canvas.h"
#include "render/text.h"

namespace attnviz {
namespace {

constexpr Rgba kWhite{255, 255, 255, 255};
const TextStyle kStyle{"DejaVu Sans", 10, false};
// DejaVu Sans: hhea ascender 1901 of 2048 units per em, so a 10 pt line's baseline lies
// 9.282 pt below its top.
constexpr double kBaseline = 1901.0 / 2048 * 10;

// The SVG of one label drawn at `placement` in `color`, between two rectangles.
std::string LabelSvg(const std::string& text, const TextPlacement& placement, Rgba color,
                     SvgText mode = SvgText::kText) {
  CanvasSettings settings{72, 2, "", false, kWhite};
  settings.svg_text = mode;
  Canvas canvas(ImageFormat::kSvg, {200, 100}, settings);
  cairo_t* cr = canvas.cr();
  cairo_set_source_rgb(cr, 0, 0, 1);
  cairo_rectangle(cr, 0, 0, 10, 10);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0);
  PlacedText{SharedTextShaper().Shape(text, kStyle), placement}.Draw(cr);
  cairo_set_source_rgb(cr, 0, 1, 0);
  cairo_rectangle(cr, 20, 20, 10, 10);
  cairo_fill(cr);
  return canvas.Finish();
}

// The first <text ...> tag of `svg`, or "" when there is none.
std::string_view FirstTextTag(std::string_view svg) {
  const size_t start = svg.find("<text ");
  if (start == std::string_view::npos) return {};
  const size_t end = svg.find('>', start);
  return end == std::string_view::npos ? std::string_view{} : svg.substr(start, end + 1 - start);
}

// The value of attribute `name` of the first <text>, or "" when there is none.
std::string Attribute(const std::string& svg, const std::string& name) {
  const std::string_view tag = FirstTextTag(svg);
  const std::string key = " " + name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string_view::npos) return "";
  const size_t begin = at + key.size();
  return std::string(tag.substr(begin, tag.find('"', begin) - begin));
}

// The characters of the first <text>.
std::string Content(const std::string& svg) {
  const std::string_view tag = FirstTextTag(svg);
  if (tag.empty()) return "";
  const size_t begin = static_cast<size_t>(tag.data() + tag.size() - svg.data());
  const size_t end = svg.find("</text>", begin);
  return end == std::string::npos ? "" : svg.substr(begin, end - begin);
}

TEST_CASE("a right-aligned label is a <text> anchored at its end, on Pango's baseline") {
  std::string svg = LabelSvg("tokens", {{100, 50}, HAlign::kRight, VAlign::kTop, 0}, {0, 0, 0});
  CHECK(Content(svg) == "tokens");
  CHECK(Attribute(svg, "text-anchor") == "end");
  CHECK(Attribute(svg, "x") == "100");
  CHECK(std::stod(Attribute(svg, "y")) == doctest::Approx(50 + kBaseline).epsilon(0.001));
  CHECK(Attribute(svg, "font-family") == "DejaVu Sans");
  CHECK(Attribute(svg, "font-size") == "10");
  CHECK(Attribute(svg, "fill") == "#000000");
  CHECK(Attribute(svg, "transform").empty());
}

TEST_CASE("a centred label is anchored at its middle; a left one at its start") {
  std::string centred =
      LabelSvg("title", {{80, 40}, HAlign::kCenter, VAlign::kMiddle, 0}, {0, 0, 0});
  CHECK(Attribute(centred, "text-anchor") == "middle");
  CHECK(Attribute(centred, "x") == "80");
  std::string left = LabelSvg("left", {{12.5, 40}, HAlign::kLeft, VAlign::kTop, 0}, {0, 0, 0});
  CHECK(Attribute(left, "text-anchor").empty());  // start, SVG's default
  CHECK(Attribute(left, "x") == "12.5");
}

TEST_CASE("a label turned a quarter keeps its rotation as a matrix") {
  std::string svg =
      LabelSvg("column", {{60, 90}, HAlign::kRight, VAlign::kMiddle, M_PI / 2}, {0, 0, 0});
  // Counterclockwise on a y-down page: x' = y, y' = -x, about the anchor.
  CHECK(Attribute(svg, "transform").rfind("matrix(0 -1 1 0 ", 0) == 0);
}

TEST_CASE("the label's colour and weight are written out") {
  std::string svg = LabelSvg("red", {{10, 10}, HAlign::kLeft, VAlign::kTop, 0}, {255, 0, 0});
  CHECK(Attribute(svg, "fill") == "#ff0000");
  CHECK(Attribute(svg, "font-weight").empty());
}

TEST_CASE("the label takes the place in the drawing order where it was drawn") {
  std::string svg = LabelSvg("between", {{10, 10}, HAlign::kLeft, VAlign::kTop, 0}, {0, 0, 0});
  size_t blue = svg.find("fill:rgb(0%,0%,100%)");
  size_t text = svg.find("<text ");
  size_t green = svg.find("fill:rgb(0%,100%,0%)");
  REQUIRE(blue != std::string::npos);
  REQUIRE(green != std::string::npos);
  CHECK(blue < text);
  CHECK(text < green);
  CHECK(svg.find("fill-opacity:0.00392157") == std::string::npos);  // no marker left
  CHECK(svg.find("#glyph") == std::string::npos);
}

TEST_CASE("tokens are XML-escaped") {
  std::string svg =
      LabelSvg("<s> & \"it's\"", {{10, 10}, HAlign::kLeft, VAlign::kTop, 0}, {0, 0, 0});
  CHECK(Content(svg) == "&lt;s&gt; &amp; &quot;it&apos;s&quot;");
}

TEST_CASE("EscapeXml replaces the noncharacters XML forbids and keeps other UTF-8") {
  CHECK(EscapeXml("a\xef\xbf\xbe"
                  "b\xef\xbf\xbf") ==
        "a\xef\xbf\xbd"
        "b\xef\xbf\xbd");
  CHECK(EscapeXml("日本 ▁x Ġy") == "日本 ▁x Ġy");
}

TEST_CASE("--svg-text paths draws glyph outlines and no <text>") {
  std::string svg =
      LabelSvg("tokens", {{100, 50}, HAlign::kRight, VAlign::kTop, 0}, {0, 0, 0}, SvgText::kPaths);
  CHECK(svg.find("<text") == std::string::npos);
  CHECK(svg.find("#glyph") != std::string::npos);
}

TEST_CASE("a label of the same text drawn twice gives the same bytes") {
  TextPlacement placement{{33.3, 44.4}, HAlign::kCenter, VAlign::kBottom, 0.3};
  CHECK(LabelSvg("again", placement, {1, 2, 3}) == LabelSvg("again", placement, {1, 2, 3}));
}

}  // namespace
}  // namespace attnviz
