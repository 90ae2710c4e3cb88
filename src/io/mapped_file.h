// Opening an input: memory-mapped when it is a regular file, read into memory otherwise.
#pragma once

#include <memory>
#include <string>

#include "attnviz/tensor/byte_source.h"

namespace attnviz {

// Maps `path` read-only; "-" reads standard input into memory. Throws an input Error naming the
// path when it cannot be opened or read.
// A mapped file that shrinks while being read does not crash the process: reads past its new end
// give zeros and the map is marked; ByteSource::Copy throws at once (an input Error naming the
// file), and so does ThrowIfInputShrank (declared in attnviz/io/load.h) for reads in place.
std::shared_ptr<const ByteSource> OpenInput(const std::string& path);

// Clears what ThrowIfInputShrank remembers, so that tests after one that shrinks a file start
// clean.
void ForgetShrunkInputsForTesting();

}  // namespace attnviz
