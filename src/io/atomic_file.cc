// Atomic output: a temporary file in the target's folder, renamed into place when complete.
#include "attnviz/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "attnviz/error.h"

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

}  // namespace

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
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
  std::string temporary = (folder / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = mkstemp(temporary.data());
  if (fd < 0)
    ThrowOutputError(path, "cannot create a file in '" + folder.string() + "': " + ErrnoText());
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
