// The one exception type of attnviz: what went wrong, where, and which exit code it maps to.
#pragma once

#include <stdexcept>
#include <string>

namespace attnviz {

// Which side of the pipeline failed; the cli maps each kind to its exit code (2, 3, 4).
enum class ErrorKind { kUsage, kInput, kOutput };

// Thrown by the library, caught only in the cli. The message is complete and user-facing:
// it names the file and says what was expected versus what was found, e.g.
// "attn.npy: header says shape (2, 3) float32 = 24 bytes, file has 8 bytes after the header".
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// "path: what" as an input error (exit code 3).
[[noreturn]] inline void ThrowInputError(const std::string& path, const std::string& what) {
  throw Error(ErrorKind::kInput, path + ": " + what);
}

// "path: what" as an output error (exit code 4).
[[noreturn]] inline void ThrowOutputError(const std::string& path, const std::string& what) {
  throw Error(ErrorKind::kOutput, path + ": " + what);
}

// A usage error (exit code 2): bad option values, out-of-range indices.
[[noreturn]] inline void ThrowUsageError(const std::string& what) {
  throw Error(ErrorKind::kUsage, what);
}

}  // namespace attnviz
