// Wrapping titles at separators and shortening the middle of their longest part.
#include "figure_title.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace attnviz {
namespace {

constexpr std::string_view kNoBreakSpace = "\xc2\xa0";
constexpr std::string_view kEllipsis = "\xe2\x80\xa6";

// Where a title may break: after these, with the space before them kept on the line.
constexpr std::array<std::string_view, 4> kSeparators = {" · ", " — ", " − ", ", "};

// The title's parts, each with the separator that follows it.
std::vector<std::string> SplitAtSeparators(std::string_view title) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i < title.size();) {
    auto match = std::find_if(kSeparators.begin(), kSeparators.end(), [&](std::string_view sep) {
      return title.substr(i).starts_with(sep);
    });
    if (match == kSeparators.end()) {
      ++i;
      continue;
    }
    i += match->size();
    parts.emplace_back(title.substr(start, i - start));
    start = i;
  }
  if (start < title.size()) parts.emplace_back(title.substr(start));
  return parts;
}

// A part whose spaces do not break, except the one ending its separator.
std::string Unbreakable(const std::string& part) {
  std::string text;
  for (size_t i = 0; i < part.size(); ++i) {
    bool last = i + 1 == part.size();
    text += part[i] == ' ' && !last ? std::string(kNoBreakSpace) : std::string(1, part[i]);
  }
  return text;
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) text += Unbreakable(part);
  return text;
}

// The starts of the UTF-8 code points of `text`.
std::vector<size_t> CodePointStarts(std::string_view text) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) starts.push_back(i);
  }
  return starts;
}

// `part` without a tenth (at least one) of the code points around its middle, its separator
// kept; false when it is too short to lose any.
bool ShortenMiddle(std::string& part) {
  std::string_view separator;
  for (std::string_view sep : kSeparators) {
    if (std::string_view(part).ends_with(sep)) separator = sep;
  }
  std::string body = part.substr(0, part.size() - separator.size());
  // A part shortened before keeps its ellipsis in the middle, and loses code points around it.
  size_t mark = body.find(kEllipsis);
  if (mark != std::string::npos) body.erase(mark, kEllipsis.size());
  std::vector<size_t> starts = CodePointStarts(body);
  size_t count = starts.size();
  if (count < 4) return false;
  size_t drop = std::max<size_t>(1, count / 10);
  size_t middle =
      mark != std::string::npos ? CodePointStarts(body.substr(0, mark)).size() : count / 2;
  size_t first = std::clamp<size_t>(middle - std::min(middle, drop / 2), 1, count - drop - 1);
  size_t begin = starts[first], end = starts[first + drop];
  part = body.substr(0, begin) + std::string(kEllipsis) + body.substr(end) + std::string(separator);
  return true;
}

double Width(const std::string& text, const TextStyle& style, const TextShaper& shaper) {
  return shaper.Shape(text, style).logical().width;
}

// The part that most needs shortening: the widest.
size_t WidestPart(const std::vector<std::string>& parts, const TextStyle& style,
                  const TextShaper& shaper) {
  size_t widest = 0;
  double width = -1;
  for (size_t i = 0; i < parts.size(); ++i) {
    double w = Width(Unbreakable(parts[i]), style, shaper);
    if (w > width) widest = i, width = w;
  }
  return widest;
}

bool Fits(const std::vector<std::string>& parts, const TextStyle& style, double max_width,
          int max_lines, const TextShaper& shaper) {
  double line = shaper.Shape("Ag", style).logical().height;
  for (const std::string& part : parts) {
    if (Width(Unbreakable(part), style, shaper) > max_width) return false;
  }
  TextBlock block = shaper.Shape(Joined(parts), style, max_width, max_lines + 1);
  return std::lround(block.logical().height / line) <= max_lines;
}

}  // namespace

std::string FitFigureTitle(std::string_view title, const TextStyle& style, double max_width,
                           int max_lines, const TextShaper& shaper) {
  if (max_width <= 0 || Width(std::string(title), style, shaper) <= max_width) {
    return std::string(title);
  }
  std::vector<std::string> parts = SplitAtSeparators(title);
  // Each round drops a tenth of a part: a few dozen rounds shorten any title to a few letters.
  for (int round = 0; round < 200 && !Fits(parts, style, max_width, max_lines, shaper); ++round) {
    if (!ShortenMiddle(parts[WidestPart(parts, style, shaper)])) break;
  }
  return Joined(parts);
}

TextBlock ShapeFigureTitle(std::string_view title, const TextStyle& style, double max_width,
                           int max_lines, const TextShaper& shaper) {
  return shaper.Shape(FitFigureTitle(title, style, max_width, max_lines, shaper), style, max_width,
                      max_lines);
}

TitledPage PageUnderTitle(Rect content, const std::string& title, int max_lines,
                          const FigureStyle& style, const TextShaper& shaper) {
  constexpr double kMinTitleWidthEm = 24;
  TitledPage result;
  double title_height = 0, title_width = 0;
  if (!title.empty()) {
    double max_width = std::max(content.width, kMinTitleWidthEm * style.em);
    result.title = shaper.Shape(title, style.title, max_width, max_lines);
    title_height = result.title->logical().height + 0.5 * style.gap;
    title_width = result.title->logical().width;
  }
  result.page = {std::max(content.width, title_width) + 2 * style.margin,
                 content.height + title_height + 2 * style.margin};
  result.shift = {(result.page.width - content.width) / 2 - content.x,
                  style.margin + title_height - content.y};
  return result;
}

}  // namespace attnviz
