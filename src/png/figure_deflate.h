// A fast zlib stream for PNG figures: each pixel is matched only against its left neighbour and
// the pixel above, which is where flat-colour figures repeat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace attnviz {

// Pixels as a PNG holds them: each word is one pixel 0xAARRGGBB with straight (not premultiplied)
// channels; 3 bytes per pixel write R, G, B and ignore A, 4 write R, G, B, A. `stride` counts
// words. The words must stay alive while the view is used.
struct PngPixelRows {
  const uint32_t* words = nullptr;
  int width = 0;
  int height = 0;
  ptrdiff_t stride = 0;
  int bytes_per_pixel = 3;
};

struct ZlibStream {
  std::unique_ptr<uint8_t[]> bytes;
  size_t size = 0;
};

// The zlib stream of the PNG image data of `rows`: each row a filter byte NONE and its pixels'
// bytes. Runs of pixels equal to their left neighbour or to the pixel above become copies, the
// rest literals, under Huffman codes fitted to the figure. Bands of rows of a large image are
// coded on up to `threads` threads. Equal pixels give equal bytes, whatever the threads.
ZlibStream DeflateFigure(const PngPixelRows& rows, int threads = 1);

}  // namespace attnviz
