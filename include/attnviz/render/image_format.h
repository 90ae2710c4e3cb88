// The figure file formats and how the output path chooses one.
#pragma once

#include <optional>
#include <string_view>

namespace attnviz {

enum class ImageFormat { kPng, kSvg, kPdf };

// From the extension of `path` (".png", ".svg", ".pdf", any case), or nullopt.
std::optional<ImageFormat> ImageFormatForPath(std::string_view path);

}  // namespace attnviz
