// -o path checks shared by every command that writes a figure.
#include "cli/output_path.h"

#include <filesystem>

#include "attnviz/error.h"

namespace attnviz::cli {

ImageFormat FigureFormatFor(const std::string& output, const std::string& format_name) {
  if (output == "-" && format_name.empty()) {
    ThrowUsageError("-o -: a figure on standard output needs --format png, svg or pdf");
  }
  if (!format_name.empty()) {
    const std::optional<ImageFormat> format = ImageFormatForPath("." + format_name);
    if (!format) ThrowUsageError("--format: expected png, svg or pdf, found '" + format_name + "'");
    return *format;
  }
  const std::optional<ImageFormat> format = ImageFormatForPath(output);
  if (!format) {
    ThrowUsageError(output + ": expected a .png, .svg or .pdf output file, found extension '" +
                    std::filesystem::path(output).extension().string() + "' (or give --format)");
  }
  return *format;
}

bool PrintsText(const std::string& output, bool machine_output) {
  if (output != "-") return true;
  if (machine_output) {
    ThrowUsageError("-o - and --json/--csv: both would write to standard output; name a file");
  }
  return false;
}

void CheckNotInput(const std::string& output, const std::string& input) {
  std::error_code error;
  if (input != "-" && output != "-" && std::filesystem::equivalent(output, input, error)) {
    ThrowOutputError(output, "refusing to overwrite the input file");
  }
}

}  // namespace attnviz::cli
