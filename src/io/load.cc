// LoadDump: detect the format, read it, name the axes, pick the batch item and attach tokens.
#include "attnviz/io/load.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "attnviz/error.h"
#include "attnviz/io/tokens.h"
#include "io/mapped_file.h"
#include "io/npy.h"
#include "io/padding.h"
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

std::string_view TokenSourceName(TokenSource source) {
  switch (source) {
    case TokenSource::kNone:
      return "none";
    case TokenSource::kEmbedded:
      return "embedded";
    case TokenSource::kSideFile:
      return "side file";
    case TokenSource::kOption:
      return "option";
  }
  return "?";
}

std::string_view PaddingSourceName(PaddingSource source) {
  switch (source) {
    case PaddingSource::kNone:
      return "none";
    case PaddingSource::kAttentionMask:
      return "attention_mask";
    case PaddingSource::kPadTokens:
      return "pad tokens";
    case PaddingSource::kZeroKeys:
      return "zero key columns";
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

using TokenLists = std::vector<std::vector<std::string>>;

// The list of the selected batch item: one list serves every item, else one per item.
std::vector<std::string> ItemTokens(const TokenLists& lists, const AttentionTensor& tensor,
                                    const std::string& source) {
  if (lists.size() == 1) return lists.front();
  if (std::ssize(lists) != tensor.batches()) {
    ThrowInputError(source, "expected one token list per batch item (" +
                                std::to_string(tensor.batches()) + "), found " +
                                std::to_string(lists.size()) + " lists");
  }
  return lists[static_cast<size_t>(tensor.batch())];
}

// Tokens for both axes: --tokens, else embedded (per item or one list), else a side file.
std::optional<TokenLists> BothTokens(Dump& dump, RawDump& raw, const LoadOptions& options,
                                     std::string& source) {
  DumpMetadata& metadata = dump.metadata;
  if (options.tokens_path) {
    metadata.token_source = TokenSource::kOption;
    metadata.tokens_file = source = *options.tokens_path;
    return ReadTokenLists(*options.tokens_path);
  }
  if (options.no_tokens) return std::nullopt;
  if (raw.item_tokens || raw.tokens) {
    metadata.token_source = TokenSource::kEmbedded;
    return raw.item_tokens ? std::move(*raw.item_tokens) : TokenLists{std::move(*raw.tokens)};
  }
  if (raw.query_tokens || raw.key_tokens || options.query_tokens_path || options.key_tokens_path) {
    return std::nullopt;
  }
  const auto sibling = SiblingTokensFile(metadata.path);
  if (!sibling) return std::nullopt;
  metadata.token_source = TokenSource::kSideFile;
  metadata.tokens_file = source = *sibling;
  dump.notes.push_back("tokens from " + *sibling);
  return ReadTokenLists(*sibling);
}

// Tokens of one axis: its option, else embedded unless --no-tokens.
std::optional<std::vector<std::string>> AxisTokens(Dump& dump,
                                                   std::optional<std::vector<std::string>>& raw,
                                                   const std::optional<std::string>& option,
                                                   const LoadOptions& options,
                                                   std::string& source) {
  if (option) {
    dump.metadata.token_source = TokenSource::kOption;
    return ReadTokensFile(source = *option);
  }
  if (options.no_tokens || !raw) return std::nullopt;
  if (dump.metadata.token_source == TokenSource::kNone) {
    dump.metadata.token_source = TokenSource::kEmbedded;
  }
  return std::move(raw);
}

// Attaches the tokens of the selected batch item; returns every item's lists when known.
std::optional<TokenLists> AttachTokens(Dump& dump, RawDump& raw, const LoadOptions& options) {
  const std::string& path = dump.metadata.path;
  std::string both_source = path, query_source = path, key_source = path;
  std::optional<TokenLists> lists = BothTokens(dump, raw, options, both_source);
  const AttentionTensor& tensor = dump.attention;
  std::optional<std::vector<std::string>> both;
  if (lists) both = ItemTokens(*lists, tensor, both_source);
  const auto query =
      AxisTokens(dump, raw.query_tokens, options.query_tokens_path, options, query_source);
  const auto key = AxisTokens(dump, raw.key_tokens, options.key_tokens_path, options, key_source);
  if (query || both) {
    dump.query_tokens = query ? CheckTokens(*query, tensor.queries(), "query", query_source)
                              : CheckTokens(*both, tensor.queries(), "query", both_source);
  }
  if (key || both) {
    dump.key_tokens = key ? CheckTokens(*key, tensor.keys(), "key", key_source)
                          : CheckTokens(*both, tensor.keys(), "key", both_source);
  }
  return lists;
}

bool QueriesAreNotKeys(const Dump& dump) {
  const AttentionTensor& tensor = dump.attention;
  return tensor.queries() != tensor.keys() ||
         (dump.query_tokens && dump.key_tokens && *dump.query_tokens != *dump.key_tokens);
}

void FindDumpPadding(Dump& dump, const RawDump& raw, const std::optional<TokenLists>& lists,
                     const LoadOptions& options) {
  PaddingEvidence evidence;
  evidence.tensor = &dump.attention;
  if (raw.attention_mask) evidence.attention_mask = &*raw.attention_mask;
  if (lists) evidence.item_tokens = &*lists;
  if (dump.query_tokens) evidence.query_tokens = &*dump.query_tokens;
  if (dump.key_tokens) evidence.key_tokens = &*dump.key_tokens;
  evidence.pad_tokens = options.pad_tokens;
  evidence.cross = QueriesAreNotKeys(dump);
  evidence.path = dump.metadata.path;
  dump.padding = FindPadding(evidence);
}

std::vector<std::string> Slice(const std::vector<std::string>& tokens, int64_t first, int64_t end) {
  return {tokens.begin() + first, tokens.begin() + end};
}

// Leaves the padded positions out of the tensor and the tokens, when there are any.
void TrimPadding(Dump& dump) {
  Padding& p = dump.padding;
  AttentionTensor& tensor = dump.attention;
  const int64_t queries = p.query_end - p.query_first, keys = p.key_end - p.key_first;
  if (queries == tensor.queries() && keys == tensor.keys()) return;
  tensor.Crop(p.query_first, queries, p.key_first, keys);
  if (dump.query_tokens) dump.query_tokens = Slice(*dump.query_tokens, p.query_first, p.query_end);
  if (dump.key_tokens) dump.key_tokens = Slice(*dump.key_tokens, p.key_first, p.key_end);
  p.trimmed = true;
  dump.notes.push_back("padding (" + std::string(PaddingSourceName(p.source)) + "): showing " +
                       std::to_string(queries) + " x " + std::to_string(keys) + " real of " +
                       std::to_string(tensor.stored_queries()) + " x " +
                       std::to_string(tensor.stored_keys()) + " (--keep-padding shows all)");
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
            {},
            Padding{}};
  dump.metadata.path = path;
  dump.metadata.format = format;
  dump.metadata.array_name = raw.array_name;
  dump.metadata.model = raw.model;
  dump.metadata.layer_offset = raw.layer_offset;
  dump.metadata.head_offset = raw.head_offset;
  dump.metadata.default_axes = !options.axes && !raw.axes && !raw.layer_stack;
  CheckNonEmpty(dump.attention, path);
  SelectBatch(dump, options.batch);
  dump.attention.SetSoftmax(options.softmax);
  const std::optional<TokenLists> lists = AttachTokens(dump, raw, options);
  FindDumpPadding(dump, raw, lists, options);
  if (!options.keep_padding) TrimPadding(dump);
  return dump;
}

}  // namespace attnviz
