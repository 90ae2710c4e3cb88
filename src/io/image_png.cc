// PNG pictures through libpng's simplified API, which converts every PNG variant to 8-bit RGBA.
#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "attnviz/error.h"
#include "attnviz/io/image.h"

namespace attnviz {
namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File OpenImage(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) ThrowInputError(path, std::string("cannot open: ") + std::strerror(errno));
  return file;
}

// libpng's own message for a file that is not PNG is vague; the signature says what it is.
void CheckSignature(std::FILE* file, const std::string& path) {
  unsigned char head[8] = {};
  size_t got = std::fread(head, 1, sizeof head, file);
  if (got != sizeof head || std::memcmp(head, kPngSignature, sizeof head) != 0) {
    bool jpeg = got >= 2 && head[0] == 0xff && head[1] == 0xd8;
    ThrowInputError(
        path, std::string("expected a PNG image, found ") + (jpeg ? "a JPEG" : "something else"));
  }
  std::rewind(file);
}

}  // namespace

RgbaImage ReadPngImage(const std::string& path) {
  File file = OpenImage(path);
  CheckSignature(file.get(), path);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_stdio(&image, file.get())) {
    ThrowInputError(path, std::string("unreadable PNG: ") + image.message);
  }
  try {
    CheckImageSide(path, image.width, image.height);
  } catch (...) {
    png_image_free(&image);
    throw;
  }
  image.format = PNG_FORMAT_RGBA;
  RgbaImage result{static_cast<int>(image.width), static_cast<int>(image.height), {}};
  result.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, result.rgba.data(), 0, nullptr)) {
    ThrowInputError(path, std::string("damaged PNG: ") + image.message);
  }
  return result;
}

}  // namespace attnviz
