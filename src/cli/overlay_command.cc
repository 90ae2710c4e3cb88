// `attnviz overlay FILE --image IMG.jpg --grid 14x14 -o OUT`: a vision transformer's attention
// from one query (the CLS token by default) to the image patches, blended over the image.
#include <filesystem>
#include <memory>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/image.h"
#include "attnviz/render/overlay.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/output_template.h"
#include "cli/patch_grid.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct OverlayOptions {
  DumpOptions dump;
  FigureOptions figure;
  ColorOptions color;
  std::string image;
  std::string image_fit = "crop";
  std::string grid;
  bool drop_cls = false;
  std::string layers;  // default 0
  std::string heads;   // default 0, or all with --fuse
  std::string fuse;
  std::string query = "0";
  double alpha = 0.5;
  bool panel = false;
  std::string title;
};

// The query row of the chosen heads (fused when there are several), and what was chosen.
struct PatchRow {
  int64_t query = 0;
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  std::vector<float> keys;
};

Matrix ReadRow(const AttentionTensor& tensor, int64_t layer, int64_t head, int64_t query) {
  Matrix whole{tensor.queries(), tensor.keys(), tensor.ReadHead(layer, head), {}};
  return Crop(whole, {query, query + 1}, {0, tensor.keys()});
}

PatchRow ReadPatchRow(const Dump& dump, const OverlayOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  const std::string& path = dump.metadata.path;
  PatchRow row;
  std::vector<int64_t> query =
      ParseSelection(options.query, {"--query", "query", tensor.queries(), path});
  if (query.size() != 1)
    ThrowUsageError(path + ": --query takes one index, found " + options.query);
  row.query = query[0];
  FigureHeads chosen = ChooseFigureHeads(dump, options.layers, options.heads, options.fuse);
  row.layers = std::move(chosen.layers);
  row.heads = std::move(chosen.heads);
  HeadFusion fused(chosen.fusion.value_or(Fusion::kMean));
  for (int64_t layer : row.layers) {
    for (int64_t head : row.heads) fused.Add(ReadRow(tensor, layer, head, row.query));
  }
  row.keys = fused.Result().values;
  return row;
}

// "vit · layer 11 · head 3 · query 0 “[CLS]”", or "... · mean of all heads · ...".
std::string DefaultTitle(const Dump& dump, const PatchRow& row, const std::string& fuse) {
  std::string title = HeadsTitle(dump, row.layers, row.heads, fuse.empty() ? "" : fuse + " of ");
  title += " · query " + std::to_string(row.query);
  if (dump.query_tokens) title += " “" + (*dump.query_tokens)[row.query] + "”";
  return title;
}

Picture ReadPicture(const std::string& path) {
  RgbaImage image = ReadImage(path);
  return {image.width, image.height, std::move(image.rgba)};
}

// The -o template's fields: {layer} and {head} are numbers when one is chosen (so {layer:02}
// pads), else the selection's short name, or for a fusion its kind.
TemplateFields OutputFields(const Dump& dump, ImageFormat format,
                            const std::vector<int64_t>& layers, const std::vector<int64_t>& heads,
                            const std::string& fuse) {
  auto field = [](const std::vector<int64_t>& positions, int64_t count) {
    return positions.size() == 1 ? TemplateFields::mapped_type(positions[0])
                                 : TemplateFields::mapped_type(DescribeSelection(positions, count));
  };
  return {{"stem", Stem(dump)},
          {"ext", ExtensionOf(format)},
          {"layer", field(Shifted(layers, LayerOffset(dump)), dump.attention.layers())},
          {"head", fuse.empty() ? field(Shifted(heads, HeadOffset(dump)), dump.attention.heads())
                                : TemplateFields::mapped_type(fuse)}};
}

OverlaySpec MakeSpec(const Dump& dump, const OverlayOptions& options, const PatchGrid& grid,
                     const PatchRow& row) {
  OverlaySpec spec;
  spec.grid_rows = grid.rows;
  spec.grid_cols = grid.cols;
  spec.patches.assign(row.keys.begin() + (options.drop_cls ? 1 : 0), row.keys.end());
  spec.title = options.title.empty() ? DefaultTitle(dump, row, options.fuse) : options.title;
  spec.scale = options.color.Request();
  spec.alpha = options.alpha;
  spec.panel = options.panel;
  spec.fit = ParseImageFit(options.image_fit);
  return spec;
}

BatchFigure PlanFile(const OverlayOptions& options, const DumpSource& source, Dump loaded,
                     ImageFormat format, const RenderOptions& render, const PatchGrid& grid,
                     std::shared_ptr<const Picture> picture) {
  auto dump = std::make_shared<const Dump>(std::move(loaded));
  PrintNotes(*dump);
  CheckPatchGrid(*dump, grid, options.drop_cls);
  auto row = std::make_shared<const PatchRow>(ReadPatchRow(*dump, options));
  TemplateFields fields = OutputFields(*dump, format, row->layers, row->heads, options.fuse);
  AddBatchField(fields, source);
  return {fields, [dump, row, picture, grid, &options, format, render] {
            OverlaySpec spec = MakeSpec(*dump, options, grid, *row);
            spec.picture = *picture;
            return RenderOverlay(spec, format, render);
          }};
}

void RunOverlay(const OverlayOptions& options) {
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  if (render.width_pt > 0 || render.height_pt > 0) {
    ThrowUsageError("--size: an overlay figure takes its size from the image (and --dpi)");
  }
  const PatchGrid grid = ParsePatchGrid(options.grid);
  DumpSeries dumps(options.dump);
  std::vector<std::string> inputs = dumps.files();
  FigureBatch batch;
  auto picture = std::make_shared<const Picture>(ReadPicture(options.image));
  dumps.ForEach([&](const DumpSource& source, Dump dump) {
    batch.figures.push_back(
        PlanFile(options, source, std::move(dump), format, render, grid, picture));
    dumps.Guard(batch.figures.back(), source);
  });
  inputs.push_back(options.image);  // no output may overwrite the picture either
  WriteFigureBatch(batch, options.figure, format, inputs);
  dumps.Finish();
}

void AddPatchOptions(CLI::App& command, OverlayOptions& options) {
  command.add_option("--image", options.image, "the picture the model saw: a PNG or JPEG file")
      ->required();
  AddImageFitOption(command, options.image_fit);
  command
      .add_option("--grid", options.grid,
                  "patches down x across the picture, e.g. 14x14 (224 px in 16 px patches)")
      ->required();
  command.add_flag("--drop-cls", options.drop_cls,
                   "the first key is the CLS token, not a patch: leave it out");
  command.add_option("--layer,--layers", options.layers,
                     "layer: an index (default 0); with --fuse also A:B, a list, or all");
  command.add_option("--head,--heads", options.heads,
                     "head, as --layer (default 0; with --fuse, all)");
  command
      .add_option("--fuse", options.fuse,
                  "combine the selected heads' rows patch by patch: mean, max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
  command.add_option("--query", options.query,
                     "the query whose attention is shown (default 0, the CLS token)");
}

void AddLookOptions(CLI::App& command, OverlayOptions& options) {
  command
      .add_option("--alpha", options.alpha,
                  "the colormap's share of each pixel, 0 (picture only) to 1 (default 0.5)")
      ->check(NumberFrom(0, 1));
  command.add_flag("--panel", options.panel,
                   "also draw the patch grid as a heatmap beside the overlay");
  command.add_option("--title", options.title, "figure title (default: model, layer, head, query)");
}

}  // namespace

void AddOverlayCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<OverlayOptions>();
  CLI::App* command = app.add_subcommand(
      "overlay", "A vision transformer's attention to image patches, blended over the image");
  options->dump.AddTo(*command, true);
  options->figure.AddTo(*command);
  AddShardOption(*command, options->figure.shard);
  AddPatchOptions(*command, *options);
  options->color.AddTo(*command);
  AddLookOptions(*command, *options);
  command->footer(
      "Examples:\n"
      "  attnviz overlay vit.npz --image cat.jpg --grid 14x14 --drop-cls -o cls.png\n"
      "  attnviz overlay vit.npz --image wide.jpg --image-fit pad --grid 14x14 --drop-cls "
      "-o cls.svg\n"
      "  attnviz overlay vit.npz --image cat.png --grid 14x14 --drop-cls --layer 11 --fuse mean "
      "\\\n"
      "      --panel --cmap inferno --alpha 0.6 -o cls_mean.pdf");
  command->callback([options, &exit_code] {
    RunOverlay(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
