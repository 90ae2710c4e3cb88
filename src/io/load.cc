// LoadDump: detect the format, read it, name the axes, pick the batch item and attach tokens.
#include "attnviz/io/load.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "attnviz/error.h"
#include "attnviz/io/tokens.h"
#include "io/mapped_file.h"
#include "io/npy.h"
#include "io/raw_dump.h"
#include "io/torch_file.h"

namespace attnviz {

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kNpy:
      return "npy";
    case FileFormat::kNpz:
      return "npz";
    case FileFormat::kJson:
      return "json";
    case FileFormat::kSafetensors:
      return "safetensors";
    case FileFormat::kTorch:
      return "pt";
  }
  return "?";
}

std::optional<FileFormat> DetectFormat(std::span<const std::byte> head) {
  const auto starts_with = [&](std::string_view magic) {
    return head.size() >= magic.size() && std::memcmp(head.data(), magic.data(), magic.size()) == 0;
  };
  if (starts_with("\x93NUMPY")) return FileFormat::kNpy;
  if (IsTorchArchive(head) || IsLegacyTorchFile(head)) return FileFormat::kTorch;
  if (starts_with("PK\x03\x04") || starts_with("PK\x05\x06")) return FileFormat::kNpz;
  if (head.size() >= 9 && static_cast<char>(head[8]) == '{' && head[6] == std::byte{0} &&
      head[7] == std::byte{0}) {
    return FileFormat::kSafetensors;
  }
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    return FileFormat::kJson;
  }
  return std::nullopt;
}

namespace {

// Enough of the start of a file for DetectFormat: a torch archive's first member name follows a
// 30-byte header and can be as long as a file name.
constexpr size_t kDetectBytes = 1024;

std::string HexPrefix(std::span<const std::byte> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 8); ++i) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    text += (i ? " " : "");
    text += digits[b >> 4];
    text += digits[b & 15];
  }
  return text;
}

// What to do with a format people try that attnviz does not read, named from its first bytes.
std::optional<std::string> OtherFormatAdvice(std::span<const std::byte> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                              std::min<size_t>(bytes.size(), 8));
  if (text.starts_with("\x89HDF\r\n\x1a\n")) {
    return "an HDF5 file, which attnviz does not read: save the attention with "
           "torch.save(outputs.attentions, path) or numpy.save(path, array)";
  }
  if (text.size() >= 2 && text[0] == '\x80' && text[1] >= 2 && text[1] <= 5) {
    return "a Python pickle, which attnviz does not unpickle (it can run code): save the "
           "attention with torch.save(outputs.attentions, path) or numpy.save(path, array)";
  }
  if (text.starts_with("\x1f\x8b")) return "a gzip-compressed file: decompress it first (gunzip)";
  return std::nullopt;
}

RawDump ReadRaw(std::shared_ptr<const ByteSource> source, const std::string& path,
                const LoadOptions& options, FileFormat& format) {
  const auto bytes = source->bytes();
  if (bytes.empty()) {
    ThrowInputError(path, "empty file, expected an npy, npz, json, safetensors or .pt dump");
  }
  const std::optional<FileFormat> detected =
      DetectFormat(bytes.first(std::min<size_t>(bytes.size(), kDetectBytes)));
  if (!detected) {
    if (const auto other = OtherFormatAdvice(bytes)) ThrowInputError(path, *other);
    ThrowInputError(path,
                    "unknown format: expected npy, npz, json or safetensors content or a .pt "
                    "file, found bytes " +
                        HexPrefix(bytes));
  }
  format = *detected;
  switch (format) {
    case FileFormat::kNpy:
      return ReadNpyDump(std::move(source), path);
    case FileFormat::kNpz:
      return ReadNpzDump(std::move(source), path, options.key);
    case FileFormat::kJson:
      return ReadJsonDump(std::move(source), path, options.key);
    case FileFormat::kSafetensors:
      return ReadSafetensorsDump(std::move(source), path, options.key);
    case FileFormat::kTorch:
      return ReadTorchDump(std::move(source), path, options.key);
  }
  return {};
}

void CheckLayerStack(const RawDump& raw, const std::string& path) {
  const ArrayView& first = raw.arrays.front();
  for (size_t i = 1; i < raw.arrays.size(); ++i) {
    const ArrayView& layer = raw.arrays[i];
    if (layer.shape != first.shape || layer.dtype != first.dtype) {
      ThrowInputError(path, "per-layer arrays differ: layer 0 is " + FormatShape(first.shape) +
                                " " + std::string(DTypeName(first.dtype)) + ", layer " +
                                std::to_string(i) + " is " + FormatShape(layer.shape) + " " +
                                std::string(DTypeName(layer.dtype)));
    }
  }
}

std::vector<Axis> ResolveAxes(const RawDump& raw, const LoadOptions& options,
                              const std::string& path) {
  const ArrayView& array = raw.arrays.front();
  const int rank = static_cast<int>(array.shape.size());
  std::vector<Axis> axes = options.axes      ? *options.axes
                           : raw.axes        ? *raw.axes
                           : raw.layer_stack ? DefaultAxes(rank + 1)
                                             : DefaultAxes(rank);
  if (raw.layer_stack && !axes.empty() && static_cast<int>(axes.size()) == rank + 1) {
    if (axes.front() != Axis::kLayer) {
      ThrowUsageError(path + ": per-layer arrays are stacked on a new first 'layer' axis, found " +
                      FormatAxes(axes));
    }
    axes.erase(axes.begin());
  }
  if (const auto problem = AxesProblem(axes, rank)) {
    const std::string message = path + ": shape " + FormatShape(array.shape) + ": " + *problem;
    if (options.axes) ThrowUsageError(message);
    throw Error(ErrorKind::kInput, message);
  }
  if (raw.layer_stack && std::find(axes.begin(), axes.end(), Axis::kLayer) != axes.end()) {
    ThrowUsageError(path + ": per-layer arrays cannot also have a 'layer' axis");
  }
  return axes;
}

void CheckNonEmpty(const AttentionTensor& tensor, const std::string& path) {
  for (size_t d = 0; d < tensor.shape().size(); ++d) {
    if (tensor.shape()[d] == 0) {
      ThrowInputError(path, "expected every dimension to be at least 1, found shape " +
                                FormatShape(tensor.shape()));
    }
  }
}

void SelectBatch(Dump& dump, int64_t batch) {
  const int64_t batches = dump.attention.batches();
  if (batch < 0 || batch >= batches) {
    ThrowUsageError(dump.metadata.path + ": --batch " + std::to_string(batch) +
                    " is out of range: the dump has " + std::to_string(batches) +
                    (batches == 1 ? " batch item (0)"
                                  : " batch items (0.." + std::to_string(batches - 1) + ")"));
  }
  dump.attention.SelectBatch(batch);
  if (batches > 1) {
    dump.notes.push_back("batch has " + std::to_string(batches) + " items; showing item " +
                         std::to_string(batch) + " (choose with --batch)");
  }
}

// STEM.tokens.txt or STEM.tokens.json beside the dump, when one exists.
std::optional<std::string> SiblingTokensFile(const std::string& path) {
  if (path == "-") return std::nullopt;
  std::filesystem::path stem(path);
  stem.replace_extension();
  for (const char* suffix : {".tokens.txt", ".tokens.json"}) {
    const std::string candidate = stem.string() + suffix;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error)) return candidate;
  }
  return std::nullopt;
}

// Checks a token list against the axis it labels; `source` names where the tokens came from.
std::vector<std::string> CheckTokens(std::vector<std::string> tokens, int64_t expected,
                                     const char* axis, const std::string& source) {
  if (static_cast<int64_t>(tokens.size()) != expected) {
    ThrowInputError(source, "expected " + std::to_string(expected) + " tokens (one per " + axis +
                                "), found " + std::to_string(tokens.size()));
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string problem = Utf8Problem(tokens[i]);
    if (!problem.empty()) {
      ThrowInputError(source, "token " + std::to_string(i) + ": " + problem);
    }
  }
  return tokens;
}

void AttachTokens(Dump& dump, RawDump& raw, const LoadOptions& options) {
  const std::string& path = dump.metadata.path;
  std::optional<std::vector<std::string>> both, query, key;
  std::string both_source = path, query_source = path, key_source = path;
  if (options.tokens_path) {
    both = ReadTokensFile(both_source = *options.tokens_path);
  } else if (raw.tokens) {
    both = std::move(raw.tokens);
  } else if (!raw.query_tokens && !raw.key_tokens && !options.query_tokens_path &&
             !options.key_tokens_path) {
    if (const auto sibling = SiblingTokensFile(path)) {
      both = ReadTokensFile(both_source = *sibling);
      dump.notes.push_back("tokens from " + *sibling);
    }
  }
  if (options.query_tokens_path) {
    query = ReadTokensFile(query_source = *options.query_tokens_path);
  } else if (raw.query_tokens) {
    query = std::move(raw.query_tokens);
  }
  if (options.key_tokens_path) {
    key = ReadTokensFile(key_source = *options.key_tokens_path);
  } else if (raw.key_tokens) {
    key = std::move(raw.key_tokens);
  }
  const AttentionTensor& tensor = dump.attention;
  if (query || both) {
    dump.query_tokens = query ? CheckTokens(*query, tensor.queries(), "query", query_source)
                              : CheckTokens(*both, tensor.queries(), "query", both_source);
  }
  if (key || both) {
    dump.key_tokens = key ? CheckTokens(*key, tensor.keys(), "key", key_source)
                          : CheckTokens(*both, tensor.keys(), "key", both_source);
  }
}

}  // namespace

Dump LoadDump(const std::string& path, const LoadOptions& options) {
  return LoadDumpFrom(OpenInput(path), path, options);
}

Dump LoadDumpFrom(std::shared_ptr<const ByteSource> source, const std::string& path,
                  const LoadOptions& options) {
  FileFormat format = FileFormat::kNpy;
  RawDump raw = ReadRaw(std::move(source), path, options, format);
  if (raw.layer_stack) CheckLayerStack(raw, path);
  const std::vector<Axis> axes = ResolveAxes(raw, options, path);
  Dump dump{raw.layer_stack ? AttentionTensor::FromLayerStack(std::move(raw.arrays), axes)
                            : AttentionTensor::FromArray(std::move(raw.arrays.front()), axes),
            std::nullopt,
            std::nullopt,
            DumpMetadata{},
            {}};
  dump.metadata = {path, format, raw.array_name, raw.model, raw.layer_offset, raw.head_offset};
  CheckNonEmpty(dump.attention, path);
  SelectBatch(dump, options.batch);
  AttachTokens(dump, raw, options);
  return dump;
}

}  // namespace attnviz
