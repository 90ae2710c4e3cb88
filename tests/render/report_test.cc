// The report: paper sizes, figures drawn into an area of a page, tables continued over pages,
// and byte-identical output.
#include "attnviz/render/report.h"

#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "png_reader.h"
#include "render/canvas.h"

namespace attnviz {
namespace {

using testing::DecodePng;

constexpr Rgba kWhite{255, 255, 255, 255};
constexpr Rgba kRed{255, 0, 0, 255};

bool Same(Rgba a, Rgba b) { return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a; }

// Pages of a PDF as its page tree counts them ("/Type /Page" without the "s" of "/Pages").
int PdfPages(const std::string& pdf) {
  int pages = 0;
  for (size_t at = pdf.find("/Type"); at != std::string::npos; at = pdf.find("/Type", at + 1)) {
    size_t next = at + 5;
    while (next < pdf.size() && std::isspace(static_cast<unsigned char>(pdf[next]))) ++next;
    pages += pdf.compare(next, 5, "/Page") == 0 && next + 5 < pdf.size() && pdf[next + 5] != 's';
  }
  return pages;
}

ReportTable NumberTable(int rows) {
  ReportTable table{{"row", "value"}, {}};
  for (int i = 0; i < rows; ++i) table.rows.push_back({std::to_string(i), "0.5"});
  return table;
}

TEST_CASE("paper sizes are ISO A4 and US letter in points, portrait") {
  // A4 is 210 x 297 mm: 210 / 25.4 * 72 = 595.276, 297 / 25.4 * 72 = 841.89.
  CHECK(PaperSize(Paper::kA4).width == doctest::Approx(595.276).epsilon(1e-6));
  CHECK(PaperSize(Paper::kA4).height == doctest::Approx(841.89).epsilon(1e-6));
  CHECK(PaperSize(Paper::kLetter).width == 612);  // 8.5 x 11 in
  CHECK(PaperSize(Paper::kLetter).height == 792);
}

TEST_CASE("a figure drawn into an area is scaled down to fit it and placed at its centre") {
  // A 200 x 200 pt page at 72 dpi (one pixel a point); a 100 x 50 pt red figure into the area
  // (20, 40, 60, 60) shrinks by 0.6 to 60 x 30 and sits 15 pt down: x 20..80, y 55..85.
  Canvas page(ImageFormat::kPng, {200, 200}, {72, 2, "", false, kWhite});
  Canvas figure(page, {20, 40, 60, 60}, {100, 50}, {72, 2, "", false, kRed});
  figure.Finish();
  auto png = DecodePng(page.Finish());
  CHECK(Same(png.at(21, 56), kRed));
  CHECK(Same(png.at(78, 83), kRed));
  CHECK(Same(png.at(50, 53), kWhite));  // above: the area, not the figure
  CHECK(Same(png.at(50, 87), kWhite));  // below
  CHECK(Same(png.at(18, 70), kWhite));  // left of the area
  CHECK(Same(png.at(82, 70), kWhite));  // right of it
}

TEST_CASE("a figure fills its area, keeping its aspect, centred") {
  // 20 x 10 pt into a 100 x 100 area at (0, 0): scaled by min(100/20, 100/10) = 5 to 100 x 50,
  // centred at y 25..75. (The report chooses the area, which limits any enlargement.)
  Canvas page(ImageFormat::kPng, {100, 100}, {72, 2, "", false, kWhite});
  Canvas figure(page, {0, 0, 100, 100}, {20, 10}, {72, 2, "", false, kRed});
  figure.Finish();
  auto png = DecodePng(page.Finish());
  CHECK(Same(png.at(1, 26), kRed));
  CHECK(Same(png.at(98, 73), kRed));
  CHECK(Same(png.at(50, 23), kWhite));
  CHECK(Same(png.at(50, 77), kWhite));
}

TEST_CASE("a figure in an area holds one page") {
  Canvas page(ImageFormat::kPdf, {100, 100}, {72, 2, "", false, kWhite});
  Canvas figure(page, {0, 0, 50, 50}, {20, 20}, {72, 2, "", false, kRed});
  CHECK_THROWS_AS(figure.NextPage({20, 20}), Error);
  figure.Finish();
  page.Finish();
}

TEST_CASE("sections that fit follow on the page; a long table continues on further pages") {
  ReportSection text{"Summary", {"one line"}, {}, {}, ""};
  CHECK(PdfPages(RenderReport("t", {text}, Paper::kA4)) == 1);
  CHECK(PdfPages(RenderReport("t", {text, text, text}, Paper::kA4)) == 1);
  // Table rows are set at 8 pt, about 9.3 pt a line. Below a heading (about 17 pt and a gap) and
  // the column header, an A4 page (841.89 pt, 54 pt margins, an 18 pt footer gap) has about
  // 716 - 40 = 676 pt: 72 rows. 20 rows fit one page; 400 need 6 (72 x 5 = 360 < 400 < 432).
  ReportSection short_table{"Table", {}, NumberTable(20), {}, ""};
  CHECK(PdfPages(RenderReport("t", {short_table}, Paper::kA4)) == 1);
  ReportSection long_table{"Table", {}, NumberTable(400), {}, ""};
  CHECK(PdfPages(RenderReport("t", {long_table}, Paper::kA4)) == 6);
}

TEST_CASE("the same report twice is the same bytes") {
  HeatmapSpec map;
  map.matrix = Matrix(2, 3, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  ReportSection section{"Maps", {"two maps"}, NumberTable(3), {map, map}, ""};
  CHECK(RenderReport("t", {section}, Paper::kLetter) ==
        RenderReport("t", {section}, Paper::kLetter));
}

TEST_CASE("a report without sections is a usage error") {
  CHECK_THROWS_AS(RenderReport("t", {}, Paper::kA4), Error);
}

}  // namespace
}  // namespace attnviz
