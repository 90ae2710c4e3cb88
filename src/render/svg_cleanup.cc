// Renumbering Cairo's SVG ids and marking embedded images pixelated.
#include "svg_cleanup.h"

#include <cctype>
#include <map>
#include <string_view>

namespace attnviz {
namespace {

// CSS fallback: a viewer keeps the last value it knows, SVG 1.1's "optimizeSpeed" at worst
// (browsers honour these; librsvg 2.54 ignores all of them).
constexpr std::string_view kPixelatedImage =
    "<image style=\"image-rendering:optimizeSpeed;image-rendering:crisp-edges;"
    "image-rendering:pixelated\" ";

bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The length of a counter-style name ("image42": letters then digits, nothing else) at `at`.
size_t CounterNameLength(std::string_view text, size_t at) {
  size_t end = at;
  while (end < text.size() && IsAlpha(text[end])) ++end;
  size_t digits = end;
  while (end < text.size() && IsDigit(text[end])) ++end;
  if (digits == at || end == digits) return 0;
  if (end < text.size() && (text[end] == '-' || IsAlpha(text[end]))) return 0;  // "glyph0-1"
  return end - at;
}

// Every counter-style id in order of first definition, mapped to prefix + sequence number.
std::map<std::string, std::string, std::less<>> StableIds(std::string_view svg) {
  std::map<std::string, std::string, std::less<>> renamed;
  std::map<std::string, int, std::less<>> next_by_prefix;
  constexpr std::string_view kId = "id=\"";
  for (size_t at = svg.find(kId); at != std::string_view::npos; at = svg.find(kId, at + 1)) {
    size_t start = at + kId.size();
    size_t length = CounterNameLength(svg, start);
    if (length == 0) continue;
    std::string old_id(svg.substr(start, length));
    size_t digits = old_id.find_first_of("0123456789");
    std::string prefix = old_id.substr(0, digits);
    if (!renamed.count(old_id)) {
      renamed[old_id] = prefix + std::to_string(++next_by_prefix[prefix]);
    }
  }
  return renamed;
}

// Rewrites ids where they are defined (id="x") and referenced ("#x", "url(#x)").
std::string RenameIds(std::string_view svg,
                      const std::map<std::string, std::string, std::less<>>& renamed) {
  std::string out;
  out.reserve(svg.size() + 1024);
  size_t at = 0;
  while (at < svg.size()) {
    bool after_marker = (svg[at] == '#') || (svg.substr(at, 4) == "id=\"");
    size_t name_start = at + (svg[at] == '#' ? 1 : 4);
    size_t length = after_marker ? CounterNameLength(svg, name_start) : 0;
    auto found = length ? renamed.find(svg.substr(name_start, length)) : renamed.end();
    if (found == renamed.end()) {
      out += svg[at++];
      continue;
    }
    out.append(svg.substr(at, name_start - at));
    out += found->second;
    at = name_start + length;
  }
  return out;
}

std::string MarkImagesPixelated(std::string svg) {
  constexpr std::string_view kImage = "<image ";
  for (size_t at = svg.find(kImage); at != std::string::npos;
       at = svg.find(kImage, at + kPixelatedImage.size())) {
    svg.replace(at, kImage.size(), kPixelatedImage);
  }
  return svg;
}

// Cell rectangles are the only even-odd fills we draw (see PaintCellRectangles). Without
// antialiasing each edge pixel goes wholly to one cell: rsvg and browsers otherwise blend
// neighbours along every edge into faint lines across the map. Built in one pass: a 64 x 64 map
// has 4096 cells, and replacing in place would move the rest of the document for each.
std::string MarkCellsCrisp(std::string_view svg) {
  constexpr std::string_view kCellFill = "fill-rule:evenodd;";
  constexpr std::string_view kCrisp = "shape-rendering:crispEdges;";
  std::string out;
  out.reserve(svg.size() + svg.size() / 8);
  size_t copied = 0;
  for (size_t at = svg.find(kCellFill); at != std::string_view::npos;
       at = svg.find(kCellFill, copied)) {
    size_t end = at + kCellFill.size();
    out.append(svg.substr(copied, end - copied)).append(kCrisp);
    copied = end;
  }
  out.append(svg.substr(copied));
  return out;
}

}  // namespace

std::string CleanUpSvg(const std::string& svg) {
  return MarkCellsCrisp(MarkImagesPixelated(RenameIds(svg, StableIds(svg))));
}

}  // namespace attnviz
