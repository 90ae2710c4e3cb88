// The arrows figure: weighted lines under the token labels, then the legend.
#include "attnviz/render/arrows.h"

#include <array>

#include "arrows_layout.h"
#include "arrows_lines.h"
#include "canvas.h"
#include "text.h"

namespace attnviz {
namespace {

// matplotlib's default colour cycle ("tab10"), in order.
constexpr std::array<Rgba, kMaxArrowsHeads> kTab10 = {{
    {0x1f, 0x77, 0xb4, 255},
    {0xff, 0x7f, 0x0e, 255},
    {0x2c, 0xa0, 0x2c, 255},
    {0xd6, 0x27, 0x28, 255},
    {0x94, 0x67, 0xbd, 255},
    {0x8c, 0x56, 0x4b, 255},
    {0xe3, 0x77, 0xc2, 255},
    {0x7f, 0x7f, 0x7f, 255},
    {0xbc, 0xbd, 0x22, 255},
    {0x17, 0xbe, 0xcf, 255},
}};

void StrokeLine(cairo_t* cr, Point from, Point to, Rgba color, double opacity, double width) {
  cairo_set_source_rgba(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0, opacity);
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, from.x, from.y);
  cairo_line_to(cr, to.x, to.y);
  cairo_stroke(cr);
}

// Where a head's lines meet a token: the anchor, shifted along the column for that head.
Point HeadAnchor(Point anchor, double shift, bool horizontal) {
  return horizontal ? Point{anchor.x + shift, anchor.y} : Point{anchor.x, anchor.y + shift};
}

void PaintLines(cairo_t* cr, const ArrowsSpec& spec, const ArrowsLayout& layout) {
  cairo_save(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  double middle = (static_cast<double>(spec.heads.size()) - 1) / 2;
  for (const ArrowsLine& line : layout.lines) {
    double shift = (line.head - middle) * layout.head_spacing;
    StrokeLine(cr, HeadAnchor(layout.query_anchors[line.query], shift, spec.horizontal),
               HeadAnchor(layout.key_anchors[line.key], shift, spec.horizontal),
               ArrowsHeadColor(line.head), LineOpacity(line.weight, layout.vmax),
               LineWidth(line.weight, layout.vmax, layout.max_line_width));
  }
  cairo_restore(cr);
}

void PaintLegend(cairo_t* cr, const ArrowsPlan& plan) {
  const ArrowsLayout& layout = plan.layout;
  for (size_t i = 0; i < layout.legend_swatches.size(); ++i) {
    const Rect& swatch = layout.legend_swatches[i];
    SetSourceColor(cr, plan.swatch_colors[i]);
    cairo_rectangle(cr, swatch.x, swatch.y, swatch.width, swatch.height);
    cairo_fill(cr);
  }
  cairo_save(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for (const WeightSample& sample : plan.weight_key) {
    StrokeLine(cr, sample.segment.from, sample.segment.to, plan.weight_key_color,
               LineOpacity(sample.weight, layout.vmax),
               LineWidth(sample.weight, layout.vmax, layout.max_line_width));
  }
  cairo_restore(cr);
}

}  // namespace

Rgba ArrowsHeadColor(int index) { return kTab10[index % kMaxArrowsHeads]; }

ArrowsLayout LayoutArrows(const ArrowsSpec& spec, const RenderOptions& options) {
  return PlanArrows(spec, options, SharedTextShaper()).layout;
}

std::string RenderArrows(const ArrowsSpec& spec, ImageFormat format, const RenderOptions& options) {
  ArrowsPlan plan = PlanArrows(spec, options, SharedTextShaper());
  Canvas canvas(format, plan.layout.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  PaintLines(canvas.cr(), spec, plan.layout);
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  PaintLegend(canvas.cr(), plan);
  return canvas.Finish();
}

}  // namespace attnviz
