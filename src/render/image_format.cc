// Choosing the figure format from the output file's extension.
#include "attnviz/render/image_format.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace attnviz {
namespace {

std::string LowercaseExtension(std::string_view path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  std::string extension(path.substr(dot));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

}  // namespace

std::optional<ImageFormat> ImageFormatForPath(std::string_view path) {
  std::string extension = LowercaseExtension(path);
  if (extension == ".png") return ImageFormat::kPng;
  if (extension == ".svg") return ImageFormat::kSvg;
  if (extension == ".pdf") return ImageFormat::kPdf;
  return std::nullopt;
}

}  // namespace attnviz
