// The fuzz harnesses' work: LoadDump end to end on what it would load, each format's own reader
// on the rest, and checks of what a loaded dump must satisfy.
#include "fuzz/fuzz_targets.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/summary.h"
#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "attnviz/io/tokens.h"
#include "io/graph_input.h"
#include "io/npy.h"
#include "io/pickle.h"
#include "io/raw_dump.h"
#include "io/zip.h"

namespace attnviz::fuzz {

namespace {

// Members or tensors read by name (--key) when the reader cannot choose one itself; a few reach
// every branch, and more would make inputs with many members slow.
constexpr size_t kKeysTried = 3;

// The name the readers give the input in their messages; "-" (standard input) also keeps LoadDump
// from looking for a tokens file beside it.
const std::string kPath = "-";

void Require(bool holds, const std::string& what) {
  if (!holds) throw std::logic_error("fuzz invariant broken: " + what);
}

// attnviz::Error is how every reader refuses an input; anything else must escape. True when
// `step` finished.
template <typename Step>
bool IgnoringErrors(Step step) {
  try {
    step();
    return true;
  } catch (const Error&) {
    return false;
  }
}

// A heap copy of exactly input.size() bytes: unlike a memory map, one byte past it is poisoned.
std::shared_ptr<const ByteSource> ExactCopy(std::span<const std::byte> input) {
  return std::make_shared<OwnedBytes>(std::vector<std::byte>(input.begin(), input.end()));
}

// The format a harness is about; nullopt for "load" and "tokens".
std::optional<FileFormat> HarnessFormat(std::string_view harness) {
  if (harness == "npy") return FileFormat::kNpy;
  if (harness == "npz") return FileFormat::kNpz;
  if (harness == "json") return FileFormat::kJson;
  if (harness == "safetensors") return FileFormat::kSafetensors;
  if (harness == "torch") return FileFormat::kTorch;
  return std::nullopt;
}

// --- checks of a loaded dump ---

void CheckTokens(const std::optional<std::vector<std::string>>& tokens, int64_t expected,
                 const char* axis) {
  if (!tokens) return;
  Require(static_cast<int64_t>(tokens->size()) == expected,
          std::string(axis) + " tokens: one per " + axis);
  for (const std::string& token : *tokens) {
    Require(Utf8Problem(token).empty(), std::string(axis) + " tokens are valid UTF-8");
  }
}

void CheckDump(const Dump& dump, std::optional<FileFormat> detected) {
  const AttentionTensor& tensor = dump.attention;
  Require(dump.metadata.format == detected, "LoadDump reads the format DetectFormat names");
  Require(tensor.layers() >= 1 && tensor.batches() >= 1 && tensor.heads() >= 1 &&
              tensor.queries() >= 1 && tensor.keys() >= 1,
          "every extent is at least 1");
  Require(dump.metadata.layer_offset.value_or(0) >= 0 && dump.metadata.head_offset.value_or(0) >= 0,
          "layer and head offsets, when the dump states them, are model indices, never negative");
  CheckTokens(dump.query_tokens, tensor.queries(), "query");
  CheckTokens(dump.key_tokens, tensor.keys(), "key");
}

// Reads every head and summarises each batch item; the NaN and Inf counts of the heads read here
// must be the ones Summarize reports.
void ReadEveryHead(Dump& dump) {
  AttentionTensor& tensor = dump.attention;
  for (int64_t batch = 0; batch < tensor.batches(); ++batch) {
    tensor.SelectBatch(batch);
    int64_t nan = 0, inf = 0;
    for (int64_t layer = 0; layer < tensor.layers(); ++layer) {
      for (int64_t head = 0; head < tensor.heads(); ++head) {
        const std::vector<float> values = tensor.ReadHead(layer, head);
        Require(static_cast<int64_t>(values.size()) == tensor.HeadSize(), "a head is q x k");
        for (float v : values) {
          nan += std::isnan(v);
          inf += std::isinf(v);
        }
      }
    }
    const TensorSummary summary = Summarize(tensor);
    Require(summary.nan == nan && summary.inf == inf, "Summarize counts every NaN and Inf");
    Require(summary.padded_keys >= 0 && summary.padded_keys <= tensor.keys(),
            "padded keys are among the keys");
  }
}

// LoadDump's steps on an exact-size copy. True when the reader refused the input only because it
// cannot choose among several arrays by itself, which is what --key is for.
bool LoadEndToEndNeedsKey(std::span<const std::byte> input, std::optional<FileFormat> detected) {
  try {
    Dump dump = LoadDumpFrom(ExactCopy(input), kPath);
    CheckDump(dump, detected);
    ReadEveryHead(dump);
    return false;
  } catch (const Error& error) {
    return std::string_view(error.what()).find("--key") != std::string_view::npos;
  }
}

// --- each format's reader, on an exact-size copy ---

std::string MemberArrayName(const std::string& member_name) {
  return member_name.ends_with(".npy") ? member_name.substr(0, member_name.size() - 4)
                                       : member_name;
}

void ReadNpzByKeys(std::shared_ptr<const ByteSource> bytes) {
  IgnoringErrors([&] {
    const ZipArchive zip(bytes, kPath);
    for (size_t i = 0; i < zip.members().size() && i < kKeysTried; ++i) {
      const std::string key = MemberArrayName(zip.members()[i].name);
      IgnoringErrors([&] { ReadNpzDump(bytes, kPath, key); });
    }
  });
}

// The tensor names of a safetensors header, read independently of the reader under test.
std::vector<std::string> SafetensorsNames(std::span<const std::byte> bytes) {
  if (bytes.size() < 8) return {};
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = length << 8 | static_cast<uint8_t>(bytes[i]);
  if (length > bytes.size() - 8) return {};
  const auto* text = reinterpret_cast<const char*>(bytes.data()) + 8;
  const nlohmann::json header = nlohmann::json::parse(text, text + length, nullptr, false);
  std::vector<std::string> names;
  if (!header.is_object()) return names;
  for (const auto& item : header.items()) {
    if (names.size() < kKeysTried) names.push_back(item.key());
  }
  return names;
}

void ReadSafetensorsByKeys(std::shared_ptr<const ByteSource> bytes) {
  for (const std::string& key : SafetensorsNames(bytes->bytes())) {
    IgnoringErrors([&] { ReadSafetensorsDump(bytes, kPath, key); });
  }
}

// The string keys of a torch archive's top-level dict, read with the unpickler (whose own
// refusals are normal outcomes, as everywhere).
std::vector<std::string> TorchDictKeys(std::shared_ptr<const ByteSource> bytes) {
  std::vector<std::string> keys;
  IgnoringErrors([&] {
    const ZipArchive zip(bytes, kPath);
    for (const ZipMember& member : zip.members()) {
      if (!member.name.ends_with("/data.pkl")) continue;
      const Pickle pickle = Unpickle(zip.Read(member).bytes, kPath);
      const PickleValue& root = pickle[pickle.root];
      if (root.kind != PickleValue::Kind::kDict) return;
      for (size_t i = 0; i + 1 < root.items.size() && keys.size() < kKeysTried; i += 2) {
        const PickleValue& key = pickle[root.items[i]];
        if (key.kind == PickleValue::Kind::kString) keys.push_back(key.text);
      }
      return;
    }
  });
  return keys;
}

void ReadTorchByKeys(std::shared_ptr<const ByteSource> bytes) {
  for (const std::string& key : TorchDictKeys(bytes)) {
    IgnoringErrors([&] { ReadTorchDump(bytes, kPath, key); });
  }
}

// What --key can reach that the reader's own choice did not.
void ReadByKeys(FileFormat format, std::span<const std::byte> input) {
  if (format == FileFormat::kNpz) ReadNpzByKeys(ExactCopy(input));
  if (format == FileFormat::kSafetensors) ReadSafetensorsByKeys(ExactCopy(input));
  if (format == FileFormat::kTorch) ReadTorchByKeys(ExactCopy(input));
}

void ReadDirectly(FileFormat format, std::span<const std::byte> input) {
  const auto bytes = ExactCopy(input);
  IgnoringErrors([&] {
    switch (format) {
      case FileFormat::kNpy:
        ReadNpyDump(bytes, kPath);
        return;
      case FileFormat::kNpz:
        ReadNpzDump(bytes, kPath, std::nullopt);
        return;
      case FileFormat::kJson:
        ReadJsonDump(bytes, kPath);
        return;
      case FileFormat::kSafetensors:
        ReadSafetensorsDump(bytes, kPath, std::nullopt);
        return;
      case FileFormat::kTorch:
        ReadTorchDump(bytes, kPath, std::nullopt);
        return;
    }
  });
}

// --- token files ---

void ReadAsTokens(std::span<const std::byte> input) {
  const auto copy = ExactCopy(input);
  const std::span<const std::byte> bytes = copy->bytes();
  Utf8Problem(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  IgnoringErrors([&] {
    for (const std::string& token : ReadTokens(bytes, kPath)) {
      Require(Utf8Problem(token).empty(), "ReadTokens returns valid UTF-8");
    }
  });
}

// --- graph dumps ---

// What LoadGraphAttention promises of a graph it returns (include/attnviz/io/graph_dump.h).
void CheckGraph(const GraphAttention& graph) {
  Require(graph.nodes >= 0 && graph.heads >= 1, "at least one head, never negative nodes");
  Require(graph.target.size() == graph.source.size(), "one source and one target per edge");
  Require(graph.alpha.size() == graph.source.size() * static_cast<size_t>(graph.heads),
          "alpha holds edges x heads values");
  for (int64_t e = 0; e < graph.edges(); ++e) {
    Require(graph.source[e] >= 0 && graph.source[e] < graph.nodes && graph.target[e] >= 0 &&
                graph.target[e] < graph.nodes,
            "edges join nodes of the graph");
  }
  for (double value : graph.alpha) Require(std::isfinite(value), "alpha is finite");
  for (const auto* per_node : {&graph.classes, &graph.marked_edge}) {
    Require(per_node->empty() || static_cast<int64_t>(per_node->size()) == graph.nodes,
            "classes and marked edges: none or one per node");
  }
}

void ReadAsGraph(std::span<const std::byte> input) {
  IgnoringErrors([&] { CheckGraph(LoadGraphAttentionFrom(ExactCopy(input), kPath)); });
}

}  // namespace

const std::vector<std::string_view>& HarnessNames() {
  static const std::vector<std::string_view> names = {"npy",    "npz",   "json", "safetensors",
                                                      "tokens", "torch", "load", "graph"};
  return names;
}

void RunHarness(std::string_view harness, std::span<const std::byte> input) {
  Require(std::find(HarnessNames().begin(), HarnessNames().end(), harness) != HarnessNames().end(),
          "a known harness, found '" + std::string(harness) + "'");
  if (harness == "tokens") return ReadAsTokens(input);
  if (harness == "graph") return ReadAsGraph(input);
  const std::optional<FileFormat> detected = DetectFormat(input);
  const std::optional<FileFormat> format = HarnessFormat(harness);
  if (harness == "npy") IgnoringErrors([&] { ReadNpyStrings(ExactCopy(input)->bytes(), kPath); });
  if (!format || format == detected) {
    if (LoadEndToEndNeedsKey(input, detected) && detected) ReadByKeys(*detected, input);
  } else {
    ReadDirectly(*format, input);  // bytes that LoadDump would not hand to this reader
  }
}

}  // namespace attnviz::fuzz
