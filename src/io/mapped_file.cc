// Read-only memory maps of input files; pipes and standard input are read into memory.
#include "io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "attnviz/error.h"
#include "attnviz/io/memory_limit.h"

namespace attnviz {

namespace {

#ifdef MADV_POPULATE_READ
constexpr int kPopulateRead = MADV_POPULATE_READ;
#else
constexpr int kPopulateRead = 22;  // its value in <linux/mman.h>
#endif

class MappedFile : public ByteSource {
 public:
  // Owns the map and `fd`, the file it maps.
  MappedFile(void* address, size_t size, int fd) : address_(address), size_(size), fd_(fd) {}
  ~MappedFile() override {
    munmap(address_, size_);
    close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const override {
    return {static_cast<const std::byte*>(address_), size_};
  }

  // kSoon starts readahead of the whole range; kNow maps it in; kDone drops the pages wholly inside
  // it from this mapping (read-only and unmodified, so a later read faults them in again from the
  // file).
  void Advise(std::span<const std::byte> range, Access access) const override {
    static const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    auto begin = reinterpret_cast<uintptr_t>(range.data());
    auto end = begin + range.size();
    if (access != Access::kDone) {
      begin -= begin % page;
      // MADV_POPULATE_READ (Linux 5.14) maps the pages in one call instead of a fault per 64 KB;
      // older kernels refuse it and the pages fault in as before.
      madvise(reinterpret_cast<void*>(begin), end - begin,
              access == Access::kSoon ? MADV_WILLNEED : kPopulateRead);
      return;
    }
    begin += (page - begin % page) % page;
    end -= end % page;
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  }

  void Copy(std::span<const std::byte> range, std::byte* out) const override {
    if (range.empty()) return;
    auto offset = static_cast<off_t>(range.data() - static_cast<const std::byte*>(address_));
    size_t left = range.size();
    while (left > 0) {
      const ssize_t n = pread(fd_, out, left, offset);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        break;  // the file shrank or cannot be read: the map has the same bytes or faults alike
      }
      out += n;
      offset += n;
      left -= static_cast<size_t>(n);
    }
    if (left > 0) std::memcpy(out, range.data() + (range.size() - left), left);
  }

 private:
  void* address_;
  size_t size_;
  int fd_;
};

// Closes a file descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
};

std::shared_ptr<const ByteSource> ReadAll(int fd, const std::string& path) {
  std::vector<std::byte> data;
  std::byte chunk[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowInputError(path, std::string("cannot read: ") + std::strerror(errno));
    }
    CheckMaterialize(path, data.size() + static_cast<size_t>(n), "reading this stream");
    data.insert(data.end(), chunk, chunk + n);
  }
  return std::make_shared<OwnedBytes>(std::move(data));
}

}  // namespace

std::shared_ptr<const ByteSource> OpenInput(const std::string& path) {
  if (path == "-") return ReadAll(STDIN_FILENO, "<stdin>");
  FdCloser file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) ThrowInputError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat info;
  if (fstat(file.fd, &info) != 0) {
    ThrowInputError(path, std::string("cannot stat: ") + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) ThrowInputError(path, "expected a file, found a directory");
  if (!S_ISREG(info.st_mode)) return ReadAll(file.fd, path);
  if (info.st_size == 0) return std::make_shared<OwnedBytes>(std::vector<std::byte>{});
  const size_t size = static_cast<size_t>(info.st_size);
  void* address = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.fd, 0);
  if (address == MAP_FAILED) {
    ThrowInputError(path, std::string("cannot map: ") + std::strerror(errno));
  }
  auto mapped = std::make_shared<MappedFile>(address, size, file.fd);
  file.fd = -1;  // the map owns it now
  return mapped;
}

}  // namespace attnviz
