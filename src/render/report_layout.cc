// Where the report puts each heading, line, table cell and figure: a cursor down each page.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <type_traits>

#include "attnviz/error.h"
#include "attnviz/render/report.h"
#include "text.h"

namespace attnviz {
namespace {

constexpr double kMargin = 54;      // 0.75 in around the page
constexpr double kFooterGap = 18;   // between the content and the footer line
constexpr double kColumnGap = 1.2;  // em between table columns, at least
constexpr double kMinFigure = 250;  // points: a figure shorter than this goes to the next page
constexpr double kMaxCell = 34;     // points: a heatmap's cells stay at most this wide
constexpr std::string_view kPageRef = "{page:";

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

// "entropy_norm" as "entropy_" over "norm": a column name breaks after its underscores.
std::vector<std::string> NameParts(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < name.size()) {
    size_t end = name.find('_', start);
    end = end == std::string::npos ? name.size() : end + 1;
    parts.push_back(name.substr(start, end - start));
    start = end;
  }
  if (parts.empty()) parts.emplace_back();
  return parts;
}

// `text` with each "{page:ANCHOR}" replaced by "p. N".
std::string ResolvePages(const std::string& text, const std::map<std::string, int>& pages) {
  std::string out;
  size_t at = 0;
  for (size_t ref = text.find(kPageRef); ref != std::string::npos; ref = text.find(kPageRef, at)) {
    size_t end = text.find('}', ref);
    if (end == std::string::npos) break;
    std::string anchor = text.substr(ref + kPageRef.size(), end - ref - kPageRef.size());
    auto found = pages.find(anchor);
    if (found == pages.end()) ThrowUsageError("a page reference to an unknown section: " + anchor);
    out += text.substr(at, ref - at) + "p. " + std::to_string(found->second);
    at = end + 1;
  }
  return out + text.substr(at);
}

ReportTable WithPages(ReportTable table, const std::map<std::string, int>& pages) {
  for (auto& row : table.rows) {
    for (std::string& cell : row) cell = ResolvePages(cell, pages);
  }
  return table;
}

class ReportLayouter {
 public:
  // `pages`: the page of each anchor, for references; must outlive the layouter.
  ReportLayouter(Paper paper, const RenderOptions& options, const std::map<std::string, int>& pages)
      : shaper_(SharedTextShaper()), font_(options.font), pages_(pages) {
    layout_.paper = PaperSize(paper);
    layout_.text_area = {kMargin, kMargin, layout_.paper.width - 2 * kMargin,
                         layout_.paper.height - 2 * kMargin - kFooterGap};
    const double k = options.font_size / 10;
    ReportTypeScale& s = layout_.scale;
    for (double* size :
         {&s.body, &s.table, &s.table_min, &s.heading, &s.subheading, &s.footer, &s.figure}) {
      *size *= k;
    }
    layout_.figure_options = options;
    layout_.figure_options.font_size = s.figure;
  }

  void Add(const ReportSection& section, size_t index) {
    section_ = index;
    StartSection(section);
    for (const std::string& line : section.lines) Paragraph(ResolvePages(line, pages_));
    if (section.table) Table(section.heading, WithPages(*section.table, pages_));
    Figures(section.heading, section.figures);
  }

  ReportLayout Finish(const std::string& title) {
    for (int page = 1; page <= layout_.pages; ++page) Footer(title, page);
    std::stable_sort(layout_.items.begin(), layout_.items.end(),
                     [](const ReportItem& a, const ReportItem& b) { return a.page < b.page; });
    return std::move(layout_);
  }

 private:
  double Left() const { return layout_.text_area.x; }
  double Width() const { return layout_.text_area.width; }
  double Bottom() const { return layout_.text_area.y + layout_.text_area.height; }
  TextStyle Style(double size, bool bold = false) const { return {font_, size, bold}; }
  double LineHeight(double size) const { return shaper_.Shape("Ag", Style(size)).logical().height; }

  void NewPage() {
    ++layout_.pages;
    y_ = layout_.text_area.y;
  }

  // The least height a section needs: its heading, lines and table, and each figure at the
  // least height it is drawn with.
  double LeastHeight(const ReportSection& section) const {
    double height = LineHeight(layout_.scale.heading) * 2;
    for (const std::string& line : section.lines) {
      height += LineHeight(layout_.scale.body) *
                static_cast<double>(WrapWords(line, Style(layout_.scale.body)).size());
    }
    if (section.table) {
      height +=
          LineHeight(layout_.scale.table) * static_cast<double>(section.table->rows.size() + 3);
    }
    for (const ReportFigure& figure : section.figures) {
      height += FigureHeight(figure, kMinFigure) + layout_.scale.body;
    }
    return height;
  }

  // A section that fits in the rest of the page follows on it; any other starts a page.
  void StartSection(const ReportSection& section) {
    const bool follows =
        layout_.pages > 0 && y_ + layout_.scale.heading + LeastHeight(section) <= Bottom();
    if (follows) {
      y_ += layout_.scale.heading;
    } else {
      NewPage();
    }
    layout_.outline.push_back({section.heading, layout_.pages});
    Heading(section.heading, layout_.scale.heading);
  }

  // Adds a text item and returns its height.
  double PlaceText(const std::string& text, const TextStyle& style, double x, double width,
                   bool right = false) {
    const Rect logical = shaper_.Shape(text, style, width + 1, 1).logical();
    const double w = std::min(logical.width, width);
    ReportItem item;
    item.kind = ReportItem::Kind::kText;
    item.section = section_;
    item.page = layout_.pages;
    item.box = {right ? x + width - w : x, y_, w, logical.height};
    item.text = text;
    item.font_size = style.size;
    item.bold = style.bold;
    item.right_aligned = right;
    layout_.items.push_back(std::move(item));
    return logical.height;
  }

  void Heading(const std::string& text, double size) {
    for (const std::string& line : WrapWords(text, Style(size, true))) {
      y_ += PlaceText(line, Style(size, true), Left(), Width());
    }
    y_ += layout_.scale.body * 0.6;
  }

  void Footer(const std::string& title, int page) {
    ReportItem item;
    item.kind = ReportItem::Kind::kText;
    item.page = page;
    item.text =
        title + "  ·  page " + std::to_string(page) + " of " + std::to_string(layout_.pages);
    const TextStyle style = Style(layout_.scale.footer);
    const Rect logical = shaper_.Shape(item.text, style, Width() + 1, 1).logical();
    item.box = {Left(), layout_.paper.height - kMargin, std::min(logical.width, Width()),
                logical.height};
    item.font_size = style.size;
    for (const ReportItem& placed : layout_.items) {  // the page's first section
      if (placed.page == page) {
        item.section = placed.section;
        break;
      }
    }
    layout_.items.push_back(std::move(item));
  }

  // Words filled greedily into left-aligned lines of the text width.
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
    const TextStyle body = Style(layout_.scale.body);
    const double height = LineHeight(body.size);
    for (const std::string& line : WrapWords(text, body)) {
      if (y_ + height > Bottom()) NewPage();
      y_ += PlaceText(line, body, Left(), Width());
    }
    y_ += body.size * 0.35;
  }

  // ---- tables ----

  struct TableFormat {
    TextStyle style;
    std::vector<double> widths;  // each column's text, without gaps
    double gap = 0;              // between columns, spread so that the table spans the width
    double used = 0;             // the width of the columns and gaps
    std::vector<bool> numeric;
    size_t header_lines = 0;  // 0: no header (name, value pairs)
  };

  // The widest piece of a column's name (it breaks after underscores), or the widest cell.
  double ColumnWidth(const ReportTable& table, size_t c, const TextStyle& style) const {
    TextStyle bold = style;
    bold.bold = true;
    double width = 0;
    for (const std::string& part : NameParts(table.columns[c])) {
      width = std::max(width, shaper_.Shape(part, bold).logical().width);
    }
    for (const auto& row : table.rows) {
      if (c < row.size()) width = std::max(width, shaper_.Shape(row[c], style).logical().width);
    }
    return width;
  }

  // The table at `size` points with gaps of `gap_em`: gaps widen until it spans the text width.
  TableFormat FormatTable(const ReportTable& table, double size, double gap_em) const {
    TableFormat format;
    format.style = Style(size);
    format.numeric = NumericColumns(table);
    double total = 0;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      format.widths.push_back(ColumnWidth(table, c, format.style));
      total += format.widths.back();
      format.header_lines = std::max(format.header_lines, NameParts(table.columns[c]).size());
    }
    if (std::all_of(table.columns.begin(), table.columns.end(),
                    [](const std::string& name) { return name.empty(); })) {
      format.header_lines = 0;
    }
    const double columns = static_cast<double>(format.widths.size());
    const double min_gap = gap_em * size;
    const bool spread = format.header_lines > 0 && columns > 2;  // name, value lists stay close
    format.gap =
        spread ? std::max(min_gap, (Width() - total) / std::max(1.0, columns - 1)) : min_gap;
    format.used = total + format.gap * (columns - 1);
    return format;
  }

  // At the table size with wide gaps, else narrower gaps, else the smallest table size; a table
  // still too wide gives its widest column what it lacks (its cells ellipsized).
  TableFormat FormatTable(const ReportTable& table) const {
    const ReportTypeScale& scale = layout_.scale;
    TableFormat format = FormatTable(table, scale.table, kColumnGap);
    if (format.used > Width()) format = FormatTable(table, scale.table, kColumnGap / 2);
    if (format.used > Width()) format = FormatTable(table, scale.table_min, kColumnGap / 2);
    auto widest = std::max_element(format.widths.begin(), format.widths.end());
    if (format.used > Width() && widest != format.widths.end()) {
      *widest = std::max(format.style.size, *widest - (format.used - Width()));
    }
    return format;
  }

  void TableRow(const std::vector<std::string>& cells, const TableFormat& format,
                const TextStyle& style) {
    double x = Left();
    double height = 0;
    for (size_t c = 0; c < format.widths.size(); ++c) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      if (!cell.empty()) {
        height = std::max(height, PlaceText(cell, style, x, format.widths[c], format.numeric[c]));
      }
      x += format.widths[c] + format.gap;
    }
    y_ += std::max(height, LineHeight(style.size));
  }

  // Bold column names, broken after underscores, bottom-aligned over a rule.
  void TableHeader(const ReportTable& table, const TableFormat& format) {
    if (format.header_lines == 0) return;
    TextStyle bold = format.style;
    bold.bold = true;
    for (size_t line = 0; line < format.header_lines; ++line) {
      std::vector<std::string> cells;
      for (const std::string& name : table.columns) {
        std::vector<std::string> parts = NameParts(name);
        const size_t skip = format.header_lines - parts.size();
        cells.push_back(line >= skip ? parts[line - skip] : "");
      }
      TableRow(cells, format, bold);
    }
    ReportItem rule;
    rule.kind = ReportItem::Kind::kRule;
    rule.section = section_;
    rule.page = layout_.pages;
    rule.box = {Left(), y_ + 1, Width(), 0};
    layout_.items.push_back(rule);
    y_ += 3;
  }

  void Table(const std::string& heading, const ReportTable& table) {
    const TableFormat format = FormatTable(table);
    const double row_height = LineHeight(format.style.size);
    if (y_ + row_height * (format.header_lines + 2) > Bottom()) {
      NewPage();
      Heading(heading + " (continued)", layout_.scale.subheading);
    }
    TableHeader(table, format);
    for (const auto& row : table.rows) {
      if (y_ + row_height > Bottom()) {
        NewPage();
        Heading(heading + " (continued)", layout_.scale.subheading);
        TableHeader(table, format);
      }
      TableRow(row, format, format.style);
    }
    y_ += layout_.scale.body;
  }

  // ---- figures ----

  // The height a figure wants at the text width, at most `share`: a highlight as tall as its
  // text, a heatmap no taller than its cells at kMaxCell need, a grid no taller than its panels
  // as wide as the text allows, anything else `share`.
  double FigureHeight(const ReportFigure& figure, double share) const {
    RenderOptions options = layout_.figure_options;
    options.width_pt = Width();
    options.height_pt = 0;
    if (const auto* highlight = std::get_if<HighlightSpec>(&figure)) {
      return LayoutHighlight(*highlight, ImageFormat::kPdf, options).page.height;
    }
    if (const auto* heatmap = std::get_if<HeatmapSpec>(&figure)) {
      const double em = layout_.scale.figure;
      const double rows = static_cast<double>(heatmap->matrix.rows);
      return std::min(share, rows * kMaxCell + 9 * em);
    }
    if (const auto* grid = std::get_if<GridSpec>(&figure)) {
      return std::min(share, LayoutGrid(*grid, options).page.height);
    }
    return share;
  }

  // The widest a figure may be: a heatmap's cells at most kMaxCell wide.
  double FigureWidth(const ReportFigure& figure) const {
    if (const auto* heatmap = std::get_if<HeatmapSpec>(&figure)) {
      const double em = layout_.scale.figure;
      const double cols = static_cast<double>(heatmap->matrix.cols);
      return std::min(Width(), cols * kMaxCell + 14 * em);
    }
    return Width();
  }

  void PlaceFigure(const ReportFigure& figure, double height) {
    const double width = FigureWidth(figure);
    ReportItem item;
    item.kind = ReportItem::Kind::kFigure;
    item.section = section_;
    item.page = layout_.pages;
    item.box = {Left() + (Width() - width) / 2, y_, width, height};
    item.figure = &figure;
    layout_.items.push_back(item);
    y_ += height + layout_.scale.body;
  }

  // As many of the remaining figures as fit at kMinFigure share the rest of the page; the others
  // continue on the next pages. A figure taller than a whole page is drawn smaller to fit it.
  void Figures(const std::string& heading, const std::vector<ReportFigure>& figures) {
    size_t next = 0;
    while (next < figures.size()) {
      const double gap = layout_.scale.body;
      const double room = Bottom() - y_;
      size_t fit = static_cast<size_t>(std::max(0.0, (room + gap) / (kMinFigure + gap)));
      fit = std::min(fit, figures.size() - next);
      if (fit == 0 && room < layout_.text_area.height * 0.5) {
        NewPage();
        Heading(heading + " (continued)", layout_.scale.subheading);
        continue;
      }
      fit = std::max<size_t>(fit, 1);
      const double share = (room + gap) / static_cast<double>(fit) - gap;
      for (size_t i = 0; i < fit; ++i, ++next) {
        PlaceFigure(figures[next], std::min(Bottom() - y_, FigureHeight(figures[next], share)));
      }
    }
  }

  const TextShaper& shaper_;
  std::string font_;
  const std::map<std::string, int>& pages_;
  ReportLayout layout_;
  size_t section_ = 0;
  double y_ = 0;
};

ReportLayout LayoutOnce(const std::string& title, const std::vector<ReportSection>& sections,
                        Paper paper, const RenderOptions& options,
                        const std::map<std::string, int>& pages) {
  ReportLayouter layouter(paper, options, pages);
  for (size_t i = 0; i < sections.size(); ++i) layouter.Add(sections[i], i);
  return layouter.Finish(title);
}

}  // namespace

Size PaperSize(Paper paper) { return paper == Paper::kA4 ? Size{595.276, 841.89} : Size{612, 792}; }

ReportLayout LayoutReport(const std::string& title, const std::vector<ReportSection>& sections,
                          Paper paper, const RenderOptions& options) {
  if (sections.empty()) ThrowUsageError("a report needs at least one section");
  // The first pass finds each section's page with every reference as "p. 0"; only text-only
  // sections share a page, so printing the numbers moves no section that starts one.
  std::map<std::string, int> pages;
  for (const ReportSection& section : sections) {
    if (!section.anchor.empty()) pages[section.anchor] = 0;
  }
  const ReportLayout first = LayoutOnce(title, sections, paper, options, pages);
  for (size_t i = 0; i < sections.size(); ++i) {
    if (!sections[i].anchor.empty()) pages[sections[i].anchor] = first.outline[i].page;
  }
  return LayoutOnce(title, sections, paper, options, pages);
}

}  // namespace attnviz
