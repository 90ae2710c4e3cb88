// Test helper: decodes PNG bytes with libpng and lists their chunks, to check rendered figures.
#pragma once

#include <png.h>

#include <cstdint>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "attnviz/render/colormap.h"

namespace attnviz::testing {

// 8-bit RGBA pixels, rows top to bottom.
struct DecodedPng {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;

  Rgba at(int x, int y) const {
    const uint8_t* p = &rgba[(static_cast<size_t>(y) * width + x) * 4];
    return {p[0], p[1], p[2], p[3]};
  }
};

inline DecodedPng DecodePng(const std::string& bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    throw std::runtime_error(std::string("not a PNG: ") + image.message);
  }
  image.format = PNG_FORMAT_RGBA;
  DecodedPng decoded{static_cast<int>(image.width), static_cast<int>(image.height), {}};
  decoded.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, decoded.rgba.data(), 0, nullptr)) {
    throw std::runtime_error(std::string("bad PNG: ") + image.message);
  }
  return decoded;
}

struct PngChunk {
  std::string type;
  std::string data;
};

// The chunks after the 8-byte signature, in file order.
inline std::vector<PngChunk> PngChunks(const std::string& bytes) {
  auto be32 = [&](size_t at) {
    return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) |
           (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
           (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) |
           uint32_t{static_cast<uint8_t>(bytes[at + 3])};
  };
  std::vector<PngChunk> chunks;
  for (size_t at = 8; at + 12 <= bytes.size();) {
    uint32_t length = be32(at);
    chunks.push_back({bytes.substr(at + 4, 4), bytes.substr(at + 8, length)});
    at += 12 + length;
  }
  return chunks;
}

// The big-endian 32-bit number at `at` in a chunk's data.
inline uint32_t ChunkUint32(const PngChunk& chunk, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(chunk.data[at + i]);
  return value;
}

}  // namespace attnviz::testing

namespace attnviz {

// Failed colour checks print "rgba(r, g, b, a)".
inline std::ostream& operator<<(std::ostream& out, const Rgba& c) {
  return out << "rgba(" << int{c.r} << ", " << int{c.g} << ", " << int{c.b} << ", " << int{c.a}
             << ")";
}

}  // namespace attnviz
