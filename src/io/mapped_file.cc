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

class MappedFile : public ByteSource {
 public:
  MappedFile(void* address, size_t size) : address_(address), size_(size) {}
  ~MappedFile() override { munmap(address_, size_); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const override {
    return {static_cast<const std::byte*>(address_), size_};
  }

  // kSoon starts readahead of the whole range; kDone drops the pages wholly inside it from this
  // mapping (read-only and unmodified, so a later read faults them in again from the file).
  void Advise(std::span<const std::byte> range, Access access) const override {
    static const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    auto begin = reinterpret_cast<uintptr_t>(range.data());
    auto end = begin + range.size();
    if (access == Access::kSoon) {
      begin -= begin % page;
      madvise(reinterpret_cast<void*>(begin), end - begin, MADV_WILLNEED);
      return;
    }
    begin += (page - begin % page) % page;
    end -= end % page;
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  }

 private:
  void* address_;
  size_t size_;
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
  const FdCloser file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
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
  return std::make_shared<MappedFile>(address, size);
}

}  // namespace attnviz
