// SVG <text> elements from Pango layouts, and their placement into Cairo's SVG by markers.
#include "svg_text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "attnviz/error.h"

namespace attnviz {
namespace {

const cairo_user_data_key_t kRecorderKey{};

// What Cairo 1.16 writes for a marker's fill, up to its colour, and its opacity of 1/255.
constexpr std::string_view kMarkerStart = "<path style=\" stroke:none;fill-rule:nonzero;fill:rgb(";
constexpr std::string_view kMarkerOpacity = ");fill-opacity:0.00392157;\"";
constexpr double kMarkerAlpha = 1.0 / 255;
constexpr size_t kMaxMarkers = size_t{1} << 24;  // the colour's 24 bits

// A coordinate in SVG: at most 3 decimals (a thousandth of a point), no trailing zeros.
std::string Coordinate(double value) {
  char text[48];
  std::snprintf(text, sizeof text, "%.3f", value);
  std::string result = text;
  result.erase(result.find_last_not_of('0') + 1);
  if (result.back() == '.') result.pop_back();
  return result == "-0" ? "0" : result;
}

// One line of a layout: its text in logical order and where it sits in the block.
struct TextLine {
  std::string text;
  double left = 0;  // points from the block's logical left edge
  double width = 0;
  double baseline = 0;  // points from the block's logical top edge
};

// The characters a run shows: Pango's ellipsis run shows "…" in place of the text it hides.
std::string RunText(const PangoItem* item, std::string_view text) {
  if (item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS) return "…";
  size_t offset = std::min<size_t>(static_cast<size_t>(item->offset), text.size());
  return std::string(text.substr(offset, static_cast<size_t>(item->length)));
}

// The line's runs in logical order (a line holding right-to-left text lists them visually).
std::string LineText(PangoLayoutLine* line, std::string_view text) {
  std::vector<std::pair<int, std::string>> runs;
  for (GSList* run = line->runs; run != nullptr; run = run->next) {
    const PangoItem* item = static_cast<PangoGlyphItem*>(run->data)->item;
    runs.emplace_back(item->offset, RunText(item, text));
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string joined;
  for (const auto& [offset, piece] : runs) joined += piece;
  return joined;
}

std::vector<TextLine> Lines(PangoLayout* layout) {
  PangoRectangle block;
  pango_layout_get_extents(layout, nullptr, &block);
  std::string_view text = pango_layout_get_text(layout);
  std::vector<TextLine> lines;
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    PangoRectangle extents;
    pango_layout_iter_get_line_extents(iter, nullptr, &extents);
    TextLine line{
        LineText(pango_layout_iter_get_line_readonly(iter), text),
        static_cast<double>(extents.x - block.x) / PANGO_SCALE,
        static_cast<double>(extents.width) / PANGO_SCALE,
        static_cast<double>(pango_layout_iter_get_baseline(iter) - block.y) / PANGO_SCALE};
    if (!line.text.empty()) lines.push_back(std::move(line));
  } while (pango_layout_iter_next_line(iter));
  pango_layout_iter_free(iter);
  return lines;
}

// A font family as CSS names it: bare when it is words of letters, digits and hyphens ("DejaVu
// Sans"), else quoted.
std::string CssFamily(const std::string& family) {
  bool bare = !family.empty() && !std::isdigit(static_cast<unsigned char>(family[0]));
  for (char c : family) {
    bare = bare && (std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-');
  }
  return bare ? family : "'" + family + "'";
}

// The requested family, then the families of the fonts Pango fell back to (for CJK, emoji, or a
// requested font that is not installed) in order of first use: a viewer with the requested font
// uses it, one without takes the next, as Pango did.
std::string FontFamilies(PangoLayout* layout) {
  const char* requested =
      pango_font_description_get_family(pango_layout_get_font_description(layout));
  std::vector<std::string> families{requested ? requested : "sans-serif"};
  int count = pango_layout_get_line_count(layout);
  for (int i = 0; i < count; ++i) {
    for (GSList* run = pango_layout_get_line_readonly(layout, i)->runs; run; run = run->next) {
      PangoFont* font = static_cast<PangoGlyphItem*>(run->data)->item->analysis.font;
      if (font == nullptr) continue;
      PangoFontDescription* description = pango_font_describe(font);
      const char* family = pango_font_description_get_family(description);
      if (family && std::find(families.begin(), families.end(), family) == families.end()) {
        families.emplace_back(family);
      }
      pango_font_description_free(description);
    }
  }
  std::string list;
  for (const std::string& family : families) {
    if (!list.empty()) list += ", ";
    list += CssFamily(family);
  }
  return list;
}

std::string FontAttributes(PangoLayout* layout) {
  const PangoFontDescription* font = pango_layout_get_font_description(layout);
  double size = static_cast<double>(pango_font_description_get_size(font)) / PANGO_SCALE;
  std::string attributes = " font-family=\"" + EscapeXml(FontFamilies(layout)) + "\" font-size=\"" +
                           Coordinate(size) + "\"";
  if (pango_font_description_get_weight(font) >= PANGO_WEIGHT_BOLD) {
    attributes += " font-weight=\"bold\"";
  }
  return attributes;
}

std::string ColorAttributes(cairo_t* cr) {
  double r = 0, g = 0, b = 0, a = 1;
  cairo_pattern_get_rgba(cairo_get_source(cr), &r, &g, &b, &a);  // black unless a solid colour
  auto byte = [](double channel) { return static_cast<int>(std::lround(channel * 255)); };
  char fill[32];
  std::snprintf(fill, sizeof fill, "#%02x%02x%02x", byte(r), byte(g), byte(b));
  std::string attributes = std::string(" fill=\"") + fill + "\"";
  if (a < 1) attributes += " fill-opacity=\"" + Coordinate(a) + "\"";
  return attributes;
}

const char* AnchorName(HAlign anchor) {
  return anchor == HAlign::kLeft ? "start" : anchor == HAlign::kCenter ? "middle" : "end";
}

double AnchorX(const TextLine& line, HAlign anchor) {
  return anchor == HAlign::kLeft     ? line.left
         : anchor == HAlign::kCenter ? line.left + line.width / 2
                                     : line.left + line.width;
}

// The user space of `cr` as an SVG transform; a plain translation moves the coordinates instead,
// so unrotated labels read x="..." y="..." in an editor.
struct Placement {
  double dx = 0, dy = 0;
  std::string transform;
};

Placement PlacementOf(cairo_t* cr) {
  cairo_matrix_t m;
  cairo_get_matrix(cr, &m);
  if (m.xx == 1 && m.yy == 1 && m.xy == 0 && m.yx == 0) return {m.x0, m.y0, {}};
  return {0, 0,
          " transform=\"matrix(" + Coordinate(m.xx) + " " + Coordinate(m.yx) + " " +
              Coordinate(m.xy) + " " + Coordinate(m.yy) + " " + Coordinate(m.x0) + " " +
              Coordinate(m.y0) + ")\""};
}

std::string Position(double x, double y) {
  return " x=\"" + Coordinate(x) + "\" y=\"" + Coordinate(y) + "\"";
}

// One <text> per block; several lines (a wrapped title) are <tspan>s of it, each centred as
// Pango centres wrapped lines.
std::string TextElement(cairo_t* cr, PangoLayout* layout, const std::vector<TextLine>& lines,
                        HAlign anchor) {
  if (lines.size() > 1) anchor = HAlign::kCenter;
  Placement place = PlacementOf(cr);
  std::string element =
      "<text xml:space=\"preserve\"" + FontAttributes(layout) + ColorAttributes(cr);
  if (anchor != HAlign::kLeft)
    element += std::string(" text-anchor=\"") + AnchorName(anchor) + "\"";
  element += place.transform;
  if (lines.size() == 1) {
    const TextLine& line = lines.front();
    return element + Position(place.dx + AnchorX(line, anchor), place.dy + line.baseline) + ">" +
           EscapeXml(line.text) + "</text>\n";
  }
  element += ">";
  for (const TextLine& line : lines) {
    element += "<tspan" + Position(place.dx + AnchorX(line, anchor), place.dy + line.baseline) +
               ">" + EscapeXml(line.text) + "</tspan>";
  }
  return element + "</text>\n";
}

void PaintMarker(cairo_t* cr, const Rect& logical, size_t index) {
  cairo_save(cr);
  cairo_set_source_rgba(cr, static_cast<double>((index >> 16) & 255) / 255,
                        static_cast<double>((index >> 8) & 255) / 255,
                        static_cast<double>(index & 255) / 255, kMarkerAlpha);
  // Never empty, or Cairo would drop it: a label of spaces still has its place.
  cairo_rectangle(cr, logical.x, logical.y, std::max(logical.width, 0.01),
                  std::max(logical.height, 0.01));
  cairo_fill(cr);
  cairo_restore(cr);
}

// The index a marker's colour holds ("0%,0.392157%,100%" is 0, 1, 255), or -1.
long MarkerIndex(std::string_view color) {
  long index = 0;
  for (int channel = 0; channel < 3; ++channel) {
    size_t percent = color.find('%');
    if (percent == std::string_view::npos) return -1;
    double value = std::strtod(std::string(color.substr(0, percent)).c_str(), nullptr);
    index = index * 256 + std::lround(value * 2.55);
    color.remove_prefix(std::min(color.size(), percent + 2));  // past "%,"
  }
  return index;
}

}  // namespace

void SvgTextRecorder::Draw(cairo_t* cr, PangoLayout* layout, const Rect& logical, HAlign anchor) {
  std::vector<TextLine> lines = Lines(layout);
  if (lines.empty()) return;  // nothing to show, as the glyphs would show nothing
  if (elements_.size() >= kMaxMarkers) {
    throw Error(ErrorKind::kOutput, "an SVG figure holds more than 16777216 labels");
  }
  elements_.push_back(TextElement(cr, layout, lines, anchor));
  PaintMarker(cr, logical, elements_.size() - 1);
}

std::string SvgTextRecorder::PlaceText(std::string_view svg) const {
  std::string out;
  out.reserve(svg.size());
  size_t copied = 0, placed = 0;
  for (size_t at = svg.find(kMarkerStart); at != std::string_view::npos;
       at = svg.find(kMarkerStart, copied)) {
    size_t color = at + kMarkerStart.size();
    size_t opacity = svg.find(kMarkerOpacity, color);
    size_t end = svg.find("/>", color);
    size_t newline = svg.find('\n', color);
    long index = opacity < newline ? MarkerIndex(svg.substr(color, opacity - color)) : -1;
    if (index < 0 || static_cast<size_t>(index) >= elements_.size() || end == svg.npos) {
      out.append(svg.substr(copied, color - copied));  // an ordinary fill
      copied = color;
      continue;
    }
    out.append(svg.substr(copied, at - copied)).append(elements_[static_cast<size_t>(index)]);
    ++placed;
    copied = end + 2;
    if (copied < svg.size() && svg[copied] == '\n') ++copied;
  }
  out.append(svg.substr(copied));
  // Markers clipped away are dropped by Cairo, as their glyphs would be; none at all found means
  // a Cairo that writes fills otherwise (1.16 is the one known), which would lose every label.
  if (placed == 0 && !elements_.empty()) {
    throw Error(ErrorKind::kOutput,
                "this Cairo writes SVG that attnviz cannot place text in; use --svg-text paths");
  }
  return out;
}

void AttachSvgTextRecorder(cairo_surface_t* surface, SvgTextRecorder* recorder) {
  cairo_surface_set_user_data(surface, &kRecorderKey, recorder, nullptr);
}

SvgTextRecorder* SvgTextRecorderOf(cairo_t* cr) {
  return static_cast<SvgTextRecorder*>(
      cairo_surface_get_user_data(cairo_get_target(cr), &kRecorderKey));
}

std::string EscapeXml(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    std::string_view rest = text.substr(i);
    if (c == '&') {
      escaped += "&amp;";
    } else if (c == '<') {
      escaped += "&lt;";
    } else if (c == '>') {
      escaped += "&gt;";
    } else if (c == '"') {
      escaped += "&quot;";
    } else if (c == '\'') {
      escaped += "&apos;";
    } else if (rest.substr(0, 3) == "\xef\xbf\xbe" || rest.substr(0, 3) == "\xef\xbf\xbf") {
      escaped += "\xef\xbf\xbd";  // U+FFFE, U+FFFF: not XML characters
      i += 2;
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace attnviz
