// Atomic output: a temporary file in the target's folder, renamed into place when complete.
#include "attnviz/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/load.h"

namespace attnviz {

namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Writes all of `bytes` to `fd`; false with errno set on failure.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// mkstemp creates files readable only by us; outputs get the permissions any new file would.
mode_t DefaultFileMode() {
  static const mode_t mode = [] {
    const mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
  }();
  return mode;
}

// Devices and pipes (/dev/stdout, /dev/full, a FIFO) cannot be replaced by rename: write to them.
void WriteToSpecialFile(const std::string& path, std::string_view bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) ThrowOutputError(path, "cannot open for writing: " + ErrnoText());
  const bool written = WriteAll(fd, bytes);
  const std::string error = ErrnoText();
  close(fd);
  if (!written) ThrowOutputError(path, "cannot write: " + error);
}

// Temporary files being written right now, so a signal handler can remove them.
std::array<std::atomic<const char*>, 64> in_flight{};

// Registers a temporary file for the lifetime of one write.
class InFlightTemporary {
 public:
  explicit InFlightTemporary(const std::string& path) : path_(path) {
    for (auto& slot : in_flight) {
      const char* empty = nullptr;
      if (slot.compare_exchange_strong(empty, path_.c_str())) {
        slot_ = &slot;
        return;
      }
    }
  }
  ~InFlightTemporary() {
    if (slot_ != nullptr) slot_->store(nullptr);
  }
  InFlightTemporary(const InFlightTemporary&) = delete;
  InFlightTemporary& operator=(const InFlightTemporary&) = delete;

 private:
  std::string path_;
  std::atomic<const char*>* slot_ = nullptr;
};

// ".NAME.tmp." — the prefix of every temporary file for target NAME.
std::string TemporaryPrefix(const std::filesystem::path& target) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "." + string.
  std::string prefix = ".";
  prefix += target.filename().string();
  return prefix += ".tmp.";
}

// A run killed with SIGKILL cannot clean up; the next write of the same target removes the
// temporaries whose writing process no longer exists (the pid is part of the name). Each folder
// is listed once per process: listing a folder of a thousand figures for every figure written
// took longer than writing it.
class StaleTemporaries {
 public:
  // Removes the stale temporaries of target `prefix` (TemporaryPrefix) in `folder`.
  void Remove(const std::filesystem::path& folder, const std::string& prefix) {
    std::lock_guard lock(mutex_);
    auto listed = listed_.find(folder.string());
    if (listed == listed_.end()) listed = listed_.emplace(folder.string(), List(folder)).first;
    std::vector<std::filesystem::path>& stale = listed->second;
    std::error_code error;
    std::erase_if(stale, [&](const std::filesystem::path& path) {
      if (!path.filename().string().starts_with(prefix)) return false;
      std::filesystem::remove(path, error);
      return true;
    });
  }

 private:
  // The temporaries in `folder` whose process no longer exists: ".NAME.tmp.PID.XXXXXX".
  static std::vector<std::filesystem::path> List(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> stale;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      const std::string name = entry.path().filename().string();
      const size_t tmp = name.rfind(".tmp.");
      if (name.empty() || name[0] != '.' || tmp == std::string::npos) continue;
      const long pid = std::strtol(name.c_str() + tmp + 5, nullptr, 10);
      if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        stale.push_back(entry.path());
      }
    }
    return stale;
  }

  std::mutex mutex_;
  std::map<std::string, std::vector<std::filesystem::path>> listed_;  // by folder
};

void RemoveStaleTemporaries(const std::filesystem::path& folder, const std::string& prefix) {
  static StaleTemporaries stale;
  stale.Remove(folder, prefix);
}

// Refuses to start a write that cannot fit, before any byte is written.
void CheckFreeSpace(const std::string& path, const std::filesystem::path& folder, size_t bytes) {
  struct statvfs space;
  if (statvfs(folder.c_str(), &space) != 0) return;
  const unsigned long long available =
      static_cast<unsigned long long>(space.f_bavail) * space.f_frsize;
  if (bytes > available) {
    ThrowOutputError(path, "needs " + std::to_string(bytes) + " bytes, folder '" + folder.string() +
                               "' has " + std::to_string(available) + " free");
  }
}

// "-": the bytes go to standard output (`-o - | pngcheck`), after what was printed before them.
void WriteToStandardOutput(std::string_view bytes) {
  std::fflush(stdout);
  if (!WriteAll(STDOUT_FILENO, bytes)) {
    ThrowOutputError("-", "cannot write to standard output: " + ErrnoText());
  }
}

}  // namespace

void RemoveTemporariesInFlight() {
  for (auto& slot : in_flight) {
    if (const char* path = slot.load()) unlink(path);
  }
}

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  ThrowIfInputShrank();  // what was drawn from a shrunk input is not written
  if (path == "-") {
    WriteToStandardOutput(bytes);
    return;
  }
  struct stat existing;
  if (stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    if (S_ISDIR(existing.st_mode))
      ThrowOutputError(path, "expected a file name, found a directory");
    WriteToSpecialFile(path, bytes);
    return;
  }
  const std::filesystem::path target(path);
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    ThrowOutputError(path, "cannot write: folder '" + folder.string() + "' does not exist");
  }
  const std::string prefix = TemporaryPrefix(target);
  RemoveStaleTemporaries(folder, prefix);
  CheckFreeSpace(path, folder, bytes.size());
  std::string temporary = (folder / (prefix + std::to_string(getpid()) + ".XXXXXX")).string();
  const int fd = mkstemp(temporary.data());
  if (fd < 0)
    ThrowOutputError(path, "cannot create a file in '" + folder.string() + "': " + ErrnoText());
  const InFlightTemporary registered(temporary);
  fchmod(fd, DefaultFileMode());
  const bool written = WriteAll(fd, bytes);
  const std::string write_error = ErrnoText();
  if (close(fd) != 0 || !written) {
    unlink(temporary.c_str());
    ThrowOutputError(path, "cannot write: " + (written ? ErrnoText() : write_error));
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string rename_error = ErrnoText();
    unlink(temporary.c_str());
    ThrowOutputError(path, "cannot rename the finished file into place: " + rename_error);
  }
}

}  // namespace attnviz
