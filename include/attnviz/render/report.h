// The report: one PDF of paper-sized pages holding headings, text, tables and attnviz figures.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "attnviz/render/geometry.h"
#include "attnviz/render/grid.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/highlight.h"
#include "attnviz/render/render_options.h"
#include "attnviz/render/scatter.h"

namespace attnviz {

enum class Paper { kA4, kLetter };

// Portrait, in points: A4 595.276 x 841.89, US letter 612 x 792.
Size PaperSize(Paper paper);

// Already formatted cells; a column whose cells all read as numbers is right-aligned.
struct ReportTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // one cell per column
};

using ReportFigure = std::variant<HeatmapSpec, GridSpec, HighlightSpec, ScatterSpec>;

// One type scale for every page, in points at the default font size of 10 (a --font-size
// scales it all): body text, table text, section headings, continued headings, the footer, and
// the font size figures are laid out with (their smallest text, values in cells, is 0.8 of it:
// 7 pt).
struct ReportTypeScale {
  double body = 9.5;
  double table = 8;
  double table_min = 7;  // a table too wide for the page shrinks to this before it ellipsizes
  double heading = 14;
  double subheading = 12;
  double footer = 7.5;
  double figure = 8.75;
};

// A section starts a page, unless it is only a few lines of text (an analysis that does not
// apply) and the page has room for them: its heading, lines of text (each wrapped to the text
// width), then a table continued on as many pages as it needs (its header repeated), then the
// figures, drawn at the size they are printed: each as wide as the text and sharing the page's
// height, onto further pages when they would be too small. `anchor` names the section for page
// references: any line or table cell may hold "{page:ANCHOR}", printed as "p. 4".
struct ReportSection {
  std::string heading;
  std::vector<std::string> lines;
  std::optional<ReportTable> table;
  std::vector<ReportFigure> figures;
  std::string anchor;
};

// What the report puts where: every piece of text, rule and figure with its page (from 1) and
// box in points, and the PDF outline. Drawing the report draws exactly these.
struct ReportItem {
  enum class Kind { kText, kRule, kFigure };
  Kind kind = Kind::kText;
  size_t section = 0;  // its index in the sections; the footer belongs to the page's first
  int page = 1;
  Rect box;
  std::string text;                      // kText
  double font_size = 0;                  // kText
  bool bold = false;                     // kText
  bool right_aligned = false;            // kText: a number in a table column
  const ReportFigure* figure = nullptr;  // kFigure: drawn into `box` at its size
};

struct ReportOutlineEntry {
  std::string title;  // the section heading
  int page = 1;
};

struct ReportLayout {
  Size paper;
  Rect text_area;  // inside the margins, above the footer
  int pages = 0;
  ReportTypeScale scale;                    // as the font size set it
  RenderOptions figure_options;             // figures are laid out with these and their box's size
  std::vector<ReportItem> items;            // in drawing order
  std::vector<ReportOutlineEntry> outline;  // one per section, in order
};

// Lays the sections out on pages (as RenderReport draws them); figures refer into `sections`,
// which must outlive the layout. Throws Error(kUsage) for no sections, or a page reference to an
// unknown anchor.
ReportLayout LayoutReport(const std::string& title, const std::vector<ReportSection>& sections,
                          Paper paper, const RenderOptions& options = {});

// Draws every section and returns the PDF: fonts embedded (Cairo subsets them), one outline
// entry (bookmark) per section, the title in the document's metadata, dates from
// SOURCE_DATE_EPOCH, so the same input gives the same bytes. `title` also runs in every page's
// footer with the page number. `options` sets the font, the type scale (font_size / 10 times
// ReportTypeScale) and the theme; width_pt and height_pt are ignored. `on_section`, when given,
// is called with a section's index whenever drawing turns to it, and with sections.size() when
// drawing ends (report --timings). Throws like LayoutReport and like the Render* function of
// each figure.
std::string RenderReport(const std::string& title, const std::vector<ReportSection>& sections,
                         Paper paper, const RenderOptions& options = {},
                         const std::function<void(size_t section)>& on_section = {});

}  // namespace attnviz
