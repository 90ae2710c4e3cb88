// `attnviz grid FILE -o OUT`: the model view, layers x heads small multiples in one figure.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/classify.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/grid.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/kv_groups.h"
#include "cli/messages.h"
#include "cli/output_template.h"
#include "cli/parallel.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct GridOptions {
  DumpOptions dump;
  FigureOptions figure;
  CellOptions cells;
  ColorOptions color;
  std::string layers = "all";
  std::string heads = "all";
  std::string scale = "shared";
  std::string captions;
  bool labels = false;
  std::string title;
  std::optional<int64_t> kv_heads;
};

struct GridSelection {
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  std::optional<KvGrouping> grouping;  // grouped-query attention: columns grouped by KV head
};

std::vector<std::string> NumberLabels(const std::vector<int64_t>& positions, int64_t offset) {
  std::vector<std::string> labels;
  for (int64_t position : positions) labels.push_back(std::to_string(position + offset));
  return labels;
}

// "finbert · layers 0–11 × all heads" in the model's numbers, without an axis the dump lacks.
std::string DefaultTitle(const Dump& dump, const GridSelection& selection) {
  const AttentionTensor& tensor = dump.attention;
  std::string layers = TitlesLayer(dump) ? DescribeForTitle(selection.layers, tensor.layers(),
                                                            LayerOffset(dump), "layer")
                                         : "";
  std::string heads =
      TitlesHead(dump) ? DescribeForTitle(selection.heads, tensor.heads(), HeadOffset(dump), "head")
                       : "";
  std::string title = ModelName(dump);
  if (!layers.empty() || !heads.empty()) title += " · ";
  return title + layers + (!layers.empty() && !heads.empty() ? " × " : "") + heads;
}

// "induction 0.93", "heterogeneous": the classifier's label and score for one head.
std::string ClassCaption(const HeadClass& head) {
  if (!head.label) return LabelText(head);
  char score[16];
  std::snprintf(score, sizeof score, " %.2f", head.confidence);
  return LabelText(head) + score;
}

std::vector<std::string> ClassifierCaptions(const Dump& dump, const GridSelection& selection,
                                            int threads) {
  ClassifyOptions options;
  options.threads = threads;
  std::vector<HeadClass> classes =
      ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens, options);
  std::vector<std::string> captions;
  for (int64_t layer : selection.layers) {
    for (int64_t head : selection.heads) {
      captions.push_back(ClassCaption(classes[layer * dump.attention.heads() + head]));
    }
  }
  return captions;
}

[[noreturn]] void ThrowBadCaptions(const std::string& path, const std::string& what) {
  ThrowInputError(path,
                  "expected a JSON list of lists of captions (layer by head) or of "
                  "{\"layer\", \"head\", \"caption\"} objects; " +
                      what);
}

// Captions by (layer, head) of the dump, from either JSON shape --captions accepts.
// Captions by (layer, head) in the model's numbers.
std::map<std::pair<int64_t, int64_t>, std::string> ReadCaptionFile(const Dump& dump,
                                                                   const std::string& path) {
  std::ifstream in(path);
  if (!in) ThrowInputError(path, "cannot open");
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_array()) ThrowBadCaptions(path, "found something else");
  std::map<std::pair<int64_t, int64_t>, std::string> captions;
  for (size_t layer = 0; layer < json.size(); ++layer) {
    const nlohmann::json& item = json[layer];
    if (item.is_object() && item.contains("layer") && item.contains("head") &&
        item.value("caption", nlohmann::json()).is_string()) {
      captions[{item["layer"].get<int64_t>(), item["head"].get<int64_t>()}] = item["caption"];
      continue;
    }
    if (!item.is_array()) ThrowBadCaptions(path, "item " + std::to_string(layer) + " is neither");
    for (size_t head = 0; head < item.size(); ++head) {
      if (!item[head].is_string()) ThrowBadCaptions(path, "found a non-string caption");
      captions[{ModelLayer(dump, static_cast<int64_t>(layer)),
                ModelHead(dump, static_cast<int64_t>(head))}] = item[head];
    }
  }
  return captions;
}

// Objects name heads in the model's numbers, as classify --json does; lists follow the dump.
std::vector<std::string> FileCaptions(const Dump& dump, const std::string& path,
                                      const GridSelection& selection) {
  auto by_head = ReadCaptionFile(dump, path);
  std::vector<std::string> captions;
  for (int64_t layer : selection.layers) {
    for (int64_t head : selection.heads) {
      auto found = by_head.find({ModelLayer(dump, layer), ModelHead(dump, head)});
      captions.push_back(found == by_head.end() ? std::string() : found->second);
    }
  }
  return captions;
}

GridSpec MakeSpec(const Dump& dump, const GridOptions& options, const GridSelection& selection,
                  const CellSelection& cells) {
  GridSpec spec;
  spec.rows = static_cast<int64_t>(selection.layers.size());
  spec.cols = static_cast<int64_t>(selection.heads.size());
  spec.panel_rows = cells.queries.size();
  spec.panel_cols = cells.keys.size();
  spec.panel = [&dump, &selection, &cells](int64_t row, int64_t col) {
    return cells.Shown(
        cells.ReadMasked(dump.attention, selection.layers[row], selection.heads[col]));
  };
  spec.row_labels = NumberLabels(selection.layers, LayerOffset(dump));
  spec.col_labels = NumberLabels(selection.heads, HeadOffset(dump));
  if (selection.grouping && selection.grouping->GroupSize() > 1) {  // one head each: no groups
    for (int64_t head : selection.heads) {
      spec.col_groups.push_back(KvGroupName(KvGroupOf(dump, *selection.grouping, head)));
    }
  }
  spec.title = options.title.empty()
                   ? DefaultTitle(dump, selection)
                   : OutputTemplate(options.title).ExpandKnown({{"stem", Stem(dump)}});
  spec.scale_request = options.color.Request();
  spec.scale = options.scale == "head" ? GridScale::kPerPanel : GridScale::kShared;
  spec.pooling = options.cells.Pool();
  if (options.labels) {
    spec.captions = ClassifierCaptions(dump, selection, ThreadCount(options.figure.jobs));
  } else if (!options.captions.empty()) {
    spec.captions = FileCaptions(dump, options.captions, selection);
  }
  return spec;
}

// One input file: its dump, the heads shown, and the figure that draws them.
struct GridFile {
  Dump dump;
  GridSelection selection;
  CellSelection cells;
};

BatchFigure PlanFile(const GridOptions& options, const DumpSource& source, Dump dump,
                     ImageFormat format, const RenderOptions& render) {
  const std::string path = dump.metadata.path;
  std::shared_ptr<GridFile> file(new GridFile{std::move(dump), {}, {}});
  PrintNotes(file->dump);
  file->selection = {ParseLayers(options.layers, file->dump, "--layers"),
                     ParseHeads(options.heads, file->dump, "--heads"),
                     ResolveKvGrouping(file->dump, options.kv_heads)};
  file->cells = options.cells.Resolve(file->dump);
  TemplateFields fields{{"stem", Stem(file->dump)}, {"ext", ExtensionOf(format)}};
  AddBatchField(fields, source);
  return {fields, [file = std::shared_ptr<const GridFile>(file), &options, format, render] {
            GridSpec spec = MakeSpec(file->dump, options, file->selection, file->cells);
            return RenderGrid(spec, format, render);
          }};
}

void RunGrid(const GridOptions& options) {
  const ImageFormat format = options.figure.Format();
  DumpSeries dumps(options.dump);
  // -j goes to the files when there are several, else to the one grid's panels and encoding.
  RenderOptions render = options.figure.Render();
  render.threads = dumps.files().size() == 1 && !options.dump.EveryBatchItem()
                       ? ThreadCount(options.figure.jobs)
                       : 1;
  FigureBatch batch;
  dumps.ForEach([&](const DumpSource& source, Dump dump) {
    batch.figures.push_back(PlanFile(options, source, std::move(dump), format, render));
    dumps.Guard(batch.figures.back(), source);
  });
  KeepFreedMemory();  // one panel after another, each the same size
  WriteFigureBatch(batch, options.figure, format, dumps.files());
  dumps.Finish();
}

}  // namespace

void AddGridCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<GridOptions>();
  CLI::App* command = app.add_subcommand(
      "grid", "Layers x heads small multiples (model view): every head at a glance");
  options->dump.AddTo(*command, true);
  options->figure.AddTo(*command);
  AddShardOption(*command, options->figure.shard);
  command->add_option("--layers,--layer", options->layers,
                      "layers: an index, A:B, a list such as 0,2,5, or all (default all)");
  command->add_option("--heads,--head", options->heads, "heads, as --layers (default all)");
  command
      ->add_option("--scale", options->scale,
                   "shared (default: one colour scale, heads compare) or head (each head from "
                   "its own min to max, every pattern shows)")
      ->check(CLI::IsMember({"shared", "head"}));
  options->cells.AddTo(*command);
  options->color.AddTo(*command);
  CLI::Option* labels = command->add_flag(
      "--labels", options->labels, "caption each head with its pattern label and score (classify)");
  command
      ->add_option("--captions", options->captions,
                   "captions from a JSON file: a list (layers) of lists (heads) of strings, or "
                   "a list of {\"layer\", \"head\", \"caption\"} objects")
      ->excludes(labels);
  command->add_option("--title", options->title, "figure title (default: model, layers and heads)");
  AddKvHeadsOption(*command, options->kv_heads);
  command->footer(
      "Examples:\n"
      "  attnviz grid data/induction.npy -o model_view.png\n"
      "  attnviz grid attn.npy --layers 0:6 --heads all --scale head --labels -o grid.pdf\n"
      "  attnviz grid attn.npy --queries 0:64 --keys 0:64 --norm power:0.5 -o {stem}_grid.svg\n"
      "  attnviz grid dumps/*.npy -j 4 -o 'figs/{stem}_grid.png'   # a grid per dump\n"
      "  attnviz grid llama.json --kv-heads 8 -o gqa.png   # heads grouped by key/value head");
  command->callback([options, &exit_code] {
    RunGrid(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
