// Shared figure options and the parsing of --size.
#include "cli/figure_options.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "attnviz/error.h"
#include "attnviz/parallel.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/style.h"

namespace attnviz::cli {

namespace {

[[noreturn]] void ThrowBadSize(std::string_view text) {
  ThrowUsageError(
      "--size: expected WxH with a unit in, cm, mm, pt or px (e.g. 6inx4in, "
      "400x300pt, 1200x900px), found '" +
      std::string(text) + "'");
}

// Points per unit; px depends on the dpi. 0 for an unknown unit.
double PointsPer(std::string_view unit, double dpi) {
  if (unit == "in") return 72;
  if (unit == "cm") return 72 / 2.54;
  if (unit == "mm") return 72 / 25.4;
  if (unit == "pt") return 1;
  if (unit == "px") return 72 / dpi;
  return 0;
}

struct Length {
  double value = 0;
  std::string_view unit;  // empty when none was written
};

Length ParseLength(std::string_view text, std::string_view whole) {
  Length length;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length.value);
  if (error != std::errc() || !(length.value > 0) || !std::isfinite(length.value)) {
    ThrowBadSize(whole);
  }
  length.unit = text.substr(end - text.data());
  return length;
}

double ToPoints(const Length& length, std::string_view unit, double dpi, std::string_view whole) {
  double per = PointsPer(unit, dpi);
  if (per == 0) ThrowBadSize(whole);
  return length.value * per;
}

// The 'x' between width and height: the first one followed by a number ("px" holds one too).
size_t SeparatorOf(std::string_view text) {
  for (size_t at = text.find('x'); at != std::string_view::npos; at = text.find('x', at + 1)) {
    if (at + 1 < text.size() &&
        (std::isdigit(static_cast<unsigned char>(text[at + 1])) || text[at + 1] == '.')) {
      return at;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Size ParseFigureSize(std::string_view text, double dpi) {
  size_t x = SeparatorOf(text);
  if (x == std::string_view::npos) {
    Length width = ParseLength(text, text);
    return {ToPoints(width, width.unit, dpi, text), 0};
  }
  Length width = ParseLength(text.substr(0, x), text);
  Length height = ParseLength(text.substr(x + 1), text);
  if (height.unit.empty()) ThrowBadSize(text);
  std::string_view width_unit = width.unit.empty() ? height.unit : width.unit;
  return {ToPoints(width, width_unit, dpi, text), ToPoints(height, height.unit, dpi, text)};
}

int ThreadCount(int jobs) { return ThreadsFor(jobs, 0); }

void FigureOptions::AddTo(CLI::App& command, bool output_required) {
  CLI::Option* out = command.add_option(
      "-o,--output", output,
      "figure to write: .png, .svg or .pdf; a template such as figs/L{layer}_H{head}.png for "
      "several figures ({stem} {ext} too), one .pdf with a page each, or - for standard "
      "output (with --format)");
  if (output_required) out->required();
  command.add_option("--format", format,
                     "png, svg or pdf, when -o has no such extension (needed for -o -)");
  // After the command's own options in --help, as the dump options are.
  command.option_defaults()->group("Figure options");
  command.add_option("--font", render.font, "font family for all text (default DejaVu Sans)");
  command.add_option("--font-size", render.font_size, "base font size in points (default 10)")
      ->check(NumberFrom(2, 72));
  command.add_option("--theme", theme, "light (default) or dark")
      ->check(CLI::IsMember({"light", "dark"}));
  command.add_flag("--transparent", render.transparent, "no page background");
  command.add_option("--size", size,
                     "figure size WxH with units: 6inx4in, 400x300pt, 1200x900px, 15cmx10cm "
                     "(default: from the content)");
  command
      .add_option("--dpi", render.dpi, "PNG pixels per inch, recorded in the file (default 100)")
      ->check(NumberFrom(10, 1200));
  command
      .add_option("--png-level", render.png_compression,
                  "PNG compression 0-9: 1-2 a fast encoder for flat-colour figures (default 2), "
                  "3-9 zlib levels for smaller, slower files, 0 none")
      ->check(WholeNumberFrom(0, 9));
  command
      .add_option(
          "--svg-text", svg_text,
          "SVG labels as text (default: <text> naming the font, editable in Inkscape or "
          "Illustrator and searchable) or paths (glyph outlines, the same without the font)")
      ->check(CLI::IsMember({"text", "paths"}));
  command
      .add_option("-j,--jobs", jobs,
                  "figures (of every input file) rendered in parallel (default: every core)")
      ->check(NonNegativeNumber());
  AddStyleOption(command);
  command.option_defaults()->group("Options");
}

RenderOptions FigureOptions::Render() const {
  RenderOptions options = render;
  options.theme = theme == "dark" ? Theme::kDark : Theme::kLight;
  options.svg_text = svg_text == "paths" ? SvgText::kPaths : SvgText::kText;
  if (!size.empty()) {
    Size points = ParseFigureSize(size, render.dpi);
    options.width_pt = points.width;
    options.height_pt = points.height;
  }
  return options;
}

ImageFormat FigureOptions::Format() const { return FigureFormatFor(output, format); }

}  // namespace attnviz::cli
