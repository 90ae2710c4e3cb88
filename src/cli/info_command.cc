// `attnviz info FILE`: what a dump holds, as text or one JSON object.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/summary.h"
#include "cli/commands.h"
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

// Negative values, or infinities in rows that do not sum to 1: scores before the softmax.
bool LooksLikeScores(const Dump& dump, const TensorSummary& summary) {
  const bool rows_not_one =
      std::abs(summary.row_sum_min - 1) > 1e-2 || std::abs(summary.row_sum_max - 1) > 1e-2;
  return !dump.attention.softmax() && (summary.min < -1e-6 || (summary.inf > 0 && rows_not_one));
}

// Padded keys of the stored item: those left out, and zero columns at the ends of what is shown.
int64_t PaddedKeys(const Dump& dump, const TensorSummary& summary) {
  return dump.attention.stored_keys() - dump.attention.keys() + summary.padded_keys;
}

nlohmann::json LengthsJson(const std::vector<int64_t>& lengths) {
  nlohmann::json out = nlohmann::json::array();
  for (int64_t length : lengths) {
    out.push_back(length < 0 ? nlohmann::json(nullptr) : nlohmann::json(length));
  }
  return out;
}

nlohmann::json PaddingJson(const Padding& p) {
  return {{"source", PaddingSourceName(p.source)},
          {"trimmed", p.trimmed},
          {"real_queries", {p.query_first, p.query_end}},
          {"real_keys", {p.key_first, p.key_end}},
          {"item_lengths", LengthsJson(p.item_lengths)}};
}

nlohmann::json InfoJson(const Dump& dump, const TensorSummary& summary) {
  const AttentionTensor& t = dump.attention;
  nlohmann::json out = {
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
      {"layer_offset", dump.metadata.layer_offset},
      {"head_offset", dump.metadata.head_offset},
      {"min", summary.min},
      {"max", summary.max},
      {"row_sum_min", summary.row_sum_min},
      {"row_sum_max", summary.row_sum_max},
      {"nan", summary.nan},
      {"inf", summary.inf},
      {"causal", summary.causal},
      {"padded_keys", PaddedKeys(dump, summary)},
  };
  out["axes_source"] = dump.metadata.default_axes ? "default" : "named";
  out["stored_queries"] = t.stored_queries();
  out["stored_keys"] = t.stored_keys();
  out["token_source"] = TokenSourceName(dump.metadata.token_source);
  out["tokens_file"] = dump.metadata.tokens_file.empty()
                           ? nlohmann::json(nullptr)
                           : nlohmann::json(dump.metadata.tokens_file);
  out["padding"] = PaddingJson(dump.padding);
  out["softmax"] = t.softmax();
  out["looks_like_scores"] = LooksLikeScores(dump, summary);
  return out;
}

std::string TokensLine(const Dump& dump) {
  if (!dump.query_tokens && !dump.key_tokens) return "none (give them with --tokens)";
  auto count = [](const auto& tokens) {
    return tokens ? std::to_string(tokens->size()) : std::string("no");
  };
  const DumpMetadata& m = dump.metadata;
  const std::string from = m.token_source == TokenSource::kEmbedded ? "embedded in the dump"
                           : m.token_source == TokenSource::kSideFile
                               ? "from the side file " + m.tokens_file
                           : !m.tokens_file.empty() ? "from --tokens " + m.tokens_file
                                                    : "from --query-tokens/--key-tokens";
  return count(dump.query_tokens) + " query, " + count(dump.key_tokens) + " key, " + from;
}

std::string Lengths(const std::vector<int64_t>& lengths) {
  std::string text;
  for (int64_t length : lengths) {
    text += (text.empty() ? "" : ", ") + (length < 0 ? std::string("?") : std::to_string(length));
  }
  return text;
}

std::string PaddingLine(const Dump& dump) {
  const Padding& p = dump.padding;
  if (p.source == PaddingSource::kNone) return "none found";
  const AttentionTensor& t = dump.attention;
  std::string line =
      "from " + std::string(PaddingSourceName(p.source)) + ": real queries " +
      std::to_string(p.query_first) + ":" + std::to_string(p.query_end) + ", keys " +
      std::to_string(p.key_first) + ":" + std::to_string(p.key_end) + " of " +
      std::to_string(t.stored_queries()) + " x " + std::to_string(t.stored_keys()) +
      (p.trimmed ? ", shown without padding (--keep-padding shows all)" : ", padding kept");
  if (t.batches() > 1 || p.source == PaddingSource::kAttentionMask) {
    line += "\n            unpadded length of each batch item: " + Lengths(p.item_lengths);
  }
  return line;
}

// Another reading of a rank's dimensions, as an --axes example.
std::string OtherAxes(size_t rank) {
  if (rank == 3) return "layer,query,key";
  if (rank == 4) return "batch,head,query,key";
  return "batch,layer,head,query,key";
}

std::string AxesLine(const Dump& dump) {
  const AttentionTensor& t = dump.attention;
  if (!dump.metadata.default_axes || t.axes().size() < 3) return "";
  return "axes        " + FormatAxes(t.axes()) + ": the default reading of " +
         std::to_string(t.axes().size()) + " dimensions; name them otherwise with --axes, e.g. " +
         "--axes " + OtherAxes(t.axes().size()) + "\n";
}

void PrintInfoText(const Dump& dump, const TensorSummary& summary) {
  const AttentionTensor& t = dump.attention;
  std::string source = std::string(FileFormatName(dump.metadata.format));
  if (!dump.metadata.array_name.empty()) source += ", array " + dump.metadata.array_name;
  std::cout << "file        " << dump.metadata.path << " (" << source << ")\n"
            << "dtype       " << DTypeName(t.dtype()) << "\n"
            << "shape       " << ShapeJson(t.shape()).dump() << " " << FormatAxes(t.axes()) << "\n"
            << AxesLine(dump) << "            " << t.layers() << " layers, " << t.heads()
            << " heads, " << t.queries() << " queries x " << t.keys() << " keys";
  if (t.batches() > 1) std::cout << ", batch item " << t.batch() << " of " << t.batches();
  std::cout << "\n";
  if (!dump.metadata.model.empty()) std::cout << "model       " << dump.metadata.model << "\n";
  if (dump.metadata.layer_offset || dump.metadata.head_offset) {
    std::cout << "slice of    layer " << dump.metadata.layer_offset << ", head "
              << dump.metadata.head_offset << " of the model\n";
  }
  std::cout << "tokens      " << TokensLine(dump) << "\n"
            << "values      min " << FormatNumber(summary.min) << ", max "
            << FormatNumber(summary.max) << "\n"
            << "row sums    " << FormatNumber(summary.row_sum_min) << " .. "
            << FormatNumber(summary.row_sum_max)
            << (std::abs(summary.row_sum_min - 1) > 1e-3 || std::abs(summary.row_sum_max - 1) > 1e-3
                    ? " (not 1: shown as stored, never renormalised)"
                    : "")
            << "\n"
            << "NaN / Inf   " << summary.nan << " / " << summary.inf << "\n"
            << "causal      " << (summary.causal ? "yes" : "no") << "\n"
            << "padded keys " << PaddedKeys(dump, summary) << "\n"
            << "padding     " << PaddingLine(dump) << "\n";
  if (t.softmax()) std::cout << "softmax     values read as softmax(scores) along the keys\n";
  if (LooksLikeScores(dump, summary)) {
    std::cout << "scores      the values look like pre-softmax scores (negative values, -inf "
                 "or huge negative masks, rows not summing to 1): read them with --softmax\n";
  }
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
