// The options every command that draws a figure shares: -o, --format, fonts, size, theme, dpi,
// PNG level and -j.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"

namespace attnviz::cli {

struct FigureOptions {
  std::string output;
  std::string format;
  std::string size;
  std::string theme = "light";
  std::string svg_text = "text";
  RenderOptions render;
  int jobs = 0;       // 0: one per core
  std::string shard;  // --shard I/N of a batch (AddShardOption); empty: all the work

  // Adds -o (required when `output_required`), --format, --font, --font-size, --theme,
  // --transparent, --size, --dpi, --png-level, --svg-text, -j and --style (cli/style.h) to
  // `command`.
  void AddTo(CLI::App& command, bool output_required = true);

  // The render options with --size, --theme and --svg-text applied. Throws a usage Error for a bad
  // size.
  RenderOptions Render() const;

  // The format from --format or the extension of -o (see FigureFormatFor).
  ImageFormat Format() const;
};

// A figure size in points from "WxH" with units: "6inx4in", "400x300pt", "1200x900px" (pixels
// at `dpi`), "15cmx10cm", "6x4in" (one unit for both), or one side alone ("6in": the other
// follows the content). Throws a usage Error naming --size for anything else.
Size ParseFigureSize(std::string_view text, double dpi);

// The number of threads -j N asks for: N, or every core for 0.
int ThreadCount(int jobs);

}  // namespace attnviz::cli
