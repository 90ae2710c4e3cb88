// PNG encoding of Cairo-style pixels (libdeflate): compression level, filter, DPI, no timestamp.
#pragma once

#include <cstdint>
#include <string>

namespace attnviz {

// A read-only view of premultiplied ARGB32 pixels in native byte order (Cairo's
// CAIRO_FORMAT_ARGB32); `stride` is the distance between rows in pixels. The pixels must stay
// alive while the view is used.
struct ArgbPixelsView {
  const uint32_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;
};

struct PngSettings {
  double dpi = 100;     // recorded in the pHYs chunk
  int compression = 2;  // zlib level 0-9
};

// The PNG file for `pixels`: 8-bit RGB when every pixel is opaque, RGBA (un-premultiplied)
// otherwise; sRGB and pHYs chunks, no tIME, so equal pixels give equal bytes. Throws
// Error(kUsage) for a compression level outside 0-9.
std::string EncodePng(const ArgbPixelsView& pixels, const PngSettings& settings);

}  // namespace attnviz
