// The largest amount of data attnviz copies into memory (inflated npz members, JSON, stdin).
#pragma once

#include <cstdint>
#include <string>

namespace attnviz {

// 4 GiB unless ATTNVIZ_MAX_MEMORY says otherwise (bytes, or with a K, M or G suffix).
// Memory-mapped data (npy, safetensors, stored npz members) does not count: it is never copied.
uint64_t MaterializeLimit();

// An input Error naming `path` when materialising `bytes` for `what` would pass the limit.
void CheckMaterialize(const std::string& path, uint64_t bytes, const std::string& what);

}  // namespace attnviz
