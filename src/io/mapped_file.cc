// Read-only memory maps of input files; pipes and standard input are read into memory. A mapped
// file that shrinks while it is read (a training job saving over it) ends in an input Error, not in
// a SIGBUS: see ShrinkGuard below.
#include "io/mapped_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "attnviz/error.h"
#include "attnviz/io/memory_limit.h"

namespace attnviz {

namespace {

#ifdef MADV_POPULATE_READ
constexpr int kPopulateRead = MADV_POPULATE_READ;
#else
constexpr int kPopulateRead = 22;  // its value in <linux/mman.h>
#endif

// One live map in ShrinkGuard's table; begin is 0 for a free slot.
struct GuardedMap {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> shrunk{false};
  int fd = -1;
  const std::string* path = nullptr;
};

// Reading a page of a map past the end of its file raises SIGBUS, in whichever thread touches it
// (tensors hand out spans into the map, so reads happen all over). The guard keeps the live maps
// in a table the signal handler can read; on a fault inside one it maps zero pages over the rest
// of that map, marks it shrunk and returns, so the read completes with zeros. ThrowIfInputShrank
// then turns the mark into an input Error before any output is written (WriteFileAtomically) and
// before the command ends (main). A fault outside every map is a real crash: the default action.
class ShrinkGuard {
 public:
  static constexpr size_t kSlots = 256;  // maps open at once; more stay unguarded

  // Registers a map of `size` bytes at `address` of the file `fd` named `path`; the slot, or -1.
  static int Add(const void* address, size_t size, int fd, const std::string* path) {
    Install();
    for (size_t i = 0; i < kSlots; ++i) {
      GuardedMap& slot = slots_[i];
      uintptr_t empty = 0;
      if (!slot.begin.compare_exchange_strong(empty, kClaimed)) continue;
      slot.fd = fd;
      slot.path = path;
      slot.shrunk.store(false);
      slot.end.store(reinterpret_cast<uintptr_t>(address) + size);
      slot.begin.store(reinterpret_cast<uintptr_t>(address));
      return static_cast<int>(i);
    }
    return -1;
  }

  // Before the map is unmapped. A shrunk map's error outlives it: its dump may be gone before
  // the command writes what it drew.
  static void Remove(int index) {
    if (index < 0) return;
    GuardedMap& slot = slots_[static_cast<size_t>(index)];
    if (slot.shrunk.load()) {
      std::lock_guard lock(closed_mutex_);
      if (closed_shrunk_.empty()) {
        try {
          ThrowShrunk(*slot.path, slot.fd, slot.end.load() - slot.begin.load());
        } catch (const Error& error) {
          closed_shrunk_ = error.what();
        }
      }
    }
    slot.end.store(0);
    slots_[static_cast<size_t>(index)].begin.store(0);
  }

  static bool Shrunk(int index) { return index >= 0 && slots_[index].shrunk.load(); }

  // The input Error of the first map marked shrunk, if any.
  static void ThrowIfAnyShrunk() {
    if (!any_shrunk_.load()) return;
    for (const GuardedMap& slot : slots_) {
      if (slot.shrunk.load() && slot.begin.load() > kClaimed) {
        ThrowShrunk(*slot.path, slot.fd, slot.end.load() - slot.begin.load());
      }
    }
    std::lock_guard lock(closed_mutex_);
    if (!closed_shrunk_.empty()) throw Error(ErrorKind::kInput, closed_shrunk_);
  }

  static void Forget() {
    std::lock_guard lock(closed_mutex_);
    closed_shrunk_.clear();
    for (GuardedMap& slot : slots_) slot.shrunk.store(false);
    any_shrunk_.store(false);
  }

  [[noreturn]] static void ThrowShrunk(const std::string& path, int fd, size_t mapped) {
    struct stat info;
    const std::string now =
        fstat(fd, &info) == 0 ? std::to_string(info.st_size) + " bytes" : "fewer bytes";
    ThrowInputError(path, "the file shrank while being read: it had " + std::to_string(mapped) +
                              " bytes, now " + now +
                              " (is another program writing it? read it once it is complete)");
  }

 private:
  static constexpr uintptr_t kClaimed = 1;  // begin while a slot is being filled

  static void Install() {
    static std::once_flag once;
    std::call_once(once, [] {
      page_ = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
      struct sigaction action {};
      action.sa_sigaction = OnBusError;
      action.sa_flags = SA_SIGINFO;
      sigemptyset(&action.sa_mask);
      sigaction(SIGBUS, &action, nullptr);
    });
  }

  // Async-signal-safe: atomics, mmap and signal only.
  static void OnBusError(int signal_number, siginfo_t* info, void*) {
    const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    for (GuardedMap& slot : slots_) {
      const uintptr_t begin = slot.begin.load(), end = slot.end.load();
      if (begin <= kClaimed || address < begin || address >= end) continue;
      const uintptr_t page = address - address % page_;
      void* zeros = mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      if (zeros == MAP_FAILED) break;
      slot.shrunk.store(true);
      any_shrunk_.store(true);
      return;  // the faulting read runs again, on zeros
    }
    signal(signal_number, SIG_DFL);  // not ours: crash as before, on return
  }

  static inline std::array<GuardedMap, kSlots> slots_{};
  static inline std::atomic<bool> any_shrunk_{false};
  static inline uintptr_t page_ = 4096;
  static inline std::mutex closed_mutex_;
  static inline std::string closed_shrunk_;  // the error of a shrunk map already closed
};

class MappedFile : public ByteSource {
 public:
  // Owns the map and `fd`, the file it maps, named `path` in errors.
  MappedFile(void* address, size_t size, int fd, std::string path)
      : address_(address), size_(size), fd_(fd), path_(std::move(path)) {
    guard_slot_ = ShrinkGuard::Add(address_, size_, fd_, &path_);
  }
  ~MappedFile() override {
    ShrinkGuard::Remove(guard_slot_);
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
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) ShrinkGuard::ThrowShrunk(path_, fd_, size_);  // the end came early
      if (n < 0) break;  // cannot be read: the map has the same bytes (or is guarded alike)
      out += n;
      offset += n;
      left -= static_cast<size_t>(n);
    }
    if (left > 0) std::memcpy(out, range.data() + (range.size() - left), left);
    if (ShrinkGuard::Shrunk(guard_slot_)) ShrinkGuard::ThrowShrunk(path_, fd_, size_);
  }

 private:
  void* address_;
  size_t size_;
  int fd_;
  std::string path_;
  int guard_slot_ = -1;
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

void ThrowIfInputShrank() { ShrinkGuard::ThrowIfAnyShrunk(); }

void ForgetShrunkInputsForTesting() { ShrinkGuard::Forget(); }

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
  auto mapped = std::make_shared<MappedFile>(address, size, file.fd, path);
  file.fd = -1;  // the map owns it now
  return mapped;
}

}  // namespace attnviz
