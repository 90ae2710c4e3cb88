// `attnviz info FILE`: what a dump holds, as text or one JSON object.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/check.h"
#include "attnviz/analysis/summary.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/messages.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct InfoOptions {
  DumpOptions dump;
  bool json = false;
};

nlohmann::json ShapeJson(const std::vector<int64_t>& shape) { return shape; }

nlohmann::json AxesJson(const std::vector<Axis>& axes) {
  nlohmann::json names = nlohmann::json::array();
  for (Axis axis : axes) names.push_back(AxisName(axis));
  return names;
}

nlohmann::json CountOrNull(const std::optional<std::vector<std::string>>& tokens) {
  return tokens ? nlohmann::json(tokens->size()) : nlohmann::json(nullptr);
}

nlohmann::json OffsetOrNull(const std::optional<int64_t>& offset) {
  return offset ? nlohmann::json(*offset) : nlohmann::json(nullptr);
}

nlohmann::json InfoJson(const Dump& dump, const TensorSummary& summary) {
  const AttentionTensor& t = dump.attention;
  return {
      {"path", dump.metadata.path},
      {"format", FileFormatName(dump.metadata.format)},
      {"array", dump.metadata.array_name.empty() ? nlohmann::json(nullptr)
                                                 : nlohmann::json(dump.metadata.array_name)},
      {"dtype", DTypeName(t.dtype())},
      {"axes", AxesJson(t.axes())},
      {"shape", ShapeJson(t.shape())},
      {"layers", t.layers()},
      {"batches", t.batches()},
      {"batch", t.batch()},
      {"heads", t.heads()},
      {"queries", t.queries()},
      {"keys", t.keys()},
      {"query_tokens", CountOrNull(dump.query_tokens)},
      {"key_tokens", CountOrNull(dump.key_tokens)},
      {"model",
       dump.metadata.model.empty() ? nlohmann::json(nullptr) : nlohmann::json(dump.metadata.model)},
      // null when the dump does not say which layer or head of the model it holds.
      {"layer_offset", OffsetOrNull(dump.metadata.layer_offset)},
      {"head_offset", OffsetOrNull(dump.metadata.head_offset)},
      {"min", summary.min},
      {"max", summary.max},
      {"row_sum_min", summary.row_sum_min},
      {"row_sum_max", summary.row_sum_max},
      {"nan", summary.nan},
      {"inf", summary.inf},
      {"causal", summary.causal},
      {"padded_keys", summary.padded_keys},
  };
}

std::string TokensLine(const Dump& dump) {
  if (!dump.query_tokens && !dump.key_tokens) return "none (give them with --tokens)";
  auto count = [](const auto& tokens) {
    return tokens ? std::to_string(tokens->size()) : std::string("no");
  };
  return count(dump.query_tokens) + " query, " + count(dump.key_tokens) + " key";
}

void PrintInfoText(const Dump& dump, const TensorSummary& summary) {
  const AttentionTensor& t = dump.attention;
  std::string source = std::string(FileFormatName(dump.metadata.format));
  if (!dump.metadata.array_name.empty()) source += ", array " + dump.metadata.array_name;
  std::cout << "file        " << dump.metadata.path << " (" << source << ")\n"
            << "dtype       " << DTypeName(t.dtype()) << "\n"
            << "shape       " << ShapeJson(t.shape()).dump() << " " << FormatAxes(t.axes()) << "\n"
            << "            " << t.layers() << " layers, " << t.heads() << " heads, " << t.queries()
            << " queries x " << t.keys() << " keys";
  if (t.batches() > 1) std::cout << ", batch item " << t.batch() << " of " << t.batches();
  std::cout << "\n";
  if (!dump.metadata.model.empty()) std::cout << "model       " << dump.metadata.model << "\n";
  if (LayerOffset(dump) != 0 || HeadOffset(dump) != 0) {  // a slice, not the whole model
    std::cout << "slice of    layer " << LayerOffset(dump) << ", head " << HeadOffset(dump)
              << " of the model\n";
  }
  std::cout << "tokens      " << TokensLine(dump) << "\n"
            << "values      min " << FormatNumber(summary.min) << ", max "
            << FormatNumber(summary.max) << "\n"
            << "row sums    " << FormatNumber(summary.row_sum_min) << " .. "
            << FormatNumber(summary.row_sum_max)
            << (std::abs(summary.row_sum_min - 1) > RowSumTolerance(t.dtype()) ||
                        std::abs(summary.row_sum_max - 1) > RowSumTolerance(t.dtype())
                    ? " (not 1: shown as stored, never renormalised)"
                    : "")
            << "\n"
            << "NaN / Inf   " << summary.nan << " / " << summary.inf << "\n"
            << "causal      " << (summary.causal ? "yes" : "no") << "\n"
            << "padded keys " << summary.padded_keys << "\n";
}

void RunInfo(const InfoOptions& options) {
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  const TensorSummary summary = Summarize(dump.attention);
  if (options.json) {
    std::cout << InfoJson(dump, summary).dump() << "\n";
  } else {
    PrintInfoText(dump, summary);
  }
}

}  // namespace

void AddInfoCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* command = app.add_subcommand("info",
                                         "Shape, axes, dtype, tokens, value range, row sums, "
                                         "NaN/Inf, causal and padding of a dump");
  options->dump.AddTo(*command);
  command->add_flag("--json", options->json, "print one JSON object instead of text");
  command->footer(
      "Examples:\n"
      "  attnviz info data/induction.npy\n"
      "  attnviz info attn.npz --key layer_3 --json | jq .row_sum_min");
  command->callback([options, &exit_code] {
    RunInfo(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
