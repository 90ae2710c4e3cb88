// A loaded dump: the attention tensor, its tokens and where it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

enum class FileFormat { kNpy, kNpz, kJson, kSafetensors, kTorch };

// "npy", "npz", "json", "safetensors", "pt" (torch.save's zip format).
std::string_view FileFormatName(FileFormat format);

struct DumpMetadata {
  std::string path;  // as given on the command line ("-" for standard input)
  FileFormat format = FileFormat::kNpy;
  std::string array_name;  // npz member or safetensors tensor; empty when the file holds one array
  std::string model;       // from the file when it says, else empty
  // The model's number of this dump's layer 0 and head 0, when the file says which it holds (JSON
  // "layer": 11, "head": 0; per-layer members layer_3 ... layer_5); unset when it does not, and
  // then the dump's own indexes are the numbers (docs/formats.md "Layer and head numbers").
  std::optional<int64_t> layer_offset;
  std::optional<int64_t> head_offset;
};

struct Dump {
  AttentionTensor attention;
  std::optional<std::vector<std::string>> query_tokens;  // one per query, when known
  std::optional<std::vector<std::string>> key_tokens;    // one per key, when known
  DumpMetadata metadata;
  std::vector<std::string> notes;  // things the user should know, e.g. "batch has 4 items"
};

}  // namespace attnviz
