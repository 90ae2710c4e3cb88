// Checks on -o paths before any work is done: a known figure format, not the input itself.
#pragma once

#include <string>

#include "attnviz/render/image_format.h"

namespace attnviz::cli {

// The format named by `format` ("png", "svg", "pdf") when not empty, else by the extension of
// `output`; a usage Error for anything else, and for "-" (standard output) without a format.
ImageFormat FigureFormatFor(const std::string& output, const std::string& format);

// Whether a command that also draws a figure into `output` prints its text (table, --json or
// --csv) on standard output: not when -o - puts the figure there. A usage Error when both were
// asked for (`machine_output`: --json or --csv given with -o -).
bool PrintsText(const std::string& output, bool machine_output);

// An output Error when `output` is the same file as `input`.
void CheckNotInput(const std::string& output, const std::string& input);

}  // namespace attnviz::cli
