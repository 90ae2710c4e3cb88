// The grid (model view): panel colours under shared and per-head scales, layout of a 32 x 32
// grid, captions, lazy panels and errors.
#include "attnviz/render/grid.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "png_reader.h"

namespace attnviz {
namespace {

using testing::DecodedPng;
using testing::DecodePng;

const Colormap& Viridis() { return *FindColormap("viridis"); }

// rows x cols panels of 4 x 4 cells, panel (r, c) filled with value_of(r, c).
GridSpec ConstantGrid(int64_t rows, int64_t cols, std::function<float(int64_t, int64_t)> value_of) {
  GridSpec spec;
  spec.rows = rows;
  spec.cols = cols;
  spec.panel_rows = spec.panel_cols = 4;
  spec.panel = [value_of](int64_t r, int64_t c) {
    return Matrix(4, 4, std::vector<float>(16, value_of(r, c)));
  };
  return spec;
}

Rgba PanelCentre(const DecodedPng& png, const Rect& panel, double dpi = 100) {
  return png.at(static_cast<int>(panel.center().x * dpi / 72),
                static_cast<int>(panel.center().y * dpi / 72));
}

TEST_CASE("a shared scale colours every panel against the largest value of all") {
  // Values 0.25, 0.5, 0.75, 1.0 with vmin 0 and vmax 1 land on entries 64, 128, 192, 255.
  GridSpec spec = ConstantGrid(2, 2, [](int64_t r, int64_t c) { return 0.25f * (r * 2 + c + 1); });
  GridLayout layout = LayoutGrid(spec);
  DecodedPng png = DecodePng(RenderGrid(spec, ImageFormat::kPng));
  CHECK(PanelCentre(png, layout.panels[0]) == Viridis().colors[64]);
  CHECK(PanelCentre(png, layout.panels[1]) == Viridis().colors[128]);
  CHECK(PanelCentre(png, layout.panels[2]) == Viridis().colors[192]);
  CHECK(PanelCentre(png, layout.panels[3]) == Viridis().colors[255]);
}

TEST_CASE("a per-head scale runs each panel from 0 to its own maximum") {
  // Each panel: its left half 0, its right half v; each head's v is its own top colour.
  GridSpec spec;
  spec.rows = 1;
  spec.cols = 2;
  spec.panel_rows = spec.panel_cols = 2;
  spec.panel = [](int64_t, int64_t c) {
    return Matrix(2, 2, {0, 0.1f * (c + 1), 0, 0.1f * (c + 1)});
  };
  spec.scale = GridScale::kPerPanel;
  GridLayout layout = LayoutGrid(spec);
  DecodedPng png = DecodePng(RenderGrid(spec, ImageFormat::kPng));
  for (const Rect& panel : layout.panels) {
    Rect right_half{panel.center().x, panel.y, panel.width / 2, panel.height};
    Rect left_half{panel.x, panel.y, panel.width / 2, panel.height};
    CHECK(PanelCentre(png, right_half) == Viridis().colors[255]);
    CHECK(PanelCentre(png, left_half) == Viridis().colors[0]);
  }
}

// 32 x 32 panels of 0.4 in with two-line captions make a poster-sized page (about 16 x 24 in):
// one page still, zoomable in a PDF viewer.
TEST_CASE("32 x 32 heads fit one page with every label and caption legible and inside it") {
  GridSpec spec = ConstantGrid(32, 32, [](int64_t, int64_t) { return 0.5f; });
  spec.captions.assign(32 * 32, "induction 0.93");
  GridLayout layout = LayoutGrid(spec);
  Rect page{0, 0, layout.page.width, layout.page.height};
  CHECK(layout.page.width < 17 * 72);
  CHECK(layout.page.height < 25 * 72);
  CHECK(layout.panels[0].width >= 28.8);  // 0.4 in
  CHECK(layout.caption_size >= 6);
  for (const Rect& box : layout.text_bounds) CHECK(page.Contains(box));
  for (size_t i = 0; i + 1 < layout.panels.size(); ++i) {
    CHECK_FALSE(layout.panels[i].Intersects(layout.panels[i + 1]));
  }
  // Labels and captions never overlap each other or a panel.
  for (size_t i = 0; i < layout.text_bounds.size(); ++i) {
    for (size_t j = i + 1; j < layout.text_bounds.size(); ++j) {
      CHECK_FALSE(layout.text_bounds[i].Intersects(layout.text_bounds[j]));
    }
  }
}

TEST_CASE("captions sit under their panels") {
  GridSpec spec = ConstantGrid(2, 3, [](int64_t, int64_t) { return 0.5f; });
  spec.captions = {"a", "b", "c", "d", "e", "f"};
  spec.row_axis_title.clear();
  spec.col_axis_title.clear();
  GridLayout layout = LayoutGrid(spec);
  // Text order: column labels, row labels, captions, colorbar values.
  for (size_t i = 0; i < 6; ++i) {
    const Rect& caption = layout.text_bounds[3 + 2 + i];
    CHECK(caption.y >= layout.panels[i].bottom());
    CHECK(std::abs(caption.center().x - layout.panels[i].center().x) < 0.5);
  }
}

TEST_CASE("panels are read once each, twice with default limits when they do not fit memory") {
  int calls = 0;
  GridSpec spec = ConstantGrid(3, 4, [&calls](int64_t, int64_t) {
    ++calls;
    return 0.5f;
  });
  spec.scale_request.vmin = 0;
  spec.scale_request.vmax = 1;
  RenderGrid(spec, ImageFormat::kPng);
  CHECK(calls == 12);
  calls = 0;
  spec.scale_request.vmax.reset();
  RenderGrid(spec, ImageFormat::kPng);
  CHECK(calls == 12);  // kept from the pass that found the limits
  calls = 0;
  spec.kept_panel_bytes = 12 * 16 * 5 - 1;  // one byte short of the panels and their masks
  RenderGrid(spec, ImageFormat::kPng);
  CHECK(calls == 24);
}

TEST_CASE("panels prepared and encoded on several threads give the same bytes, read once each") {
  std::atomic<int> calls{0};
  GridSpec spec = ConstantGrid(7, 9, [&calls](int64_t r, int64_t c) {
    ++calls;
    return 0.01f * static_cast<float>(r * 9 + c);
  });
  RenderOptions serial, threaded;
  threaded.threads = 3;
  const std::string one = RenderGrid(spec, ImageFormat::kPng, serial);
  CHECK(calls == 63);
  calls = 0;
  CHECK(RenderGrid(spec, ImageFormat::kPng, threaded) == one);
  CHECK(calls == 63);
  for (ImageFormat format : {ImageFormat::kSvg, ImageFormat::kPdf}) {
    CHECK(RenderGrid(spec, format, threaded) == RenderGrid(spec, format, serial));
  }
}

TEST_CASE("a grid is byte-identical on re-render in every format, and starts with its magic") {
  GridSpec spec = ConstantGrid(2, 3, [](int64_t r, int64_t c) { return 0.1f * (r + c + 1); });
  spec.title = "model view";
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kSvg, ImageFormat::kPdf}) {
    CHECK(RenderGrid(spec, format) == RenderGrid(spec, format));
  }
  CHECK(RenderGrid(spec, ImageFormat::kPdf).rfind("%PDF-1.", 0) == 0);
  CHECK(RenderGrid(spec, ImageFormat::kSvg).find("<svg") != std::string::npos);
}

TEST_CASE("the page around a grid is white to its edges: nothing is clipped") {
  GridSpec spec = ConstantGrid(3, 5, [](int64_t, int64_t) { return 0.5f; });
  spec.title = "a grid with a title";
  spec.captions.assign(15, "previous 0.90");
  DecodedPng png = DecodePng(RenderGrid(spec, ImageFormat::kPng));
  Rgba white{255, 255, 255, 255};
  for (int x = 0; x < png.width; ++x) {
    CHECK(png.at(x, 0) == white);
    CHECK(png.at(x, png.height - 1) == white);
  }
  for (int y = 0; y < png.height; ++y) {
    CHECK(png.at(0, y) == white);
    CHECK(png.at(png.width - 1, y) == white);
  }
}

TEST_CASE("a fixed size fits the grid into it") {
  GridSpec spec = ConstantGrid(12, 12, [](int64_t, int64_t) { return 0.5f; });
  RenderOptions options;
  options.width_pt = 432;
  options.height_pt = 432;
  GridLayout layout = LayoutGrid(spec, options);
  CHECK(layout.page.width == 432);
  Rect page{0, 0, 432, 432};
  for (const Rect& box : layout.text_bounds) CHECK(page.Contains(box));
  for (const Rect& panel : layout.panels) CHECK(page.Contains(panel));
}

ErrorKind KindOfError(const GridSpec& spec) {
  try {
    RenderGrid(spec, ImageFormat::kPng);
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("no error");
  return ErrorKind::kInput;
}

TEST_CASE("a wrong panel shape, caption count or empty grid is a usage error") {
  GridSpec spec = ConstantGrid(2, 2, [](int64_t, int64_t) { return 0.5f; });
  spec.panel_cols = 5;
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
  spec = ConstantGrid(2, 2, [](int64_t, int64_t) { return 0.5f; });
  spec.captions = {"one"};
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
  spec = ConstantGrid(0, 2, [](int64_t, int64_t) { return 0.5f; });
  CHECK(KindOfError(spec) == ErrorKind::kUsage);
}

}  // namespace
}  // namespace attnviz
