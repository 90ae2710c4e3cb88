// Opening a dump of any supported format: format detection, axes, batch and tokens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attnviz/io/dump.h"

namespace attnviz {

struct LoadOptions {
  std::optional<std::string> key;                // npz member or safetensors tensor (--key)
  std::optional<std::vector<Axis>> axes;         // names of the stored dimensions (--axes)
  int64_t batch = 0;                             // the batch item to read (--batch)
  std::optional<std::string> tokens_path;        // both query and key tokens (--tokens)
  std::optional<std::string> query_tokens_path;  // --query-tokens
  std::optional<std::string> key_tokens_path;    // --key-tokens
  bool no_tokens = false;               // --no-tokens: ignore embedded tokens and side files found
  bool keep_padding = false;            // --keep-padding: show padded positions too
  std::vector<std::string> pad_tokens;  // --pad-token: replace [PAD], <pad>, <|pad|>
  bool softmax = false;                 // --softmax: the dump holds scores; read probabilities
};

// Detects the format from the first bytes: "\x93NUMPY", a torch.save zip (first member
// NAME/data.pkl) or legacy file (its magic-number pickle), "PK\x03\x04" (or an empty zip), an
// 8-byte little-endian length followed by '{' (safetensors), or '{' / '[' after whitespace (JSON).
std::optional<FileFormat> DetectFormat(std::span<const std::byte> head);

// Opens `path` ("-" reads standard input). npy, safetensors and stored npz members stay memory
// mapped. Throws Error (kInput for bad files, kUsage for options that do not fit the file).
Dump LoadDump(const std::string& path, const LoadOptions& options = {});

}  // namespace attnviz
