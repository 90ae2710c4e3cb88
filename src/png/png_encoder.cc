// PNG encoding: the default levels deflate with our figure encoder (figure_deflate.h), the others
// pack the rows into one buffer for libdeflate; the chunks are written here. libpng's zlib stream
// took 15% longer on a 776 x 742 heatmap at level 2 and wrote 20% more bytes; at level 6 it took
// twice as long (docs/colormaps.md, "From colours to output").
#include "attnviz/png/png_encoder.h"

#include <libdeflate.h>

#include <array>
#include <cmath>
#include <memory>
#include <string_view>
#include <vector>

#include "attnviz/error.h"
#include "figure_deflate.h"
#include "simd/kernels.h"

namespace attnviz {
namespace {

// Figures are flat colour and heatmap cells repeat exactly, which deflate finds unfiltered; on our
// heatmaps (15 x 15 tokens to 2000 x 2000, level 6) NONE gave the smallest files, 5-45% below
// libpng's adaptive choice and SUB, at the same or better speed (UP was within 5% on flat maps).
constexpr uint8_t kRowFilterNone = 0;

// A chunk holds less than 2 GiB; a stream beyond this goes into several IDAT chunks.
constexpr size_t kMaxChunkData = size_t{1} << 30;

constexpr std::string_view kSignature = "\x89PNG\r\n\x1a\n";

// Levels up to this one use the figure encoder; level 0 stores the rows uncompressed.
constexpr int kMaxFigureLevel = 2;

// An AND over the row, a vector at a time (src/simd), rather than a test per pixel.
uint32_t AndOfRow(const uint32_t* row, int width) {
  return simd::AndOfWords(row, static_cast<size_t>(width));
}

// A channel of a pixel whose alpha is neither 0 nor 255.
uint8_t Unpremultiply(uint32_t channel, uint32_t alpha) {
  return static_cast<uint8_t>((channel * 255 + alpha / 2) / alpha);
}

uint32_t Unpremultiplied(uint32_t pixel) {
  uint32_t alpha = pixel >> 24;
  // Most pixels of a transparent figure are clear or opaque: no division.
  if (alpha == 0) return 0;
  if (alpha == 0xff) return pixel;
  return alpha << 24 | uint32_t{Unpremultiply((pixel >> 16) & 0xff, alpha)} << 16 |
         uint32_t{Unpremultiply((pixel >> 8) & 0xff, alpha)} << 8 |
         Unpremultiply(pixel & 0xff, alpha);
}

// Straight-alpha copies of translucent pixels, rows back to back, as the PNG stores them.
std::vector<uint32_t> Unpremultiplied(const ArgbPixelsView& pixels) {
  std::vector<uint32_t> words;
  words.reserve(static_cast<size_t>(pixels.width) * static_cast<size_t>(pixels.height));
  for (int y = 0; y < pixels.height; ++y) {
    const uint32_t* row = pixels.data + static_cast<ptrdiff_t>(y) * pixels.stride;
    for (int x = 0; x < pixels.width; ++x) words.push_back(Unpremultiplied(row[x]));
  }
  return words;
}

// One row of packed RGB or RGBA bytes as the PNG holds them.
void PackRow(const uint32_t* words, int width, int bytes_per_pixel, uint8_t* out) {
  for (int x = 0; x < width; ++x) {
    *out++ = static_cast<uint8_t>(words[x] >> 16);
    *out++ = static_cast<uint8_t>(words[x] >> 8);
    *out++ = static_cast<uint8_t>(words[x]);
    if (bytes_per_pixel == 4) *out++ = static_cast<uint8_t>(words[x] >> 24);
  }
}

struct CompressorDeleter {
  void operator()(libdeflate_compressor* compressor) const {
    libdeflate_free_compressor(compressor);
  }
};
using Compressor = std::unique_ptr<libdeflate_compressor, CompressorDeleter>;

// One compressor per level and thread, kept: allocating one costs as much as deflating a small
// figure, and a compressor must not be shared between threads.
libdeflate_compressor* CompressorFor(int level) {
  thread_local std::array<Compressor, 10> compressors;
  Compressor& compressor = compressors[static_cast<size_t>(level)];
  if (!compressor) compressor.reset(libdeflate_alloc_compressor(level));
  if (!compressor) throw Error(ErrorKind::kOutput, "PNG encoding failed: out of memory");
  return compressor.get();
}

void AppendBigEndian(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

// Length, type, data and the CRC-32 of type and data.
void AppendChunk(std::string& out, std::string_view type, std::string_view data) {
  AppendBigEndian(out, static_cast<uint32_t>(data.size()));
  size_t type_at = out.size();
  out.append(type).append(data);
  AppendBigEndian(out, libdeflate_crc32(0, out.data() + type_at, type.size() + data.size()));
}

std::string HeaderData(const ArgbPixelsView& pixels, bool opaque) {
  std::string data;
  AppendBigEndian(data, static_cast<uint32_t>(pixels.width));
  AppendBigEndian(data, static_cast<uint32_t>(pixels.height));
  const char colour_type = opaque ? 2 : 6;       // RGB, RGBA
  data += std::string{8, colour_type, 0, 0, 0};  // depth, type, deflate, filter set 0, no interlace
  return data;
}

std::string PhysicalSizeData(double dpi) {
  std::string data;
  uint32_t pixels_per_metre = static_cast<uint32_t>(std::lround(dpi / 0.0254));
  AppendBigEndian(data, pixels_per_metre);
  AppendBigEndian(data, pixels_per_metre);
  return data + std::string(1, 1);  // unit: metre
}

// Each row as a filter byte and its packed pixels, as the IDAT stream holds them; written in full
// before it is read, so not zero-filled.
std::unique_ptr<uint8_t[]> FilteredRows(const PngPixelRows& rows, size_t size) {
  size_t row_bytes =
      static_cast<size_t>(rows.width) * static_cast<size_t>(rows.bytes_per_pixel) + 1;
  auto filtered = std::make_unique_for_overwrite<uint8_t[]>(size);
  for (int y = 0; y < rows.height; ++y) {
    uint8_t* row = &filtered[row_bytes * static_cast<size_t>(y)];
    row[0] = kRowFilterNone;
    PackRow(rows.words + y * rows.stride, rows.width, rows.bytes_per_pixel, row + 1);
  }
  return filtered;
}

ZlibStream LibdeflateStream(const PngPixelRows& rows, int level) {
  size_t size = (static_cast<size_t>(rows.width) * static_cast<size_t>(rows.bytes_per_pixel) + 1) *
                static_cast<size_t>(rows.height);
  std::unique_ptr<uint8_t[]> filtered = FilteredRows(rows, size);
  libdeflate_compressor* compressor = CompressorFor(level);
  size_t bound = libdeflate_zlib_compress_bound(compressor, size);
  ZlibStream stream{std::make_unique_for_overwrite<uint8_t[]>(bound), 0};
  stream.size =
      libdeflate_zlib_compress(compressor, filtered.get(), size, stream.bytes.get(), bound);
  if (stream.size == 0) throw Error(ErrorKind::kOutput, "PNG encoding failed: deflate overflowed");
  return stream;
}

ZlibStream ZlibStreamOf(const PngPixelRows& rows, const PngSettings& settings) {
  const int level = settings.compression;
  if (level >= 1 && level <= kMaxFigureLevel) return DeflateFigure(rows, settings.threads);
  return LibdeflateStream(rows, level);
}

}  // namespace

bool IsOpaque(const ArgbPixelsView& pixels) {
  for (int y = 0; y < pixels.height; ++y) {
    const uint32_t* row = pixels.data + static_cast<ptrdiff_t>(y) * pixels.stride;
    if ((AndOfRow(row, pixels.width) >> 24) != 0xff) return false;
  }
  return true;
}

std::string EncodePng(const ArgbPixelsView& pixels, const PngSettings& settings) {
  if (settings.compression < 0 || settings.compression > 9) {
    ThrowUsageError("PNG compression level " + std::to_string(settings.compression) +
                    " is outside 0-9");
  }
  bool opaque = IsOpaque(pixels);
  std::vector<uint32_t> straight;
  if (!opaque) straight = Unpremultiplied(pixels);
  PngPixelRows rows =
      opaque ? PngPixelRows{pixels.data, pixels.width, pixels.height, pixels.stride, 3}
             : PngPixelRows{straight.data(), pixels.width, pixels.height, pixels.width, 4};
  ZlibStream stream = ZlibStreamOf(rows, settings);
  std::string_view idat(reinterpret_cast<const char*>(stream.bytes.get()), stream.size);
  std::string png(kSignature);
  png.reserve(idat.size() + 128);
  AppendChunk(png, "IHDR", HeaderData(pixels, opaque));
  AppendChunk(png, "sRGB", std::string(1, 0));  // rendering intent: perceptual
  AppendChunk(png, "pHYs", PhysicalSizeData(settings.dpi));
  for (size_t at = 0; at < idat.size(); at += kMaxChunkData) {
    AppendChunk(png, "IDAT", idat.substr(at, kMaxChunkData));
  }
  AppendChunk(png, "IEND", "");
  return png;
}

}  // namespace attnviz
