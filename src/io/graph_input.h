// The graph loader on bytes already in memory, for the fuzz harness (tests/fuzz), which hands it an
// exact-size heap copy instead of a file.
#pragma once

#include <memory>
#include <string>

#include "attnviz/io/graph_dump.h"
#include "attnviz/io/numeric_arrays.h"
#include "attnviz/tensor/byte_source.h"

namespace attnviz {

// ReadNumericArrays on `source`, naming `path` in its errors.
NumericArrays ReadNumericArraysFrom(std::shared_ptr<const ByteSource> source,
                                    const std::string& path);

// LoadGraphAttention on `source`, naming `path` in its errors.
GraphAttention LoadGraphAttentionFrom(std::shared_ptr<const ByteSource> source,
                                      const std::string& path,
                                      const GraphLoadOptions& options = {});

}  // namespace attnviz
