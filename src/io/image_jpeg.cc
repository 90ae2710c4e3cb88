// JPEG pictures through libjpeg-turbo's TurboJPEG API, converted to 8-bit RGBA.
#include <turbojpeg.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/image.h"

namespace attnviz {
namespace {

struct Decompressor {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TurboJpeg = std::unique_ptr<void, Decompressor>;

std::vector<unsigned char> ReadBytes(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) ThrowInputError(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char buffer[65536];
  for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, file)) > 0;) {
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  std::fclose(file);
  return bytes;
}

std::string ColorSpaceName(int color_space) {
  return color_space == TJCS_CMYK ? "CMYK" : "YCCK (CMYK)";
}

}  // namespace

RgbaImage ReadJpegImage(const std::string& path) {
  std::vector<unsigned char> bytes = ReadBytes(path);
  TurboJpeg jpeg(tjInitDecompress());
  if (!jpeg) throw Error(ErrorKind::kInput, path + ": cannot start the JPEG decoder");
  int width = 0, height = 0, subsampling = 0, color_space = 0;
  if (tjDecompressHeader3(jpeg.get(), bytes.data(), bytes.size(), &width, &height, &subsampling,
                          &color_space) != 0) {
    ThrowInputError(path, std::string("unreadable JPEG: ") + tjGetErrorStr2(jpeg.get()));
  }
  // libjpeg reads a file cut inside its header to its end and reports no size.
  if (width < 1 || height < 1) ThrowInputError(path, "unreadable JPEG: it ends before its size");
  CheckImageSide(path, width, height);
  if (color_space == TJCS_CMYK || color_space == TJCS_YCCK) {
    ThrowInputError(path, "expected an RGB or greyscale JPEG, found " +
                              ColorSpaceName(color_space) + " (convert it to RGB first)");
  }
  RgbaImage image{width, height, {}};
  image.rgba.resize(static_cast<size_t>(width) * height * 4);
  // Warnings (a file cut short decodes with grey at the bottom) are errors: the overlay must
  // show the picture the model saw. LIMITSCANS refuses progressive files of endless scans.
  if (tjDecompress2(jpeg.get(), bytes.data(), bytes.size(), image.rgba.data(), width, 0, height,
                    TJPF_RGBA, TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
    ThrowInputError(path, std::string("damaged JPEG: ") + tjGetErrorStr2(jpeg.get()));
  }
  return image;
}

}  // namespace attnviz
