// PNG encoding of Cairo-style pixels: compression level, filter, DPI, no timestamp. The one entry
// point of src/png/, whose DEFLATE encoder (figure_deflate.h and what it builds on) is private.
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

// Whether every pixel of `pixels` has alpha 255.
bool IsOpaque(const ArgbPixelsView& pixels);

struct PngSettings {
  double dpi = 100;  // recorded in the pHYs chunk
  // 0: stored uncompressed. 1 and 2: our figure encoder, which copies only from the pixel to the
  // left, the row above and one hashed place: on figures about 4 times faster than zlib's level 2
  // and within about 10% of its size, but bigger on photographs and smooth gradients. 3-9:
  // libdeflate at that zlib level, for smaller files at a few times the time.
  int compression = 2;
  // Levels 1 and 2: a large image's bands of rows are coded on up to this many threads. The bytes
  // do not depend on it.
  int threads = 1;
};

// The PNG file for `pixels`: 8-bit RGB when every pixel is opaque, RGBA (un-premultiplied)
// otherwise; sRGB and pHYs chunks, no tIME, so equal pixels give equal bytes. Throws
// Error(kUsage) for a compression level outside 0-9.
std::string EncodePng(const ArgbPixelsView& pixels, const PngSettings& settings);

}  // namespace attnviz
