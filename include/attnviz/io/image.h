// Pictures read from disk for figures drawn over them (vision-transformer overlays).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnviz {

// 8-bit sRGB pixels with straight (not premultiplied) alpha, rows top to bottom.
struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4 bytes
};

// Reads a PNG or a JPEG file, told apart by their first bytes whatever the name says. Throws an
// input Error naming `path` for anything else, and as the readers below.
RgbaImage ReadImage(const std::string& path);

// Reads a PNG file of any colour type and bit depth (palette, grey, 16-bit and interlaced
// images are converted). Throws an input Error naming `path` for a missing, non-PNG or damaged
// file, and for images larger than 16384 pixels a side.
RgbaImage ReadPngImage(const std::string& path);

// Reads a baseline or progressive JPEG file, colour or greyscale, as its pixels are stored: the
// EXIF orientation is not applied, as PIL's Image.open does not apply it (nor image processors
// handed its result), so the pixels are the ones such a model saw. Throws an input Error naming
// `path` for a damaged or truncated file (libjpeg's warnings included), a CMYK file, and images
// larger than 16384 pixels a side.
RgbaImage ReadJpegImage(const std::string& path);

// Throws an input Error naming `path` when a side is outside 1 to 16384 pixels.
void CheckImageSide(const std::string& path, int64_t width, int64_t height);

}  // namespace attnviz
