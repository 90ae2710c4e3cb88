// What each libFuzzer harness does with one input; shared with the regression test so that a
// saved crash input replays through exactly the steps that found it.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace attnviz::fuzz {

// The harnesses: npy, npz, json, safetensors, tokens, torch (.pt: zip or legacy stream and the
// restricted unpickler), load (format detection and LoadDump), graph (LoadGraphAttention: npz,
// safetensors or .pt bytes as edge_index and alpha).
const std::vector<std::string_view>& HarnessNames();

// Runs harness `harness` on `input`. Every reader gets a heap copy of exactly the input's size, so
// that AddressSanitizer sees a read one byte past the end (a memory-mapped file would hide reads up
// to the end of its last page). What the harness's format detects as its own goes through the
// steps of LoadDump (LoadDumpFrom, without opening a file), then every head of every batch item is
// read and the tensor summarised; other bytes go to the format's own reader. attnviz::Error is a
// normal outcome and is swallowed; anything else escapes. A broken invariant of a loaded dump
// throws std::logic_error.
void RunHarness(std::string_view harness, std::span<const std::byte> input);

}  // namespace attnviz::fuzz
