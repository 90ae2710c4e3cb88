// The highlight figure: token backgrounds, their text in a contrasting ink, header on each page.
#include "attnviz/render/highlight.h"

#include <cmath>

#include "canvas.h"
#include "figure_in_area.h"
#include "highlight_colorbar.h"
#include "highlight_layout.h"
#include "text.h"

namespace attnviz {
namespace {

// The marked token's outline, as thick as a strong rule so it reads at a glance.
constexpr double kMarkWidth = 1.5;

// sRGB channel to linear light, as WCAG 2 defines relative luminance.
double Linear(uint8_t channel) {
  double c = channel / 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

void PaintToken(cairo_t* cr, const TokenBox& token) {
  if (token.background.a > 0) {
    SetSourceColor(cr, token.background);
    cairo_rectangle(cr, token.box.x, token.box.y, token.box.width, token.box.height);
    cairo_fill(cr);
  }
  SetSourceColor(cr, token.ink);
  token.text.Draw(cr);
}

void PaintMark(cairo_t* cr, const Rect& box, Rgba ink) {
  Rect outline = box.Inflated(kMarkWidth / 2);
  SetSourceColor(cr, ink);
  cairo_set_line_width(cr, kMarkWidth);
  cairo_rectangle(cr, outline.x, outline.y, outline.width, outline.height);
  cairo_stroke(cr);
}

void PaintPage(Canvas& canvas, const HighlightSpec& spec, const HighlightPlan& plan, int page) {
  cairo_t* cr = canvas.cr();
  PaintHorizontalColorbar(canvas, *plan.scale.colormap, plan.colorbar);
  plan.headers[page].Draw(cr, plan.style.palette.ink);
  for (size_t i = 0; i < plan.tokens.size(); ++i) {
    if (plan.tokens[i].page != page) continue;
    PaintToken(cr, plan.tokens[i]);
    if (spec.marked && static_cast<size_t>(*spec.marked) == i) {
      PaintMark(cr, plan.tokens[i].box, plan.style.palette.ink);
    }
  }
}

}  // namespace

Rgba ContrastingTextColor(Rgba background) {
  double luminance =
      0.2126 * Linear(background.r) + 0.7152 * Linear(background.g) + 0.0722 * Linear(background.b);
  // Contrast with white, 1.05 / (L + 0.05), beats contrast with black, (L + 0.05) / 0.05.
  bool white = 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05;
  return white ? Rgba{255, 255, 255, 255} : Rgba{0, 0, 0, 255};
}

HighlightLayout LayoutHighlight(const HighlightSpec& spec, ImageFormat format,
                                const RenderOptions& options) {
  HighlightPlan plan = PlanHighlight(spec, format, options, SharedTextShaper());
  HighlightLayout layout;
  layout.page = plan.page;
  layout.pages = static_cast<int>(plan.headers.size());
  layout.colorbar = plan.colorbar;
  layout.scale = plan.scale;
  for (const FigureParts& header : plan.headers) layout.text_bounds.push_back(header.TextBounds());
  for (const TokenBox& token : plan.tokens) {
    layout.boxes.push_back(token.box);
    layout.box_pages.push_back(token.page);
    layout.text_colors.push_back(token.ink);
    layout.text_bounds[token.page].push_back(token.text.Bounds());
  }
  return layout;
}

std::string RenderHighlight(const HighlightSpec& spec, ImageFormat format,
                            const RenderOptions& options) {
  HighlightPlan plan = PlanHighlight(spec, format, options, SharedTextShaper());
  Canvas canvas(format, plan.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  for (int page = 0; page < static_cast<int>(plan.headers.size()); ++page) {
    if (page > 0) canvas.NextPage(plan.page);
    PaintPage(canvas, spec, plan, page);
  }
  return canvas.Finish();
}

void DrawHighlightInArea(Canvas& page, const Rect& area, const HighlightSpec& spec,
                         const RenderOptions& options) {
  // Laid out as for PNG: one page, however many lines.
  HighlightPlan plan = PlanHighlight(spec, ImageFormat::kPng, options, SharedTextShaper());
  Canvas canvas(page, area, plan.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  PaintPage(canvas, spec, plan, 0);
  canvas.Finish();
}

}  // namespace attnviz
