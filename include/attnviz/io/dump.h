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

// Where a dump's tokens came from.
enum class TokenSource {
  kNone,
  kEmbedded,  // inside the dump (npz member, safetensors metadata, JSON key, .pt dict)
  kSideFile,  // STEM.tokens.txt or STEM.tokens.json found beside the dump
  kOption,    // --tokens, --query-tokens or --key-tokens
};

// "none", "embedded", "side file", "option".
std::string_view TokenSourceName(TokenSource source);

// How the padding of the selected batch item was told from its real tokens.
enum class PaddingSource {
  kNone,           // no padding known
  kAttentionMask,  // the dump's attention_mask
  kPadTokens,      // [PAD], <pad>, <|pad|> (or --pad-token) at the start or end of the tokens
  kZeroKeys,       // key columns exactly 0 in every row of the heads read
};

// "none", "attention_mask", "pad tokens", "zero key columns".
std::string_view PaddingSourceName(PaddingSource source);

// Where the real positions of the selected batch item lie along the stored query and key axes.
// Padding is a contiguous run at the start (left padding) or the end (right padding).
struct Padding {
  PaddingSource source = PaddingSource::kNone;
  int64_t query_first = 0;  // real queries are [query_first, query_end)
  int64_t query_end = 0;
  int64_t key_first = 0;  // real keys are [key_first, key_end)
  int64_t key_end = 0;
  // The tensor and tokens show only the real positions (the default; --keep-padding keeps all).
  bool trimmed = false;
  // The unpadded length of each batch item (the keys' for cross-attention), -1 where unknown:
  // a mask or per-item tokens tell every item, zero columns only the selected one.
  std::vector<int64_t> item_lengths;
};

struct DumpMetadata {
  std::string path;  // as given on the command line ("-" for standard input)
  FileFormat format = FileFormat::kNpy;
  std::string array_name;  // npz member or safetensors tensor; empty when the file holds one array
  std::string model;       // from the file when it says, else empty
  // When a dump holds a slice of a larger model (a JSON file with "layer": 11, "head": 0), the
  // model's index of this dump's layer 0 and head 0.
  int64_t layer_offset = 0;
  int64_t head_offset = 0;
  TokenSource token_source = TokenSource::kNone;
  std::string tokens_file;    // the side file or --tokens file the tokens came from, else empty
  bool default_axes = false;  // the axes are the default reading of the rank, not named anywhere
};

struct Dump {
  AttentionTensor attention;
  std::optional<std::vector<std::string>> query_tokens;  // one per query, when known
  std::optional<std::vector<std::string>> key_tokens;    // one per key, when known
  DumpMetadata metadata;
  std::vector<std::string> notes;  // things the user should know, e.g. "batch has 4 items"
  Padding padding;                 // stored coordinates, whether trimmed or kept
};

}  // namespace attnviz
