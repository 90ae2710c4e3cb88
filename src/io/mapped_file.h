// Opening an input: memory-mapped when it is a regular file, read into memory otherwise.
#pragma once

#include <memory>
#include <string>

#include "attnviz/tensor/byte_source.h"

namespace attnviz {

// Maps `path` read-only; "-" reads standard input into memory. Throws an input Error naming the
// path when it cannot be opened or read.
std::shared_ptr<const ByteSource> OpenInput(const std::string& path);

}  // namespace attnviz
