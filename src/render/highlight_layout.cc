// Highlight layout: shaping each token, breaking lines like running text, and paginating PDFs.
#include "highlight_layout.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "attnviz/error.h"
#include "figure_title.h"
#include "highlight_colorbar.h"

namespace attnviz {
namespace {

constexpr double kDefaultTextWidth = 468;  // 6.5 in, a page's text block
constexpr double kMaxPdfPageHeight = 720;  // 10 in
constexpr int kMaxTitleLines = 2;

// Spacing of the token boxes, in ems: padding inside a box, gaps between boxes and lines.
struct BoxMetrics {
  double pad_x, pad_y, gap, leading, line_pitch;
};

BoxMetrics MetricsFor(const FigureStyle& style) {
  BoxMetrics m{0.15 * style.em, 0.1 * style.em, 0.25 * style.em, 0.3 * style.em, 0};
  m.line_pitch = style.line_height + 2 * m.pad_y + m.leading;
  return m;
}

void Validate(const HighlightSpec& spec) {
  if (spec.tokens.empty()) ThrowUsageError("a highlight figure needs at least one token");
  if (spec.weights.size() != spec.tokens.size()) {
    ThrowUsageError(std::to_string(spec.weights.size()) + " weights for " +
                    std::to_string(spec.tokens.size()) + " tokens");
  }
  for (const auto* flags : {&spec.masked, &spec.attached}) {
    if (!flags->empty() && flags->size() != spec.tokens.size()) {
      ThrowUsageError(std::to_string(flags->size()) + " flags for " +
                      std::to_string(spec.tokens.size()) + " tokens");
    }
  }
  int64_t count = static_cast<int64_t>(spec.tokens.size());
  if (spec.marked && (*spec.marked < 0 || *spec.marked >= count)) {
    ThrowUsageError("marked token " + std::to_string(*spec.marked) + " is outside 0.." +
                    std::to_string(count - 1));
  }
}

ColorScale ResolveScale(const HighlightSpec& spec) {
  ValueRange range;
  range.Add({1, static_cast<int64_t>(spec.weights.size()), spec.weights, spec.masked});
  return ResolveColorScale(spec.scale, range);
}

// The widest a line may be: the given page less its margins, else a page's text block.
double TextWidth(const RenderOptions& options, const FigureStyle& style) {
  if (options.width_pt <= 0) return kDefaultTextWidth;
  double width = options.width_pt - 2 * style.margin;
  if (width < 8 * style.em) {
    ThrowUsageError("a highlight figure " + std::to_string(options.width_pt) +
                    " pt wide leaves no room for text; give at least " +
                    std::to_string(8 * style.em + 2 * style.margin) + " pt");
  }
  return width;
}

// A token's background and text colours; a masked token has no background and grey text.
std::pair<Rgba, Rgba> TokenColors(const HighlightSpec& spec, size_t i, const ColorScale& scale,
                                  const FigureStyle& style) {
  if (!spec.masked.empty() && spec.masked[i]) return {{0, 0, 0, 0}, style.palette.masked_hatch};
  Rgba background = scale.Lookup(spec.weights[i]);
  return {background, ContrastingTextColor(background)};
}

// Each token shaped, coloured and placed on a line; lines numbered from 0, boxes at y = 0.
struct FlowedToken {
  TokenBox token;
  int64_t line = 0;
};

std::vector<FlowedToken> FlowTokens(const HighlightSpec& spec, const ColorScale& scale,
                                    double text_width, const FigureStyle& style,
                                    const TextShaper& shaper) {
  BoxMetrics m = MetricsFor(style);
  std::vector<FlowedToken> flowed;
  flowed.reserve(spec.tokens.size());
  double x = 0;
  int64_t line = 0;
  for (size_t i = 0; i < spec.tokens.size(); ++i) {
    TextBlock block = shaper.Shape(spec.tokens[i], style.label, text_width - 2 * m.pad_x);
    double width = block.logical().width + 2 * m.pad_x;
    if (x > 0 && !spec.attached.empty() && spec.attached[i]) x -= m.gap;
    if (x > 0 && x + width > text_width) x = 0, ++line;
    Rect box{x, 0, width, style.line_height + 2 * m.pad_y};
    TextPlacement placement{{x + m.pad_x, m.pad_y}, HAlign::kLeft, VAlign::kTop, 0};
    auto [background, ink] = TokenColors(spec, i, scale, style);
    flowed.push_back({{box, 0, background, ink, {std::move(block), placement}}, line});
    x += width + m.gap;
    if (spec.tokens[i].find('\n') != std::string::npos) x = 0, ++line;
  }
  return flowed;
}

// The title, centred over `width`, then the colorbar; returns the header's height.
double PlaceHeader(const HighlightSpec& spec, const ColorScale& scale, double width,
                   const FigureStyle& style, const TextShaper& shaper, FigureParts& parts,
                   Rect& colorbar) {
  double y = 0;
  if (!spec.title.empty()) {
    TextBlock title = ShapeFigureTitle(spec.title, style.title, width, kMaxTitleLines, shaper);
    y = title.logical().height + style.gap;
    parts.AddText({std::move(title), {{width / 2, 0}, HAlign::kCenter, VAlign::kTop, 0}});
  }
  Size size = HorizontalColorbarSize(style);
  double indent = 0;
  if (!spec.scale_title.empty()) {
    indent = shaper.Shape(spec.scale_title, style.label, style.max_label_width).logical().width +
             style.gap;
  }
  colorbar = {indent, y, std::min(size.width, std::max(width - indent, 4 * style.em)), size.height};
  PlaceHorizontalColorbar(scale, spec.scale_title, colorbar, style, shaper, parts);
  // The first tick's value is centred under the bar's left edge and may reach past it.
  double overhang = std::max(0.0, -parts.Bounds().x);
  parts.Translate(overhang, 0);
  colorbar = colorbar.Translated(overhang, 0);
  return parts.Bounds().bottom() + 1.5 * style.gap;
}

double ContentWidth(const std::vector<FlowedToken>& flowed) {
  double width = 0;
  for (const FlowedToken& f : flowed) width = std::max(width, f.token.box.right());
  return width;
}

// How many lines fit under the header on one page; every line on one page for PNG and SVG.
int64_t LinesPerPage(ImageFormat format, double header, const FigureStyle& style, int64_t lines) {
  if (format != ImageFormat::kPdf) return lines;
  double room = kMaxPdfPageHeight - 2 * style.margin - header + MetricsFor(style).leading;
  return std::max<int64_t>(1, static_cast<int64_t>(room / MetricsFor(style).line_pitch));
}

// Puts each flowed token on its page, below the header, offset by the page margin.
void Paginate(std::vector<FlowedToken>& flowed, double header, int64_t per_page,
              const FigureStyle& style, HighlightPlan& plan) {
  double pitch = MetricsFor(style).line_pitch;
  for (FlowedToken& f : flowed) {
    TokenBox& token = f.token;
    token.page = static_cast<int>(f.line / per_page);
    double dy = style.margin + header + static_cast<double>(f.line % per_page) * pitch;
    token.box = token.box.Translated(style.margin, dy);
    token.text.placement.anchor.x += style.margin;
    token.text.placement.anchor.y += dy;
    plan.tokens.push_back(std::move(token));
  }
}

// The page: text and header side by side with margins (or the given width), as tall as a
// full page of lines.
Size PageSize(const RenderOptions& options, double width, double header, int64_t lines,
              const FigureStyle& style) {
  BoxMetrics m = MetricsFor(style);
  double body = static_cast<double>(lines) * m.line_pitch - m.leading;
  Size page{width + 2 * style.margin, header + body + 2 * style.margin};
  if (options.width_pt > 0) page.width = options.width_pt;
  return page;
}

// Every page repeats the title and the colorbar.
void AddHeaders(const HighlightSpec& spec, int64_t pages, double width, const TextShaper& shaper,
                HighlightPlan& plan) {
  const FigureStyle& style = plan.style;
  for (int64_t page = 0; page < pages; ++page) {
    FigureParts& parts = plan.headers.emplace_back();
    PlaceHeader(spec, plan.scale, width, style, shaper, parts, plan.colorbar);
    parts.Translate(style.margin, style.margin);
  }
  plan.colorbar = plan.colorbar.Translated(style.margin, style.margin);
}

}  // namespace

HighlightPlan PlanHighlight(const HighlightSpec& spec, ImageFormat format,
                            const RenderOptions& options, const TextShaper& shaper) {
  Validate(spec);
  HighlightPlan plan;
  plan.scale = ResolveScale(spec);
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  const FigureStyle& style = plan.style;
  double text_width = TextWidth(options, style);
  std::vector<FlowedToken> flowed = FlowTokens(spec, plan.scale, text_width, style, shaper);
  // Short texts still get room for a readable title and the colorbar.
  double width = options.width_pt > 0
                     ? text_width
                     : std::max(ContentWidth(flowed), std::min(24 * style.em, text_width));
  FigureParts probe;
  double header = PlaceHeader(spec, plan.scale, width, style, shaper, probe, plan.colorbar);
  width = std::max(width, probe.Bounds().right());
  int64_t lines = flowed.back().line + 1;
  int64_t per_page = LinesPerPage(format, header, style, lines);
  plan.page = PageSize(options, width, header, std::min(lines, per_page), style);
  AddHeaders(spec, (lines + per_page - 1) / per_page, width, shaper, plan);
  Paginate(flowed, header, per_page, style, plan);
  return plan;
}

}  // namespace attnviz
