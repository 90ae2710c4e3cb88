// Pictures by their signature: PNG or JPEG.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "attnviz/error.h"
#include "attnviz/io/image.h"

namespace attnviz {
namespace {

// An overlay is a figure, not a photo archive: beyond this a side is a mistake (1 GB of RGBA).
constexpr int64_t kMaxSide = 16384;

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr unsigned char kJpegStart[3] = {0xff, 0xd8, 0xff};  // SOI, then a marker

std::string FirstBytes(const std::string& path, size_t count) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) ThrowInputError(path, std::string("cannot open: ") + std::strerror(errno));
  std::string head(count, '\0');
  head.resize(std::fread(head.data(), 1, count, file));
  std::fclose(file);
  return head;
}

bool StartsWith(const std::string& head, const unsigned char* signature, size_t size) {
  return head.size() >= size && std::memcmp(head.data(), signature, size) == 0;
}

}  // namespace

RgbaImage ReadImage(const std::string& path) {
  std::string head = FirstBytes(path, sizeof kPngSignature);
  if (StartsWith(head, kPngSignature, sizeof kPngSignature)) return ReadPngImage(path);
  if (StartsWith(head, kJpegStart, sizeof kJpegStart)) return ReadJpegImage(path);
  ThrowInputError(path, head.empty() ? "expected a PNG or JPEG image, found an empty file"
                                     : "expected a PNG or JPEG image, found something else");
}

void CheckImageSide(const std::string& path, int64_t width, int64_t height) {
  if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide) {
    ThrowInputError(path, "expected an image of 1 to " + std::to_string(kMaxSide) +
                              " pixels a side, found " + std::to_string(width) + " x " +
                              std::to_string(height));
  }
}

}  // namespace attnviz
