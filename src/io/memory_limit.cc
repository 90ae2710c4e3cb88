// The materialisation limit: checked before allocating, never after.
#include "attnviz/io/memory_limit.h"

#include <cstdlib>

#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr uint64_t kDefaultLimit = 4ull << 30;

uint64_t ParseSize(const char* text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text) return kDefaultLimit;
  switch (*end) {
    case 'K':
    case 'k':
      return value << 10;
    case 'M':
    case 'm':
      return value << 20;
    case 'G':
    case 'g':
      return value << 30;
    default:
      return value;
  }
}

}  // namespace

uint64_t MaterializeLimit() {
  static const uint64_t limit = [] {
    const char* text = std::getenv("ATTNVIZ_MAX_MEMORY");
    return text != nullptr ? ParseSize(text) : kDefaultLimit;
  }();
  return limit;
}

void CheckMaterialize(const std::string& path, uint64_t bytes, const std::string& what) {
  if (bytes <= MaterializeLimit()) return;
  ThrowInputError(path, what + " needs " + std::to_string(bytes) +
                            " bytes in memory, more than the " +
                            std::to_string(MaterializeLimit()) +
                            "-byte limit (ATTNVIZ_MAX_MEMORY); use .npy, .safetensors or np.savez "
                            "(uncompressed), which attnviz reads memory-mapped");
}

}  // namespace attnviz
