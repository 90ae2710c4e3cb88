// PNG encoding with libpng: Cairo's default zlib settings are the bottleneck for big figures.
#include "attnviz/render/png_encoder.h"

#include <png.h>

#include <cmath>
#include <csetjmp>
#include <vector>

#include "attnviz/error.h"

namespace attnviz {
namespace {

// Figures are flat colour and heatmap cells repeat exactly, which zlib finds unfiltered; on our
// heatmaps (15 x 15 tokens to 2000 x 2000, level 6) NONE gave the smallest files, 5-45% below
// libpng's adaptive choice and SUB, at the same or better speed (UP was within 5% on flat maps).
constexpr int kRowFilter = PNG_FILTER_NONE;

bool IsOpaque(const ArgbPixelsView& pixels) {
  for (int y = 0; y < pixels.height; ++y) {
    const uint32_t* row = pixels.data + static_cast<ptrdiff_t>(y) * pixels.stride;
    for (int x = 0; x < pixels.width; ++x) {
      if ((row[x] >> 24) != 0xff) return false;
    }
  }
  return true;
}

uint8_t Unpremultiply(uint32_t channel, uint32_t alpha) {
  if (alpha == 0) return 0;
  return static_cast<uint8_t>((channel * 255 + alpha / 2) / alpha);
}

// One row of packed RGB or RGBA bytes as libpng wants them. Opaque pixels need no division:
// the common case, and a tenth of the time of a large figure otherwise.
void PackRow(const uint32_t* argb, int width, bool opaque, uint8_t* out) {
  if (opaque) {
    for (int x = 0; x < width; ++x) {
      uint32_t pixel = argb[x];
      *out++ = static_cast<uint8_t>(pixel >> 16);
      *out++ = static_cast<uint8_t>(pixel >> 8);
      *out++ = static_cast<uint8_t>(pixel);
    }
    return;
  }
  for (int x = 0; x < width; ++x) {
    uint32_t pixel = argb[x];
    uint32_t alpha = pixel >> 24;
    *out++ = Unpremultiply((pixel >> 16) & 0xff, alpha);
    *out++ = Unpremultiply((pixel >> 8) & 0xff, alpha);
    *out++ = Unpremultiply(pixel & 0xff, alpha);
    *out++ = static_cast<uint8_t>(alpha);
  }
}

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), length);
}

void FlushNothing(png_structp) {}

// Render never prints: libpng's default handlers write warnings to stderr.
void IgnoreWarning(png_structp, png_const_charp) {}

void WriteHeader(png_structp png, png_infop info, const ArgbPixelsView& pixels, bool opaque,
                 const PngSettings& settings) {
  png_set_IHDR(png, info, pixels.width, pixels.height, 8,
               opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_uint_32 pixels_per_metre = static_cast<png_uint_32>(std::lround(settings.dpi / 0.0254));
  png_set_pHYs(png, info, pixels_per_metre, pixels_per_metre, PNG_RESOLUTION_METER);
  png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
  png_set_compression_level(png, settings.compression);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, kRowFilter);
  png_write_info(png, info);
}

// libpng reports errors by longjmp, so this frame holds nothing that needs destroying; `row` is
// owned by the caller. Returns false when libpng failed (it only can on exhausted memory).
bool WritePngRows(png_structp png, png_infop info, const ArgbPixelsView& pixels, bool opaque,
                  const PngSettings& settings, uint8_t* row) {
  if (setjmp(png_jmpbuf(png))) return false;
  WriteHeader(png, info, pixels, opaque, settings);
  for (int y = 0; y < pixels.height; ++y) {
    PackRow(pixels.data + static_cast<ptrdiff_t>(y) * pixels.stride, pixels.width, opaque, row);
    png_write_row(png, row);
  }
  png_write_end(png, info);
  return true;
}

}  // namespace

std::string EncodePng(const ArgbPixelsView& pixels, const PngSettings& settings) {
  if (settings.compression < 0 || settings.compression > 9) {
    ThrowUsageError("PNG compression level " + std::to_string(settings.compression) +
                    " is outside 0-9");
  }
  bool opaque = IsOpaque(pixels);
  std::vector<uint8_t> row(static_cast<size_t>(pixels.width) * (opaque ? 3 : 4));
  std::string bytes;
  // Figures compress to a few percent of their pixels; growing from empty copies them repeatedly.
  bytes.reserve(static_cast<size_t>(pixels.width) * pixels.height / 4 + 1024);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, IgnoreWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  bool written = false;
  if (info) {
    png_set_write_fn(png, &bytes, AppendToString, FlushNothing);
    written = WritePngRows(png, info, pixels, opaque, settings, row.data());
  }
  png_destroy_write_struct(&png, &info);
  if (!written) throw Error(ErrorKind::kOutput, "PNG encoding failed: out of memory");
  return bytes;
}

}  // namespace attnviz
