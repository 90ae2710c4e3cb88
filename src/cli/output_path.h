// Checks on -o paths before any work is done: a known figure format, not the input itself.
#pragma once

#include <string>

#include "attnviz/render/image_format.h"

namespace attnviz::cli {

// The format named by `format` ("png", "svg", "pdf") when not empty, else by the extension of
// `output`; a usage Error for anything else, and for "-" (standard output) without a format.
ImageFormat FigureFormatFor(const std::string& output, const std::string& format);

// An output Error when `output` is the same file as `input`.
void CheckNotInput(const std::string& output, const std::string& input);

}  // namespace attnviz::cli
