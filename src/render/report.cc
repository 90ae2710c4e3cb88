// The report's pages: a running cursor down each page for headings, text and table rows; the
// figures share what is left of their page.
#include "attnviz/render/report.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <type_traits>

#include "attnviz/error.h"
#include "canvas.h"
#include "figure_in_area.h"
#include "figure_style.h"
#include "text.h"

namespace attnviz {
namespace {

constexpr double kMargin = 54;         // 0.75 in around the page
constexpr double kFooterGap = 18;      // between the content and the footer line
constexpr double kMinTableFont = 4.5;  // points: tables wider than the page shrink to this
constexpr double kColumnGap = 0.9;     // em between table columns
constexpr size_t kMaxLinesPerParagraph = 4;

// "0.125", "-3", "nan", "-": a cell right-aligned as a number.
bool ReadsAsNumber(const std::string& cell) {
  if (cell == "-" || cell == "nan" || cell == "inf" || cell == "-inf") return true;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return !cell.empty() && end == cell.c_str() + cell.size();
}

std::vector<bool> NumericColumns(const ReportTable& table) {
  std::vector<bool> numeric(table.columns.size(), !table.rows.empty());
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < row.size() && c < numeric.size(); ++c) {
      numeric[c] = numeric[c] && ReadsAsNumber(row[c]);
    }
  }
  return numeric;
}

class ReportWriter {
 public:
  ReportWriter(const std::string& title, Paper paper, const RenderOptions& options)
      : title_(title),
        paper_(PaperSize(paper)),
        options_(options),
        shaper_(SharedTextShaper()),
        style_(MakeFigureStyle(options.font, options.font_size, shaper_, options.theme)) {
    figure_options_ = options;
    figure_options_.width_pt = 0;
    figure_options_.height_pt = 0;
  }

  void Write(const ReportSection& section) {
    StartPage();
    Heading(section.heading);
    for (const std::string& line : section.lines) Paragraph(line);
    if (section.table) Table(section.heading, *section.table);
    if (!section.figures.empty()) Figures(section.figures);
  }

  std::string Finish() { return canvas_->Finish(); }

 private:
  double Left() const { return kMargin; }
  double Width() const { return paper_.width - 2 * kMargin; }
  double Bottom() const { return paper_.height - kMargin - kFooterGap; }

  void StartPage() {
    if (canvas_) {
      canvas_->NextPage(paper_);
    } else {
      canvas_.emplace(ImageFormat::kPdf, paper_,
                      CanvasSettings{72, options_.png_compression, title_, options_.transparent,
                                     style_.palette.page});
    }
    ++page_number_;
    y_ = kMargin;
    Footer();
  }

  // Draws `text` with its top-left corner at (x, y) and returns its height.
  double Text(const std::string& text, const TextStyle& style, double x, double y,
              double max_width = 0, int max_lines = 1, HAlign align = HAlign::kLeft) {
    TextBlock block = shaper_.Shape(text, style, max_width, max_lines);
    Rect logical = block.logical();
    double left = align == HAlign::kRight ? x - logical.width : x;
    cairo_t* cr = canvas_->cr();
    cairo_save(cr);
    SetSourceColor(cr, style_.palette.ink);
    cairo_translate(cr, left, y);
    block.Draw(cr);
    cairo_restore(cr);
    return logical.height;
  }

  void Footer() {
    TextStyle small = style_.tick_label;
    std::string text = title_ + "  ·  page " + std::to_string(page_number_);
    double y = paper_.height - kMargin;
    Text(text, small, Left(), y, Width());
  }

  void Heading(const std::string& heading) {
    TextStyle style = style_.title;
    style.size = style_.em * 1.5;
    style.bold = true;
    y_ += Text(heading, style, Left(), y_, Width(), 2) + style_.em * 0.8;
  }

  // Words filled greedily into left-aligned lines (the shaper centres the lines it wraps).
  std::vector<std::string> WrapWords(const std::string& text, const TextStyle& style) const {
    std::vector<std::string> lines(1);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find(' ', start);
      if (end == std::string::npos) end = text.size();
      std::string word = text.substr(start, end - start);
      std::string longer = lines.back().empty() ? word : lines.back() + " " + word;
      if (lines.back().empty() || shaper_.Shape(longer, style).logical().width <= Width()) {
        lines.back() = std::move(longer);
      } else {
        lines.push_back(std::move(word));
      }
      start = end + 1;
    }
    return lines;
  }

  void Paragraph(const std::string& text) {
    const TextStyle body = style_.label;
    std::vector<std::string> lines = WrapWords(text, body);
    if (lines.size() > kMaxLinesPerParagraph) lines.resize(kMaxLinesPerParagraph);
    for (const std::string& line : lines) y_ += Text(line, body, Left(), y_, Width());
    y_ += style_.em * 0.35;
  }

  // The column widths at `size` points, gaps included after each.
  std::vector<double> ColumnWidths(const ReportTable& table, const TextStyle& style) const {
    std::vector<double> widths(table.columns.size(), 0);
    TextStyle bold = style;
    bold.bold = true;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      widths[c] = shaper_.Shape(table.columns[c], bold).logical().width;
      for (const auto& row : table.rows) {
        if (c < row.size()) {
          widths[c] = std::max(widths[c], shaper_.Shape(row[c], style).logical().width);
        }
      }
      widths[c] += kColumnGap * style.size;
    }
    return widths;
  }

  // The body style shrunk until the table fits the page width (down to kMinTableFont).
  TextStyle TableStyle(const ReportTable& table, std::vector<double>& widths) const {
    TextStyle style = style_.label;
    style.size = style_.em * 0.85;
    widths = ColumnWidths(table, style);
    double total = 0;
    for (double w : widths) total += w;
    // Text widths do not scale exactly with the size (hinting aside, kerning and rounding).
    for (int attempt = 0; attempt < 3 && total > Width() && style.size > kMinTableFont; ++attempt) {
      style.size = std::max(kMinTableFont, style.size * Width() / total * 0.99);
      widths = ColumnWidths(table, style);
      total = 0;
      for (double w : widths) total += w;
    }
    // Still too wide (long messages): the widest column gives way, its cells ellipsized.
    auto widest = std::max_element(widths.begin(), widths.end());
    if (total > Width() && widest != widths.end()) *widest -= total - Width();
    return style;
  }

  void TableRow(const std::vector<std::string>& cells, const std::vector<double>& widths,
                const std::vector<bool>& numeric, const TextStyle& style) {
    double x = Left();
    double height = 0;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      double width = std::max(1.0, widths[c] - kColumnGap * style.size);
      // The slack keeps Pango from ellipsizing a cell exactly as wide as its measured column.
      double fits = width + 1;
      height =
          std::max(height, numeric[c] ? Text(cell, style, x + width, y_, fits, 1, HAlign::kRight)
                                      : Text(cell, style, x, y_, fits));
      x += widths[c];
    }
    y_ += height;
  }

  // Bold column names over a rule; none when every name is empty (a list of name, value pairs).
  void TableHeader(const ReportTable& table, const std::vector<double>& widths,
                   const std::vector<bool>& numeric, const TextStyle& style) {
    if (std::all_of(table.columns.begin(), table.columns.end(),
                    [](const std::string& name) { return name.empty(); })) {
      return;
    }
    TextStyle bold = style;
    bold.bold = true;
    TableRow(table.columns, widths, numeric, bold);
    cairo_t* cr = canvas_->cr();
    SetSourceColor(cr, style_.palette.ink);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, Left(), y_ + 1);
    cairo_line_to(cr, Left() + Width(), y_ + 1);
    cairo_stroke(cr);
    y_ += 3;
  }

  void Table(const std::string& heading, const ReportTable& table) {
    std::vector<double> widths;
    const TextStyle style = TableStyle(table, widths);
    const std::vector<bool> numeric = NumericColumns(table);
    const double row_height = shaper_.Shape("0", style).logical().height;
    TableHeader(table, widths, numeric, style);
    for (const auto& row : table.rows) {
      if (y_ + row_height > Bottom()) {
        StartPage();
        Heading(heading + " (continued)");
        TableHeader(table, widths, numeric, style);
      }
      TableRow(row, widths, numeric, style);
    }
    y_ += style_.em;
  }

  void Figure(const ReportFigure& figure, const Rect& area) {
    Canvas& page = *canvas_;
    const RenderOptions& options = figure_options_;
    std::visit(
        [&](const auto& spec) {
          using Spec = std::decay_t<decltype(spec)>;
          if constexpr (std::is_same_v<Spec, HeatmapSpec>) {
            DrawHeatmapInArea(page, area, spec, options);
          } else if constexpr (std::is_same_v<Spec, GridSpec>) {
            DrawGridInArea(page, area, spec, options);
          } else if constexpr (std::is_same_v<Spec, HighlightSpec>) {
            DrawHighlightInArea(page, area, spec, options);
          } else {
            DrawScatterInArea(page, area, spec, options);
          }
        },
        figure);
  }

  // The size each figure's own command would give it.
  Size NaturalSize(const ReportFigure& figure) const {
    const RenderOptions& options = figure_options_;
    return std::visit(
        [&](const auto& spec) {
          using Spec = std::decay_t<decltype(spec)>;
          if constexpr (std::is_same_v<Spec, HeatmapSpec>) {
            return LayoutHeatmap(spec, options).page;
          } else if constexpr (std::is_same_v<Spec, GridSpec>) {
            return LayoutGrid(spec, options).page;
          } else if constexpr (std::is_same_v<Spec, HighlightSpec>) {
            return LayoutHighlight(spec, ImageFormat::kPng, options).page;
          } else {
            return LayoutScatter(spec, options).page;
          }
        },
        figure);
  }

  // Stacked from the top, all scaled by one factor: enlarged up to kMaxEnlarge so that small
  // figures are legible on a page, reduced when they need more height than is left; each reduced
  // further when wider than the page; centred across.
  void Figures(const std::vector<ReportFigure>& figures) {
    const double gap = style_.em;
    std::vector<Size> sizes;
    double height = gap * static_cast<double>(figures.size() - 1);
    for (const ReportFigure& figure : figures) {
      sizes.push_back(NaturalSize(figure));
      height += sizes.back().height;
    }
    constexpr double kMaxEnlarge = 2.0;
    const double shared = std::min(kMaxEnlarge, (Bottom() - y_) / height);
    for (size_t i = 0; i < figures.size(); ++i) {
      const double scale = std::min(shared, Width() / sizes[i].width);
      const Size shown{sizes[i].width * scale, sizes[i].height * scale};
      Figure(figures[i], {Left() + (Width() - shown.width) / 2, y_, shown.width, shown.height});
      y_ += shown.height + gap;
    }
  }

  std::string title_;
  Size paper_;
  RenderOptions options_;
  RenderOptions figure_options_;
  const TextShaper& shaper_;
  FigureStyle style_;
  std::optional<Canvas> canvas_;
  int page_number_ = 0;
  double y_ = 0;
};

}  // namespace

Size PaperSize(Paper paper) { return paper == Paper::kA4 ? Size{595.276, 841.89} : Size{612, 792}; }

std::string RenderReport(const std::string& title, const std::vector<ReportSection>& sections,
                         Paper paper, const RenderOptions& options) {
  if (sections.empty()) ThrowUsageError("a report needs at least one section");
  ReportWriter writer(title, paper, options);
  for (const ReportSection& section : sections) writer.Write(section);
  return writer.Finish();
}

}  // namespace attnviz
