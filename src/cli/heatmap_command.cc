// `attnviz heatmap FILE -o OUT`: heads or a fusion of heads as labelled heatmaps in PNG, SVG or
// PDF; several figures go to a file name template or to the pages of one PDF.
#include <filesystem>
#include <functional>
#include <memory>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/heatmap.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/head_bands.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_template.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct HeatmapOptions {
  DumpOptions dump;
  FigureOptions figure;
  CellOptions cells;
  ColorOptions color;
  std::string layers;  // default 0
  std::string heads;   // default 0, or all with --fuse
  std::string fuse;
  bool annotate = false;
  bool no_annotate = false;
  bool clean_tokens = false;
  std::string title;
  bool bare = false;
  int cell = 0;
};

// One figure: a head, or the fusion of several.
struct FigureJob {
  std::vector<std::pair<int64_t, int64_t>> heads;  // (layer, head) in the dump
  TemplateFields fields;
  std::string title;
};

// Everything resolved against the dump that every figure shares.
struct HeatmapPlanInputs {
  CellSelection cells;
  std::optional<Fusion> fusion;
  std::vector<std::string> query_tokens;
  std::vector<std::string> key_tokens;
};

// "finbert · layer 11 · head 0", or "model · layer 1 · mean of all heads", in the model's own
// numbering when the dump is a slice of it; a bare matrix is titled by its model alone.
std::string DefaultTitle(const Dump& dump, const std::vector<int64_t>& layers,
                         const std::vector<int64_t>& heads, const std::string& fuse) {
  return HeadsTitle(dump, layers, heads, fuse.empty() ? "" : fuse + " of ");
}

// One figure fusing every selected head of every selected layer.
FigureJob FusedJob(const Dump& dump, const std::vector<int64_t>& layers,
                   const std::vector<int64_t>& heads, const std::string& fuse,
                   TemplateFields fields) {
  FigureJob job{{}, std::move(fields), DefaultTitle(dump, layers, heads, fuse)};
  for (int64_t layer : layers) {
    for (int64_t head : heads) job.heads.push_back({layer, head});
  }
  job.fields["layer"] = layers.size() == 1
                            ? TemplateFields::mapped_type(ModelLayer(dump, layers[0]))
                            : TemplateFields::mapped_type(DescribeSelection(
                                  Shifted(layers, LayerOffset(dump)), dump.attention.layers()));
  job.fields["head"] = fuse;
  return job;
}

std::vector<FigureJob> PlanFigures(const Dump& dump, const HeatmapOptions& options,
                                   const std::string& ext) {
  // The default is the dump's first layer and head, whatever the model calls them.
  std::vector<int64_t> layers = options.layers.empty()
                                    ? std::vector<int64_t>{0}
                                    : ParseLayers(options.layers, dump, "--layer");
  std::vector<int64_t> heads = options.heads.empty()
                                   ? ParseHeads(options.fuse.empty() ? "0" : "all", dump, "--head")
                                   : ParseHeads(options.heads, dump, "--head");
  TemplateFields common{{"stem", Stem(dump)}, {"ext", ext}};
  if (!options.fuse.empty()) return {FusedJob(dump, layers, heads, options.fuse, common)};
  std::vector<FigureJob> jobs;
  for (int64_t layer : layers) {
    for (int64_t head : heads) {
      FigureJob job{{{layer, head}}, common, DefaultTitle(dump, {layer}, {head}, "")};
      job.fields["layer"] = ModelLayer(dump, layer);
      job.fields["head"] = ModelHead(dump, head);
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

// --title with its fields filled in; a title whose braces are no template stays as written.
std::string ExpandTitle(const std::string& title, const TemplateFields& fields) {
  try {
    return OutputTemplate(title).ExpandKnown(fields);
  } catch (const Error&) {
    return title;
  }
}

// The figure's cells, read a band of query rows at a time as the render pools them: a 16k x 16k
// float32 head is 1 GB, the figure's bands and pixels a few MB.
void SetCells(const Dump& dump, const HeatmapPlanInputs& inputs, const FigureJob& job,
              HeatmapSpec& spec) {
  spec.bands = std::make_shared<HeadBands>(dump.attention, inputs.cells, job.heads, inputs.fusion);
  spec.matrix = Matrix{spec.bands->rows(), spec.bands->cols(), {}, {}};
}

HeatmapSpec MakeSpec(const Dump& dump, const HeatmapOptions& options,
                     const HeatmapPlanInputs& inputs, const FigureJob& job) {
  HeatmapSpec spec;
  SetCells(dump, inputs, job, spec);
  spec.row_labels = inputs.query_tokens;
  spec.col_labels = inputs.key_tokens;
  spec.first_row_index = inputs.cells.queries.begin;
  spec.first_col_index = inputs.cells.keys.begin;
  spec.title = options.title.empty() ? job.title : ExpandTitle(options.title, job.fields);
  ScaleRequest request = options.color.Request();
  spec.colormap = request.colormap;
  spec.norm = request.norm;
  spec.vmin = request.vmin;
  spec.vmax = request.vmax;
  spec.pooling = options.cells.Pool();
  if (options.annotate) spec.annotate = true;
  if (options.no_annotate) spec.annotate = false;
  return spec;
}

RenderOptions RenderOptionsFor(const HeatmapOptions& options) {
  RenderOptions render = options.figure.Render();
  render.bare = options.bare;
  render.cell_pixels = options.cell;
  return render;
}

// One input file of a batch and what its figures share.
struct HeatmapFile {
  Dump dump;
  HeatmapPlanInputs inputs;
  std::vector<FigureJob> jobs;
};

std::shared_ptr<const HeatmapFile> PlanFile(const HeatmapOptions& options, const DumpSource& source,
                                            Dump dump, const std::string& ext) {
  std::shared_ptr<HeatmapFile> file(new HeatmapFile{std::move(dump), {}, {}});
  PrintNotes(file->dump);
  file->inputs = {options.cells.Resolve(file->dump), ParseFusion(options.fuse), {}, {}};
  file->inputs.query_tokens = file->inputs.cells.QueryTokens(file->dump, options.clean_tokens);
  file->inputs.key_tokens = file->inputs.cells.KeyTokens(file->dump, options.clean_tokens);
  file->jobs = PlanFigures(file->dump, options, ext);
  for (FigureJob& job : file->jobs) AddBatchField(job.fields, source);
  return file;
}

void RunHeatmap(const HeatmapOptions& options) {
  const ImageFormat format = options.figure.Format();
  RenderOptions render = RenderOptionsFor(options);
  options.color.Request();  // a malformed --norm fails before any work
  DumpSeries dumps(options.dump);
  std::vector<std::shared_ptr<const HeatmapFile>> files;
  std::vector<DumpSource> sources;
  size_t figures = 0;
  dumps.ForEach([&](const DumpSource& source, Dump dump) {
    files.push_back(PlanFile(options, source, std::move(dump), ExtensionOf(format)));
    sources.push_back(source);
    figures += files.back()->jobs.size();
  });
  // -j goes to the figures when there are several, else to encoding the one.
  render.threads = figures == 1 ? ThreadCount(options.figure.jobs) : 1;
  FigureBatch batch;
  std::vector<std::function<HeatmapSpec()>> specs;
  for (size_t f = 0; f < files.size(); ++f) {
    const std::shared_ptr<const HeatmapFile>& file = files[f];
    for (const FigureJob& job : file->jobs) {
      specs.push_back(
          [file, &job, &options] { return MakeSpec(file->dump, options, file->inputs, job); });
      batch.figures.push_back({job.fields, [spec = specs.back(), format, render] {
                                 return RenderHeatmap(spec(), format, render);
                               }});
      dumps.Guard(batch.figures.back(), sources[f]);
    }
  }
  batch.draw_pages = [&specs, &render](const std::function<void()>& page_done) {
    return RenderHeatmapPages(
        specs.size(),
        [&](size_t i) {
          HeatmapSpec spec = specs[i]();
          page_done();
          return spec;
        },
        render);
  };
  WriteFigureBatch(batch, options.figure, format, dumps.files());
  dumps.Finish();
}

void AddSelectionOptions(CLI::App& command, HeatmapOptions& options) {
  command.add_option(
      "--layer,--layers", options.layers,
      "layers: an index, A:B, a list such as 0,2,5, or all, in the model's numbers when "
      "the dump states them (default: the dump's first)");
  command.add_option("--head,--heads", options.heads,
                     "heads, as --layer (default 0; with --fuse, all)");
  command
      .add_option("--fuse", options.fuse,
                  "one figure combining the selected heads cell by cell: mean, max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
}

void AddLookOptions(CLI::App& command, HeatmapOptions& options) {
  CLI::Option* annotate = command.add_flag(
      "--annotate", options.annotate, "write each value in its cell (default: maps up to 32 x 32)");
  command.add_flag("--no-annotate", options.no_annotate, "never write values in cells")
      ->excludes(annotate);
  command.add_flag("--clean-tokens", options.clean_tokens,
                   "drop subword markers: ##ing -> ing, Ġthe -> the, ▁the -> the");
  command.add_option(
      "--title", options.title,
      "figure title; {layer} {head} {stem} {batch} are filled in (default: model, layer, head)");
  command.add_flag("--bare", options.bare,
                   "only the cells: no margins, labels, colorbar or values (for embedding)");
  command
      .add_option("--cell", options.cell,
                  "cell side in pixels (with --bare, default 1; otherwise from the labels)")
      ->check(WholeNumberFrom(1, 10000));
}

}  // namespace

void AddHeatmapCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<HeatmapOptions>();
  CLI::App* command = app.add_subcommand(
      "heatmap", "Heads, or a fusion of heads, as heatmaps with token labels and a colorbar");
  options->dump.AddTo(*command, true);
  options->figure.AddTo(*command);
  AddShardOption(*command, options->figure.shard);
  AddSelectionOptions(*command, *options);
  options->cells.AddTo(*command);
  options->color.AddTo(*command);
  AddLookOptions(*command, *options);
  command->footer(
      "Examples:\n"
      "  attnviz heatmap data/induction.npy --layer 1 --head 2 -o induction_L1H2.png\n"
      "  attnviz heatmap finbert.json --cmap Blues --clean-tokens -o finbert.pdf\n"
      "  attnviz heatmap attn.npy --layer all --head all -o figs/L{layer}_H{head}.png\n"
      "  attnviz heatmap attn.npy --layer 0:4 --head all -o all_heads.pdf   # a page each\n"
      "  attnviz heatmap attn.npy --layer 11 --fuse mean --norm power:0.5 -o L11_mean.svg\n"
      "  attnviz heatmap attn.npy --bare --cell 4 -o cells.png\n"
      "  attnviz heatmap batch.npz --batch all --head all -o 'figs/b{batch}_H{head}.png'\n"
      "  attnviz heatmap 'dumps/*.npy' --layer all --head all --shard 0/4 \\\n"
      "      -o 'figs/{stem}_L{layer}_H{head}.png'   # one of 4 processes (docs/scaling.md)");
  command->callback([options, &exit_code] {
    RunHeatmap(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
