// `attnviz heatmap FILE -o OUT`: one head as a labelled heatmap in PNG, SVG or PDF.
#include <filesystem>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/heatmap.h"
#include "cli/commands.h"
#include "cli/dump_options.h"
#include "cli/messages.h"
#include "cli/output_path.h"

namespace attnviz::cli {

namespace {

struct HeatmapOptions {
  DumpOptions dump;
  std::string output;
  std::string format;
  int64_t layer = 0;
  int64_t head = 0;
  std::string cmap = "viridis";
  std::optional<double> vmin;
  std::optional<double> vmax;
  std::string title;
  RenderOptions render;
};

// "finbert · layer 11 · head 0", in the model's own numbering when the dump is a slice of it.
std::string DefaultTitle(const Dump& dump, int64_t layer, int64_t head) {
  std::string name = dump.metadata.model;
  if (name.empty()) {
    name = dump.metadata.path == "-" ? "stdin"
                                     : std::filesystem::path(dump.metadata.path).stem().string();
  }
  return name + " · layer " + std::to_string(layer + dump.metadata.layer_offset) + " · head " +
         std::to_string(head + dump.metadata.head_offset);
}

HeatmapSpec MakeSpec(const Dump& dump, const HeatmapOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  HeatmapSpec spec;
  spec.matrix = {tensor.queries(), tensor.keys(), tensor.ReadHead(options.layer, options.head)};
  if (dump.query_tokens) spec.row_labels = *dump.query_tokens;
  if (dump.key_tokens) spec.col_labels = *dump.key_tokens;
  spec.title =
      options.title.empty() ? DefaultTitle(dump, options.layer, options.head) : options.title;
  spec.colormap = options.cmap;
  spec.vmin = options.vmin;
  spec.vmax = options.vmax;
  return spec;
}

void RunHeatmap(const HeatmapOptions& options) {
  CheckNotInput(options.output, options.dump.input);
  const ImageFormat format = FigureFormatFor(options.output, options.format);
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  CheckIndex(dump, "--layer", options.layer, dump.attention.layers());
  CheckIndex(dump, "--head", options.head, dump.attention.heads());
  const std::string bytes = RenderHeatmap(MakeSpec(dump, options), format, options.render);
  WriteFileAtomically(options.output, bytes);
}

}  // namespace

void AddHeatmapCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<HeatmapOptions>();
  CLI::App* command =
      app.add_subcommand("heatmap", "One head as a heatmap with token labels and a colorbar");
  options->dump.AddTo(*command);
  command->add_option("-o,--output", options->output, "figure to write: .png, .svg or .pdf")
      ->required();
  command->add_option("--format", options->format,
                      "png, svg or pdf, when -o has no such extension");
  command->add_option("--layer", options->layer, "layer index, 0-based in the dump (default 0)");
  command->add_option("--head", options->head, "head index, 0-based in the dump (default 0)");
  command->add_option("--cmap", options->cmap,
                      "colormap: viridis magma inferno plasma cividis Blues Reds Greys Purples "
                      "RdBu coolwarm, each also NAME_r");
  command->add_option("--vmin", options->vmin, "value at the bottom of the colormap (default 0)");
  command->add_option("--vmax", options->vmax, "value at the top (default: the largest shown)");
  command->add_option("--title", options->title, "figure title (default: model, layer, head)");
  command->add_option("--font", options->render.font, "font family for all text");
  command->add_option("--font-size", options->render.font_size, "font size in points")
      ->check(CLI::Range(2.0, 72.0));
  command->add_option("--dpi", options->render.dpi, "PNG pixels per inch")
      ->check(CLI::Range(10.0, 1200.0));
  command->footer(
      "Examples:\n"
      "  attnviz heatmap data/induction.npy --layer 1 --head 2 -o induction_L1H2.png\n"
      "  attnviz heatmap finbert.json --cmap Blues -o finbert.pdf");
  command->callback([options, &exit_code] {
    RunHeatmap(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
