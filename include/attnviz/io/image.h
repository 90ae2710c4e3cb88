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

// Reads a PNG file of any colour type and bit depth (palette, grey, 16-bit and interlaced
// images are converted). Throws an input Error naming `path` for a missing, non-PNG or damaged
// file, and for images larger than 16384 pixels a side.
RgbaImage ReadPngImage(const std::string& path);

}  // namespace attnviz
