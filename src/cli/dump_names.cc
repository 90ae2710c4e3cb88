// How figures and outputs name a dump, its model and its layers and heads.
#include "cli/dump_names.h"

#include <algorithm>
#include <filesystem>

#include "attnviz/error.h"

namespace attnviz::cli {

std::string Stem(const std::string& path) {
  return path == "-" ? "stdin" : std::filesystem::path(path).stem().string();
}

std::string Stem(const Dump& dump) { return Stem(dump.metadata.path); }

std::string ModelName(const Dump& dump) {
  return dump.metadata.model.empty() ? Stem(dump) : dump.metadata.model;
}

std::vector<int64_t> Shifted(const std::vector<int64_t>& positions, int64_t offset) {
  std::vector<int64_t> shifted;
  for (int64_t position : positions) shifted.push_back(position + offset);
  return shifted;
}

int64_t LayerOffset(const Dump& dump) { return dump.metadata.layer_offset.value_or(0); }

int64_t HeadOffset(const Dump& dump) { return dump.metadata.head_offset.value_or(0); }

int64_t ModelLayer(const Dump& dump, int64_t layer) { return layer + LayerOffset(dump); }

int64_t ModelHead(const Dump& dump, int64_t head) { return head + HeadOffset(dump); }

namespace {

bool HasAxis(const Dump& dump, Axis axis) {
  const std::vector<Axis>& axes = dump.attention.axes();
  return std::find(axes.begin(), axes.end(), axis) != axes.end();
}

}  // namespace

bool TitlesLayer(const Dump& dump) {
  return dump.metadata.layer_offset.has_value() || HasAxis(dump, Axis::kLayer);
}

bool TitlesHead(const Dump& dump) {
  return dump.metadata.head_offset.has_value() || HasAxis(dump, Axis::kHead);
}

std::string HeadLabel(const Dump& dump, int64_t layer, int64_t head) {
  return "L" + std::to_string(ModelLayer(dump, layer)) + "H" +
         std::to_string(ModelHead(dump, head));
}

std::vector<int64_t> ParseLayers(std::string_view text, const Dump& dump,
                                 const std::string& option) {
  return ParseSelection(text, {option, "layer", dump.attention.layers(), dump.metadata.path},
                        LayerOffset(dump));
}

std::vector<int64_t> ParseHeads(std::string_view text, const Dump& dump,
                                const std::string& option) {
  return ParseSelection(text, {option, "head", dump.attention.heads(), dump.metadata.path},
                        HeadOffset(dump));
}

std::string HeadsTitle(const Dump& dump, const std::vector<int64_t>& layers,
                       const std::vector<int64_t>& heads, const std::string& head_prefix) {
  return ModelName(dump) + HeadsPlace(dump, layers, heads, head_prefix);
}

std::string HeadsPlace(const Dump& dump, const std::vector<int64_t>& layers,
                       const std::vector<int64_t>& heads, const std::string& head_prefix) {
  const AttentionTensor& tensor = dump.attention;
  std::string title;
  if (TitlesLayer(dump)) {
    title += " · " + DescribeForTitle(layers, tensor.layers(), LayerOffset(dump), "layer");
  }
  // A fusion is named even when the heads are not: "mean of all heads".
  if (TitlesHead(dump) || !head_prefix.empty()) {
    title +=
        " · " + head_prefix + DescribeForTitle(heads, tensor.heads(), HeadOffset(dump), "head");
  }
  return title;
}

void AddHeadSelectionOptions(CLI::App& command, std::string& layers, std::string& heads) {
  command.add_option("--layer,--layers", layers,
                     "only these layers: an index, A:B, a list or all, in the model's numbers "
                     "when the dump states them (docs/formats.md; default all)");
  command.add_option("--head,--heads", heads, "only these heads, as --layer (default all)");
}

void AddSpecialTokensOption(CLI::App& command, std::vector<std::string>& special,
                            const std::string& help) {
  command
      .add_option("--special", special,
                  "special tokens, comma-separated, replacing the default set" + help)
      ->delimiter(',')
      ->allow_extra_args(false);  // '[SEP]' is a token, not CLI11's list syntax; FILE stays FILE
}

std::optional<Fusion> ParseFusion(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return name == "max" ? Fusion::kMax : name == "min" ? Fusion::kMin : Fusion::kMean;
}

FigureHeads ChooseFigureHeads(const Dump& dump, const std::string& layers, const std::string& heads,
                              const std::string& fuse) {
  const std::string& path = dump.metadata.path;
  FigureHeads chosen;
  chosen.layers = layers.empty() ? std::vector<int64_t>{0} : ParseLayers(layers, dump, "--layer");
  chosen.heads = heads.empty() ? ParseSelection(fuse.empty() ? "0" : "all",
                                                {"--head", "head", dump.attention.heads(), path})
                               : ParseHeads(heads, dump, "--head");
  chosen.fusion = ParseFusion(fuse);
  if (!chosen.fusion && chosen.layers.size() * chosen.heads.size() > 1) {
    ThrowUsageError(path +
                    ": --layer and --head select several heads; combine them with --fuse mean, "
                    "max or min");
  }
  return chosen;
}

}  // namespace attnviz::cli
