// The report's pages drawn from their layout: text, rules, figures at the size of their box, and
// the PDF outline.
#include "attnviz/render/report.h"

#include <cairo-pdf.h>

#include <optional>
#include <type_traits>

#include "canvas.h"
#include "figure_in_area.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {
namespace {

class ReportPainter {
 public:
  ReportPainter(const std::string& title, const ReportLayout& layout, const RenderOptions& options)
      : layout_(layout),
        options_(options),
        palette_(PaletteFor(options.theme)),
        canvas_(ImageFormat::kPdf, layout.paper,
                CanvasSettings{72, options.png_compression, title, options.transparent,
                               palette_.page}) {}

  void Draw(const ReportItem& item) {
    while (page_ < item.page) NextPage();
    switch (item.kind) {
      case ReportItem::Kind::kText:
        Text(item);
        break;
      case ReportItem::Kind::kRule:
        Rule(item.box);
        break;
      case ReportItem::Kind::kFigure:
        Figure(*item.figure, item.box);
        break;
    }
  }

  std::string Finish() { return canvas_.Finish(); }

 private:
  void NextPage() {
    if (page_ > 0) canvas_.NextPage(layout_.paper);
    ++page_;
    for (const ReportOutlineEntry& entry : layout_.outline) {
      if (entry.page != page_) continue;
      const std::string link = "page=" + std::to_string(entry.page);
      cairo_pdf_surface_add_outline(cairo_get_target(canvas_.cr()), CAIRO_PDF_OUTLINE_ROOT,
                                    entry.title.c_str(), link.c_str(),
                                    static_cast<cairo_pdf_outline_flags_t>(0));
    }
  }

  void Text(const ReportItem& item) {
    const TextStyle style{options_.font, item.font_size, item.bold};
    TextBlock block = SharedTextShaper().Shape(item.text, style, item.box.width + 1, 1);
    cairo_t* cr = canvas_.cr();
    cairo_save(cr);
    SetSourceColor(cr, palette_.ink);
    cairo_translate(cr, item.box.x, item.box.y);
    block.Draw(cr);
    cairo_restore(cr);
  }

  void Rule(const Rect& box) {
    cairo_t* cr = canvas_.cr();
    SetSourceColor(cr, palette_.ink);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, box.x, box.y);
    cairo_line_to(cr, box.x + box.width, box.y);
    cairo_stroke(cr);
  }

  // Laid out at the size of its box, so drawn at scale 1 (a highlight too long for a page is
  // laid out at the box's width and shrinks to fit its height).
  void Figure(const ReportFigure& figure, const Rect& box) {
    RenderOptions options = layout_.figure_options;
    options.width_pt = box.width;
    options.height_pt = box.height;
    std::visit(
        [&](const auto& spec) {
          using Spec = std::decay_t<decltype(spec)>;
          if constexpr (std::is_same_v<Spec, HeatmapSpec>) {
            DrawHeatmapInArea(canvas_, box, spec, options);
          } else if constexpr (std::is_same_v<Spec, GridSpec>) {
            DrawGridInArea(canvas_, box, spec, options);
          } else if constexpr (std::is_same_v<Spec, HighlightSpec>) {
            options.height_pt = 0;
            DrawHighlightInArea(canvas_, box, spec, options);
          } else {
            DrawScatterInArea(canvas_, box, spec, options);
          }
        },
        figure);
  }

  const ReportLayout& layout_;
  RenderOptions options_;
  Palette palette_;
  Canvas canvas_;
  int page_ = 0;
};

}  // namespace

std::string RenderReport(const std::string& title, const std::vector<ReportSection>& sections,
                         Paper paper, const RenderOptions& options,
                         const std::function<void(size_t section)>& on_section) {
  const ReportLayout layout = LayoutReport(title, sections, paper, options);
  ReportPainter painter(title, layout, options);
  size_t section = sections.size();
  for (const ReportItem& item : layout.items) {
    if (on_section && item.section != section) on_section(item.section);
    section = item.section;
    painter.Draw(item);
  }
  if (on_section) on_section(sections.size());
  return painter.Finish();
}

}  // namespace attnviz
