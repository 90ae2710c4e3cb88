// The arrows figure: which lines are drawn and in what order, how strong they look, where the
// tokens sit in columns or rows, the legend, and the three formats' bytes.
#include "attnviz/render/arrows.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "attnviz/error.h"
#include "png_reader.h"
#include "render/axis_labels.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

using Pair = std::tuple<int64_t, int64_t, int>;  // query, key, head

ArrowsSpec OneHead(Matrix weights) {
  ArrowsSpec spec;
  spec.heads.push_back({"head 0", std::move(weights)});
  return spec;
}

// Query 0 spreads its weight, query 1 puts most on key 2, query 2 on key 0.
Matrix ThreeByFour() {
  return {3, 4, {0.4f, 0.3f, 0.2f, 0.1f, 0.05f, 0.05f, 0.8f, 0.1f, 0.9f, 0.0f, 0.05f, 0.05f}, {}};
}

Matrix Identity(int64_t n) {
  Matrix matrix{n, n, std::vector<float>(n * n, 0.0f), {}};
  for (int64_t i = 0; i < n; ++i) matrix.values[i * n + i] = 1.0f;
  return matrix;
}

std::set<Pair> Drawn(const ArrowsLayout& layout) {
  std::set<Pair> pairs;
  for (const ArrowsLine& line : layout.lines) pairs.insert({line.query, line.key, line.head});
  return pairs;
}

std::vector<std::string> Tokens(int64_t count, const std::string& stem) {
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < count; ++i) tokens.push_back(stem + std::to_string(i));
  return tokens;
}

ErrorKind KindOfError(const ArrowsSpec& spec) {
  try {
    RenderArrows(spec, ImageFormat::kPng);
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("no error");
  return ErrorKind::kInput;
}

Rgba PixelAt(const DecodedPng& png, Point point, double dpi) {
  return png.at(static_cast<int>(point.x * dpi / 72), static_cast<int>(point.y * dpi / 72));
}

void CheckTextInsidePageAndApart(const ArrowsLayout& layout) {
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

TEST_CASE("tab10 gives the overlaid heads matplotlib's colours in order") {
  // matplotlib.colors.to_hex over matplotlib.colormaps["tab10"].colors.
  const char* hex[] = {"1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd",
                       "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf"};
  for (int i = 0; i < kMaxArrowsHeads; ++i) {
    Rgba c = ArrowsHeadColor(i);
    char text[8];
    std::snprintf(text, sizeof text, "%02x%02x%02x", c.r, c.g, c.b);
    CHECK(std::string(text) == hex[i]);
  }
}

TEST_CASE("every nonzero line is drawn by default, weakest first") {
  ArrowsLayout layout = LayoutArrows(OneHead(ThreeByFour()));
  CHECK(layout.lines.size() == 11);  // twelve weights, one of them 0
  CHECK(layout.selected_lines == 11);
  for (size_t i = 1; i < layout.lines.size(); ++i) {
    CHECK(layout.lines[i - 1].weight <= layout.lines[i].weight);
  }
  CHECK(layout.lines.back().weight == 0.9f);
  CHECK(layout.vmax == doctest::Approx(0.9));
}

TEST_CASE("top-k keeps each query's k strongest lines") {
  ArrowsSpec spec = OneHead(ThreeByFour());
  spec.top_k = 2;
  // Row 0: 0.4 (key 0), 0.3 (key 1); row 1: 0.8 (key 2), then 0.1 (key 3) over 0.05s; row 2:
  // 0.9 (key 0), then the first of the two 0.05s (key 2).
  CHECK(Drawn(LayoutArrows(spec)) ==
        std::set<Pair>{{0, 0, 0}, {0, 1, 0}, {1, 2, 0}, {1, 3, 0}, {2, 0, 0}, {2, 2, 0}});
}

TEST_CASE("min-weight drops weaker lines") {
  ArrowsSpec spec = OneHead(ThreeByFour());
  spec.min_weight = 0.3;
  CHECK(Drawn(LayoutArrows(spec)) == std::set<Pair>{{0, 0, 0}, {0, 1, 0}, {1, 2, 0}, {2, 0, 0}});
}

TEST_CASE("lines fainter than 1/256 of vmax are never drawn") {
  Matrix weights{1, 3, {1.0f, 1.0f / 200, 1.0f / 300}, {}};
  CHECK(Drawn(LayoutArrows(OneHead(weights))) == std::set<Pair>{{0, 0, 0}, {0, 1, 0}});
}

TEST_CASE("max-lines keeps the strongest lines of the whole figure and counts the rest") {
  ArrowsSpec spec = OneHead(ThreeByFour());
  spec.max_lines = 3;
  ArrowsLayout layout = LayoutArrows(spec);
  CHECK(Drawn(layout) == std::set<Pair>{{2, 0, 0}, {1, 2, 0}, {0, 0, 0}});
  CHECK(layout.selected_lines == 11);
}

TEST_CASE("NaN and infinite weights are counted, never drawn") {
  Matrix weights{1, 3, {0.5f, std::numeric_limits<float>::quiet_NaN(), INFINITY}, {}};
  ArrowsLayout layout = LayoutArrows(OneHead(weights));
  CHECK(Drawn(layout) == std::set<Pair>{{0, 0, 0}});
  CHECK(layout.nonfinite_weights == 2);
  CHECK(layout.vmax == doctest::Approx(0.5));
}

TEST_CASE("columns: queries on the left, keys on the right, both over the same length") {
  ArrowsSpec spec = OneHead({21, 10, std::vector<float>(210, 0.1f), {}});
  spec.query_tokens = Tokens(21, "t");
  spec.key_tokens = Tokens(10, "s");
  ArrowsLayout layout = LayoutArrows(spec);
  REQUIRE(layout.query_anchors.size() == 21);
  REQUIRE(layout.key_anchors.size() == 10);
  for (const Point& p : layout.query_anchors) CHECK(p.x == layout.query_anchors[0].x);
  for (const Point& p : layout.key_anchors) CHECK(p.x == layout.key_anchors[0].x);
  CHECK(layout.key_anchors[0].x > layout.query_anchors[0].x);
  // Both columns centred on the same length: equal first and last margins in units of pitch.
  double query_mid = (layout.query_anchors.front().y + layout.query_anchors.back().y) / 2;
  double key_mid = (layout.key_anchors.front().y + layout.key_anchors.back().y) / 2;
  CHECK(query_mid == doctest::Approx(key_mid));
  CHECK(layout.query_label_step == 1);
  CHECK(layout.key_label_step == 1);
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("rows: queries along the top, keys along the bottom, labels upright when they fit") {
  ArrowsSpec spec = OneHead({21, 10, std::vector<float>(210, 0.1f), {}});
  spec.query_tokens = Tokens(21, "");
  spec.query_tokens[0] = "<bos>";
  spec.key_tokens = {"si", "ko", "ni", "ra", "bo", "nu", "te", "ne", "me", "fe"};
  spec.horizontal = true;
  ArrowsLayout layout = LayoutArrows(spec);
  for (const Point& p : layout.query_anchors) CHECK(p.y == layout.query_anchors[0].y);
  for (const Point& p : layout.key_anchors) CHECK(p.y == layout.key_anchors[0].y);
  CHECK(layout.key_anchors[0].y > layout.query_anchors[0].y);
  for (size_t i = 1; i < layout.query_anchors.size(); ++i) {
    CHECK(layout.query_anchors[i].x > layout.query_anchors[i - 1].x);
  }
  // Upright labels are wider than tall; the query labels come first.
  const Rect& bos = layout.text_bounds[0];
  CHECK(bos.width > bos.height);
  CHECK(bos.bottom() <= layout.query_anchors[0].y);
  CheckTextInsidePageAndApart(layout);
}

// "w00", "w01", ...: tokens of one width, as a sentence's would be.
std::vector<std::string> PaddedTokens(int64_t count) {
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < count; ++i) tokens.push_back((i < 10 ? "w0" : "w") + std::to_string(i));
  return tokens;
}

// The label boxes left of the query column: every query label, nothing else.
int64_t QueryLabels(const ArrowsLayout& layout) {
  double column = layout.query_anchors[0].x;
  return std::count_if(layout.text_bounds.begin(), layout.text_bounds.end(), [&](const Rect& box) {
    return box.right() < column && box.y > layout.query_anchors[0].y - 12;
  });
}

TEST_CASE("76 tokens: every token labelled, smaller, each beside its own line end") {
  ArrowsSpec spec = OneHead(Identity(76));
  spec.query_tokens = spec.key_tokens = PaddedTokens(76);
  ArrowsLayout layout = LayoutArrows(spec);
  CHECK(layout.query_label_step == 1);
  CHECK(layout.key_label_step == 1);
  // 10 in over 76 tokens is 9.5 pt a token: 10 pt labels (11.6 pt lines) shrink to about 8 pt.
  CHECK(layout.query_label_size < 10);
  CHECK(layout.query_label_size >= kMinLabelSize);
  CHECK(QueryLabels(layout) == 76);
  // Each label is centred on its anchor (the first 76 texts are the query labels, in order).
  for (int64_t i = 0; i < 76; ++i) {
    CAPTURE(i);
    CHECK(layout.text_bounds[i].center().y ==
          doctest::Approx(layout.query_anchors[i].y).epsilon(0.01));
  }
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("160 tokens: labels at 6 pt do not fit 10 in, so the columns grow to hold them all") {
  ArrowsSpec spec = OneHead(Identity(160));
  spec.query_tokens = spec.key_tokens = PaddedTokens(160);
  ArrowsLayout layout = LayoutArrows(spec);
  CHECK(layout.query_label_step == 1);
  CHECK(layout.query_label_size == doctest::Approx(kMinLabelSize));
  double length = layout.query_anchors.back().y - layout.query_anchors.front().y;
  CHECK(length > 720);
  CHECK(length < 1440);
  CHECK(QueryLabels(layout) == 160);
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("76 tokens in rows: every token labelled, rotated and smaller, none overlapping") {
  ArrowsSpec spec = OneHead(Identity(76));
  spec.query_tokens = spec.key_tokens = PaddedTokens(76);
  spec.horizontal = true;
  ArrowsLayout layout = LayoutArrows(spec);
  CHECK(layout.query_label_step == 1);
  CHECK(layout.key_label_step == 1);
  CHECK(layout.query_label_size < 10);
  CHECK(layout.query_label_size >= kMinLabelSize);
  // The first 76 texts are the query labels, rotated (taller than wide) above their anchors.
  for (int64_t i = 0; i < 76; ++i) {
    CAPTURE(i);
    CHECK(layout.text_bounds[i].height > layout.text_bounds[i].width);
    CHECK(layout.text_bounds[i].bottom() <= layout.query_anchors[i].y);
  }
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("400 tokens: every k-th labelled, and the column titles say so") {
  ArrowsSpec spec = OneHead(Identity(400));
  spec.query_tokens = spec.key_tokens = PaddedTokens(400);
  ArrowsLayout layout = LayoutArrows(spec);
  REQUIRE(layout.query_label_step > 1);
  int64_t labels = (400 + layout.query_label_step - 1) / layout.query_label_step;
  CHECK(QueryLabels(layout) == labels);
  // After both columns' labels come the titles: "query (every 2nd token labelled)" is far wider
  // than "query" alone (about 28 pt at 10 pt).
  const Rect& query_title = layout.text_bounds[2 * labels];
  CHECK(query_title.bottom() < layout.query_anchors[0].y);
  CHECK(query_title.width > 100);
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("the thinned-labels note counts in English ordinals") {
  CHECK(ThinnedLabelsNote(2) == "every 2nd token labelled");
  CHECK(ThinnedLabelsNote(3) == "every 3rd token labelled");
  CHECK(ThinnedLabelsNote(4) == "every 4th token labelled");
  CHECK(ThinnedLabelsNote(11) == "every 11th token labelled");
  CHECK(ThinnedLabelsNote(12) == "every 12th token labelled");
  CHECK(ThinnedLabelsNote(21) == "every 21st token labelled");
  CHECK(ThinnedLabelsNote(22) == "every 22nd token labelled");
  CHECK(TitleWithThinnedNote("key", 2) == "key (every 2nd token labelled)");
  CHECK(TitleWithThinnedNote("key", 1) == "key");
  CHECK(TitleWithThinnedNote("", 5) == "every 5th token labelled");
}

TEST_CASE("a split leaves a gap between the sentences in both columns") {
  ArrowsSpec spec = OneHead(Identity(8));
  spec.query_split = spec.key_split = 3;
  ArrowsLayout layout = LayoutArrows(spec);
  double pitch = layout.query_anchors[1].y - layout.query_anchors[0].y;
  double gap = layout.query_anchors[3].y - layout.query_anchors[2].y;
  CHECK(gap > 1.5 * pitch);
  CHECK(layout.key_anchors[3].y - layout.key_anchors[2].y == doctest::Approx(gap));
}

TEST_CASE("a line of weight vmax is opaque in its head's colour") {
  ArrowsSpec spec = OneHead(Identity(3));  // horizontal lines, query i to key i
  RenderOptions options;
  options.dpi = 200;
  DecodedPng png = DecodePng(RenderArrows(spec, ImageFormat::kPng, options));
  ArrowsLayout layout = LayoutArrows(spec, options);
  for (int64_t i = 0; i < 3; ++i) {
    Point middle{(layout.query_anchors[i].x + layout.key_anchors[i].x) / 2,
                 layout.query_anchors[i].y};
    CHECK(PixelAt(png, middle, 200) == ArrowsHeadColor(0));
  }
}

TEST_CASE("a line of half the weight is half as opaque, over white") {
  Matrix weights = Identity(2);
  weights.values[3] = 0.5f;
  ArrowsSpec spec = OneHead(weights);
  RenderOptions options;
  options.dpi = 200;
  DecodedPng png = DecodePng(RenderArrows(spec, ImageFormat::kPng, options));
  ArrowsLayout layout = LayoutArrows(spec, options);
  Point middle{(layout.query_anchors[1].x + layout.key_anchors[1].x) / 2,
               layout.query_anchors[1].y};
  // 255 - 0.5 (255 - c) for tab10 blue (31, 119, 180): (143, 187, 217.5), to within a level.
  Rgba got = PixelAt(png, middle, 200);
  CHECK(std::abs(got.r - 143) <= 1);
  CHECK(std::abs(got.g - 187) <= 1);
  CHECK(std::abs(got.b - 217.5) <= 1);
}

TEST_CASE("several heads get a legend with a swatch in each head's colour") {
  ArrowsSpec spec = OneHead(Identity(4));
  spec.heads.push_back({"head 1", Identity(4)});
  spec.heads.push_back({"head 2", Identity(4)});
  RenderOptions options;
  options.dpi = 200;
  DecodedPng png = DecodePng(RenderArrows(spec, ImageFormat::kPng, options));
  ArrowsLayout layout = LayoutArrows(spec, options);
  REQUIRE(layout.legend_swatches.size() == 3);
  for (int h = 0; h < 3; ++h) {
    const Rect& swatch = layout.legend_swatches[h];
    CHECK(swatch.x > layout.key_anchors[0].x);
    CHECK(PixelAt(png, swatch.center(), 200) == ArrowsHeadColor(h));
  }
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("heads joining the same pair are drawn side by side, not on top of each other") {
  ArrowsSpec spec = OneHead(Identity(4));
  spec.heads.push_back({"head 1", Identity(4)});
  RenderOptions options;
  options.dpi = 300;
  DecodedPng png = DecodePng(RenderArrows(spec, ImageFormat::kPng, options));
  ArrowsLayout layout = LayoutArrows(spec, options);
  CHECK(layout.head_spacing == doctest::Approx(layout.max_line_width));
  // Head 0 half a spacing above the anchor, head 1 half below: both opaque in their colours.
  Point middle{(layout.query_anchors[1].x + layout.key_anchors[1].x) / 2,
               layout.query_anchors[1].y};
  double half = layout.head_spacing / 2;
  CHECK(PixelAt(png, {middle.x, middle.y - half}, 300) == ArrowsHeadColor(0));
  CHECK(PixelAt(png, {middle.x, middle.y + half}, 300) == ArrowsHeadColor(1));
}

TEST_CASE("one head has no legend of heads") {
  CHECK(LayoutArrows(OneHead(Identity(3))).legend_swatches.empty());
}

TEST_CASE("4096 tokens: the line cap keeps the strongest, labels thin out and never collide") {
  const int64_t n = 4096;
  // Six lines a row: 0.5, 0.2, 0.1, 0.1, 0.05, 0.05 to keys i .. i + 5 (mod n).
  const float row[] = {0.5f, 0.2f, 0.1f, 0.1f, 0.05f, 0.05f};
  Matrix weights{n, n, std::vector<float>(n * n, 0.0f), {}};
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < 6; ++k) weights.values[i * n + (i + k) % n] = row[k];
  }
  ArrowsSpec spec = OneHead(std::move(weights));
  spec.query_tokens = spec.key_tokens = Tokens(n, "tok");
  ArrowsLayout layout = LayoutArrows(spec);
  CHECK(layout.selected_lines == 6 * n);
  REQUIRE(static_cast<int64_t>(layout.lines.size()) == kDefaultMaxLines);
  // 4 * 4096 = 16384 lines of 0.1 and more, then 3616 of the 8192 lines of 0.05.
  int64_t strong = std::count_if(layout.lines.begin(), layout.lines.end(),
                                 [](const ArrowsLine& line) { return line.weight >= 0.1f; });
  CHECK(strong == 4 * n);
  CHECK(layout.lines.front().weight == 0.05f);
  CHECK(layout.query_label_step > 1);
  CHECK(layout.page.height < 11 * 72);
  CheckTextInsidePageAndApart(layout);
}

TEST_CASE("rendering twice gives identical bytes in every format") {
  ArrowsSpec spec = OneHead(ThreeByFour());
  spec.heads.push_back({"head 1", ThreeByFour()});
  spec.query_tokens = {"the", "cat", "sat"};
  spec.key_tokens = {"the", "cat", "sat", "down"};
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    CHECK(RenderArrows(spec, format) == RenderArrows(spec, format));
  }
}

TEST_CASE("no heads, too many heads, or heads of different shapes are usage errors") {
  CHECK(KindOfError(ArrowsSpec{}) == ErrorKind::kUsage);
  ArrowsSpec eleven = OneHead(Identity(2));
  for (int h = 1; h <= kMaxArrowsHeads; ++h) eleven.heads.push_back({"h", Identity(2)});
  CHECK(KindOfError(eleven) == ErrorKind::kUsage);
  ArrowsSpec mixed = OneHead(Identity(2));
  mixed.heads.push_back({"h", Identity(3)});
  CHECK(KindOfError(mixed) == ErrorKind::kUsage);
}

TEST_CASE("tokens that do not match the weights, or a split outside them, are usage errors") {
  ArrowsSpec spec = OneHead(Identity(3));
  spec.query_tokens = {"a", "b"};
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
  spec.query_tokens.clear();
  spec.key_split = 3;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

TEST_CASE("a token count mismatch names both counts with the right plural") {
  ArrowsSpec spec = OneHead(Identity(3));
  spec.query_tokens = {"a", "b"};
  CHECK_THROWS_WITH_AS(RenderArrows(spec, ImageFormat::kPng), "2 query tokens for 3 queries",
                       Error);
  spec.query_tokens.clear();
  spec.key_tokens = {"a", "b"};
  CHECK_THROWS_WITH_AS(RenderArrows(spec, ImageFormat::kPng), "2 key tokens for 3 keys", Error);
}

TEST_CASE("a vmax that is not positive is a usage error") {
  ArrowsSpec spec = OneHead(Identity(3));
  spec.vmax = 0;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

}  // namespace
}  // namespace attnviz
