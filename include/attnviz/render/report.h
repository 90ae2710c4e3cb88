// The report: one PDF of paper-sized pages holding headings, text, tables and attnviz figures.
#pragma once

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

// A section starts a page: its heading, lines of text (each wrapped to the page width), then a
// table continued on as many pages as it needs (its header repeated), and the figures stacked
// down the rest of the page, each in an equal share of it and scaled down to fit.
struct ReportSection {
  std::string heading;
  std::vector<std::string> lines;
  std::optional<ReportTable> table;
  std::vector<ReportFigure> figures;
};

// Draws every section and returns the PDF: fonts embedded (Cairo subsets them), dates from
// SOURCE_DATE_EPOCH, so the same input gives the same bytes. `title` is the document title
// and runs in every page's footer with the page number. `options` sets the font, its size and
// the theme; figures are laid out at their automatic size (width_pt and height_pt are ignored).
// Throws Error(kUsage) for no sections and like the Render* function of each figure.
std::string RenderReport(const std::string& title, const std::vector<ReportSection>& sections,
                         Paper paper, const RenderOptions& options = {});

}  // namespace attnviz
