// What a format reader hands to LoadDump: arrays and whatever the file says about them.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attnviz/io/dump.h"
#include "attnviz/io/load.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

struct RawDump {
  std::vector<ArrayView> arrays;  // one array, or one per layer when layer_stack
  bool layer_stack = false;
  std::optional<std::vector<Axis>> axes;  // when the file names its axes
  std::optional<std::vector<std::string>> tokens;
  std::optional<std::vector<std::string>> query_tokens;
  std::optional<std::vector<std::string>> key_tokens;
  // One token list per batch item (a (batch, n) array or a list of lists); `tokens` is then unset.
  std::optional<std::vector<std::vector<std::string>>> item_tokens;
  // The dump's attention mask (Hugging Face's attention_mask, any integer or bool dtype, decoded by
  // the reader): one row per batch item (a mask of shape (n) is one row), true for a real token.
  std::optional<std::vector<std::vector<bool>>> attention_mask;
  std::string array_name;
  std::string model;
  std::optional<int64_t> layer_offset;  // as DumpMetadata
  std::optional<int64_t> head_offset;
};

// Each reader throws an input Error naming `path` when the content is not what it expects, and a
// usage Error when `key` names no array of the file.
RawDump ReadNpyDump(std::shared_ptr<const ByteSource> source, const std::string& path);
RawDump ReadNpzDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                    const std::optional<std::string>& key);
// JSON: `key` names the member holding the attention (else attention/attentions/attn, ...).
RawDump ReadJsonDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                     const std::optional<std::string>& key = std::nullopt);
RawDump ReadSafetensorsDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                            const std::optional<std::string>& key);
// torch.save's zip format (PyTorch >= 1.6), read by a restricted unpickler that runs nothing.
RawDump ReadTorchDump(std::shared_ptr<const ByteSource> source, const std::string& path,
                      const std::optional<std::string>& key);

// LoadDump on bytes already in memory, named `path` in messages ("-" finds no sibling tokens
// file); the fuzz harnesses read their inputs this way, without a system call.
Dump LoadDumpFrom(std::shared_ptr<const ByteSource> source, const std::string& path,
                  const LoadOptions& options = {});

// ReadTokensFile on bytes already in memory, named `path` in messages.
std::vector<std::string> ReadTokens(std::span<const std::byte> bytes, const std::string& path);
// ReadTokenLists on bytes already in memory, named `path` in messages.
std::vector<std::vector<std::string>> ReadTokenLists(std::span<const std::byte> bytes,
                                                     const std::string& path);

}  // namespace attnviz
