// `attnviz vlm FILE --image IMG --grid 24x24 --token red -o OUT`: a vision-language model's
// attention between text tokens and image patches: each token's attention over the picture with
// lines to its strongest patches, or (--region) a region's attention over the text.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/image_tokens.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/image.h"
#include "attnviz/io/tokens.h"
#include "attnviz/render/highlight.h"
#include "attnviz/render/image_text.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/token_text.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/patch_grid.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct VlmOptions {
  DumpOptions dump;
  FigureOptions figure;
  ColorOptions color;
  std::string image;
  std::string image_fit = "crop";
  std::string grid;
  std::string span;
  std::vector<std::string> tokens;
  std::string phrase;
  int64_t top_k = 3;
  std::string region;
  std::string layers;
  std::string heads;
  std::string fuse;
  double alpha = 0.5;
  int64_t columns = 0;
  std::string title;
  bool json = false;
};

// The chosen heads, fused into one query x key matrix.
struct FusedHeads {
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  Matrix matrix;
};

FusedHeads ReadHeads(const Dump& dump, const VlmOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  FusedHeads fused;
  FigureHeads chosen = ChooseFigureHeads(dump, options.layers, options.heads, options.fuse);
  fused.layers = std::move(chosen.layers);
  fused.heads = std::move(chosen.heads);
  HeadFusion sum(chosen.fusion.value_or(Fusion::kMean));
  for (int64_t layer : fused.layers) {
    for (int64_t head : fused.heads) {
      sum.Add({tensor.queries(), tensor.keys(), tensor.ReadHead(layer, head), {}});
    }
  }
  fused.matrix = sum.Result();
  return fused;
}

// The dump with --tokens read here rather than by the loader: a single <image> placeholder
// leaves the tokens shorter than the sequence, which the loader would refuse.
Dump LoadDump(const VlmOptions& options, std::optional<std::vector<std::string>>& tokens) {
  DumpOptions reading = options.dump;
  if (!reading.tokens.empty()) {
    tokens = ReadTokensFile(reading.tokens);
    reading.tokens.clear();
    reading.no_tokens = true;
  }
  Dump dump = reading.Load();
  if (!tokens) tokens = dump.query_tokens;
  return dump;
}

ImageTokens FindPatches(const Dump& dump, const VlmOptions& options, const PatchGrid& grid,
                        const std::optional<std::vector<std::string>>& tokens) {
  const AttentionTensor& t = dump.attention;
  return ResolveImageTokens(
      {dump.metadata.path, t.queries(), t.keys(), tokens, options.span, grid.rows, grid.cols});
}

std::string TokenAt(const ImageTokens& found, int64_t position) {
  if (found.tokens.empty()) return "#" + std::to_string(position);
  return CleanSubwordMarkers(found.tokens[position]);
}

bool IsPosition(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The first text position from `after` on whose token, subword markers cleaned, is `word`.
std::optional<int64_t> FindWord(const ImageTokens& found, const std::string& word, int64_t after) {
  for (int64_t position : found.text) {
    if (position >= after && !found.tokens.empty() && TokenAt(found, position) == word)
      return position;
  }
  return std::nullopt;
}

int64_t ChosenPosition(const std::string& path, const ImageTokens& found, const std::string& text,
                       int64_t after) {
  if (IsPosition(text)) {
    int64_t position = std::stoll(text);
    if (std::find(found.text.begin(), found.text.end(), position) == found.text.end()) {
      ThrowUsageError(path + ": --token " + text + " is not a text position: expected one of " +
                      DescribeSelection(found.text, found.text.back() + 1) + " (the patches are " +
                      std::to_string(found.first) + ":" + std::to_string(found.end) + ")");
    }
    return position;
  }
  if (found.tokens.empty())
    ThrowUsageError(path + ": --token " + text + " needs tokens (--tokens FILE) or a position");
  std::optional<int64_t> position = FindWord(found, text, after);
  if (!position)
    ThrowUsageError(path + ": no text token \"" + text + "\" found" +
                    (after > 0 ? " after position " + std::to_string(after - 1) : ""));
  return *position;
}

// --token values in order, then the words of --phrase, each after the previous word.
std::vector<int64_t> ChosenTokens(const std::string& path, const ImageTokens& found,
                                  const VlmOptions& options) {
  std::vector<int64_t> chosen;
  for (const std::string& token : options.tokens)
    chosen.push_back(ChosenPosition(path, found, token, 0));
  std::istringstream words(options.phrase);
  int64_t after = 0;
  for (std::string word; words >> word;) {
    chosen.push_back(ChosenPosition(path, found, word, after));
    after = chosen.back() + 1;
  }
  if (chosen.empty())
    ThrowUsageError(path + ": choose text tokens (--token, --phrase) or --region");
  return chosen;
}

std::vector<float> PatchRow(const Matrix& m, const ImageTokens& found, int64_t query) {
  const float* row = &m.values[query * m.cols];
  return {row + found.first, row + found.end};
}

std::string HeadsText(const Dump& dump, const FusedHeads& heads, const std::string& fuse) {
  return HeadsTitle(dump, heads.layers, heads.heads, fuse.empty() ? "" : fuse + " of ");
}

// --- forward: text tokens over the patches ---

nlohmann::ordered_json TokenJson(const ImageTokens& found, const PatchGrid& grid, int64_t position,
                                 const ImageTextPanel& panel) {
  double share = 0;
  for (float w : panel.patches) share += w;
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (int64_t patch : panel.joined) {
    top.push_back({{"patch", patch},
                   {"row", patch / grid.cols},
                   {"col", patch % grid.cols},
                   {"weight", panel.patches[patch]}});
  }
  return {{"position", position},
          {"token", TokenAt(found, position)},
          {"image_share", share},
          {"top", top},
          {"patches", panel.patches}};
}

nlohmann::ordered_json HeadsJson(const Dump& dump, const FusedHeads& heads,
                                 const std::string& fuse) {
  return {{"file", dump.metadata.path},
          {"layers", Shifted(heads.layers, LayerOffset(dump))},
          {"heads", Shifted(heads.heads, HeadOffset(dump))},
          {"fuse", fuse.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(fuse)}};
}

nlohmann::ordered_json PlacementJson(const ImageTokens& found, const PatchGrid& grid) {
  nlohmann::ordered_json j = {{"grid", {grid.rows, grid.cols}}};
  if (found.patches_are_queries()) {
    j["image_span"] = {found.first, found.end};
  } else {
    j["patches"] = "keys";
  }
  return j;
}

Picture ReadPicture(const std::string& path) {
  RgbaImage image = ReadImage(path);
  return {image.width, image.height, std::move(image.rgba)};
}

void WriteFigure(const VlmOptions& options, const std::string& bytes) {
  WriteFileAtomically(options.figure.output, bytes);
}

void RunForward(const Dump& dump, const VlmOptions& options, const PatchGrid& grid,
                const ImageTokens& found, const FusedHeads& heads) {
  const std::string& path = dump.metadata.path;
  ImageTextSpec spec;
  spec.grid_rows = grid.rows;
  spec.grid_cols = grid.cols;
  nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
  for (int64_t position : ChosenTokens(path, found, options)) {
    ImageTextPanel panel{TokenAt(found, position), PatchRow(heads.matrix, found, position), {}};
    panel.joined = TopPatches(panel.patches, options.top_k);
    tokens.push_back(TokenJson(found, grid, position, panel));
    spec.panels.push_back(std::move(panel));
  }
  if (options.json) {
    nlohmann::ordered_json j = HeadsJson(dump, heads, options.fuse);
    j.update(PlacementJson(found, grid));
    j["tokens"] = tokens;
    std::cout << j.dump(1) << "\n";
  }
  if (options.figure.output.empty()) return;
  spec.picture = ReadPicture(options.image);
  spec.fit = ParseImageFit(options.image_fit);
  spec.title = options.title.empty()
                   ? HeadsText(dump, heads, options.fuse) + " · text → image patches"
                   : options.title;
  spec.scale = options.color.Request();
  spec.alpha = options.alpha;
  spec.columns = options.columns;
  WriteFigure(options, RenderImageText(spec, options.figure.Format(), options.figure.Render()));
}

// --- reverse: a region of patches over the text ---

// The four numbers of "x0,y0,x1,y1" (the unit suffix removed); a usage Error otherwise.
std::vector<double> RegionNumbers(const std::string& text, const std::string& given) {
  std::vector<double> numbers;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    char* end = nullptr;
    double value = std::strtod(part.c_str(), &end);
    if (part.empty() || *end != '\0' || !std::isfinite(value)) {
      numbers.clear();
      break;
    }
    numbers.push_back(value);
  }
  if (numbers.size() != 4)
    ThrowUsageError("--region " + given +
                    ": expected x0,y0,x1,y1 in patches, or x0,y0,x1,y1px in pixels");
  return numbers;
}

// "x0,y0,x1,y1" in patches, or with a "px" suffix in pixels of the picture file.
PatchRegion ParseRegion(const VlmOptions& options, const PatchGrid& grid) {
  std::string text = options.region;
  bool pixels = text.size() > 2 && text.compare(text.size() - 2, 2, "px") == 0;
  if (pixels) text.resize(text.size() - 2);
  std::vector<double> v = RegionNumbers(text, options.region);
  if (pixels && options.image.empty())
    ThrowUsageError("--region " + options.region + ": pixel units need --image");
  if (!pixels) {
    auto whole = [&](double x) {
      if (x != std::floor(x))
        ThrowUsageError("--region " + options.region +
                        ": patch units are whole numbers (add px for pixels)");
      return static_cast<int64_t>(x);
    };
    return {whole(v[0]), whole(v[1]), whole(v[2]), whole(v[3])};
  }
  Picture picture = ReadPicture(options.image);
  Picture fitted = FitPicture(picture, grid.rows, grid.cols, ParseImageFit(options.image_fit));
  // The picture sits centred in the fitted frame (rounded down), as FitPicture puts it.
  auto shift = [](int target, int source) {
    return target >= source ? (target - source) / 2 : -((source - target) / 2);
  };
  double dx = shift(fitted.width, picture.width), dy = shift(fitted.height, picture.height);
  return PixelRegionToPatches(v[0] + dx, v[1] + dy, v[2] + dx, v[3] + dy, fitted.width,
                              fitted.height, grid.rows, grid.cols);
}

std::string RegionText(const PatchRegion& r, size_t patches) {
  return "patches x " + std::to_string(r.col0) + "–" + std::to_string(r.col1 - 1) + ", y " +
         std::to_string(r.row0) + "–" + std::to_string(r.row1 - 1) + " (" +
         std::to_string(patches) + ")";
}

// The mean over the region's patch queries of their attention to each text position.
std::vector<float> RegionToText(const Matrix& m, const ImageTokens& found,
                                const std::vector<int64_t>& patches) {
  std::vector<float> weights;
  for (int64_t key : found.text) {
    double sum = 0;
    for (int64_t patch : patches) sum += m.values[(found.first + patch) * m.cols + key];
    weights.push_back(static_cast<float>(sum / patches.size()));
  }
  return weights;
}

void RunReverse(const Dump& dump, const VlmOptions& options, const PatchGrid& grid,
                const ImageTokens& found, const FusedHeads& heads) {
  const std::string& path = dump.metadata.path;
  if (!found.patches_are_queries()) {
    ThrowUsageError(path +
                    ": --region needs the patches as queries, but this dump has them only "
                    "as keys (cross-attention from " +
                    std::to_string(found.text.size()) +
                    " text queries); show text → image with --token or --phrase instead");
  }
  PatchRegion region = ParseRegion(options, grid);
  std::vector<int64_t> patches = RegionPatches(region, grid.rows, grid.cols);
  HighlightSpec spec;
  for (int64_t position : found.text) spec.tokens.push_back(TokenAt(found, position));
  spec.weights = RegionToText(heads.matrix, found, patches);
  if (options.json) {
    nlohmann::ordered_json j = HeadsJson(dump, heads, options.fuse);
    j.update(PlacementJson(found, grid));
    j["region"] = {{"x0", region.col0},
                   {"y0", region.row0},
                   {"x1", region.col1},
                   {"y1", region.row1},
                   {"patches", patches}};
    nlohmann::ordered_json text = nlohmann::ordered_json::array();
    for (size_t i = 0; i < found.text.size(); ++i)
      text.push_back(
          {{"position", found.text[i]}, {"token", spec.tokens[i]}, {"weight", spec.weights[i]}});
    j["text"] = text;
    std::cout << j.dump(1) << "\n";
  }
  if (options.figure.output.empty()) return;
  spec.title = options.title.empty() ? HeadsText(dump, heads, options.fuse) + " · image " +
                                           RegionText(region, patches.size()) + " → text"
                                     : options.title;
  spec.scale_title = "attention";
  spec.scale = options.color.Request();
  if (options.color.cmap.empty()) spec.scale.colormap = "Reds";
  RegionTextSpec figure{ReadPicture(options.image),
                        ParseImageFit(options.image_fit),
                        grid.rows,
                        grid.cols,
                        region.col0,
                        region.row0,
                        region.col1,
                        region.row1,
                        std::move(spec)};
  WriteFigure(options, RenderRegionText(figure, options.figure.Format(), options.figure.Render()));
}

void CheckRequest(const VlmOptions& options) {
  if (options.figure.output.empty() && !options.json)
    ThrowUsageError("vlm: give -o FILE for the figure, --json for the numbers, or both");
  if (!options.region.empty() && (!options.tokens.empty() || !options.phrase.empty()))
    ThrowUsageError("--region shows the image → text direction: leave out --token and --phrase");
  if (!options.figure.output.empty()) {
    options.figure.Format();
    if (options.json && options.figure.output == "-")
      ThrowUsageError("--json and -o - would both write to standard output");
    CheckNotInput(options.figure.output, options.dump.input);
    if (!options.image.empty()) CheckNotInput(options.figure.output, options.image);
  }
  if (options.image.empty() && !options.figure.output.empty())
    ThrowUsageError("vlm: the figure needs --image, the picture the model saw");
  if (options.top_k < 1)
    ThrowUsageError("--top-k " + std::to_string(options.top_k) + ": expected at least 1");
}

void RunVlm(const VlmOptions& options) {
  CheckRequest(options);
  const PatchGrid grid = ParsePatchGrid(options.grid);
  std::optional<std::vector<std::string>> tokens;
  Dump dump = LoadDump(options, tokens);
  PrintNotes(dump);
  ImageTokens found = FindPatches(dump, options, grid, tokens);
  FusedHeads heads = ReadHeads(dump, options);
  if (options.region.empty()) {
    RunForward(dump, options, grid, found, heads);
  } else {
    RunReverse(dump, options, grid, found, heads);
  }
}

void AddPlacementOptions(CLI::App& command, VlmOptions& options) {
  command.add_option("--image", options.image, "the picture the model saw: a PNG or JPEG file");
  AddImageFitOption(command, options.image_fit);
  command.add_option("--grid", options.grid, "patches down x across, e.g. 24x24 (LLaVA-1.5)")
      ->required();
  command.add_option("--image-span", options.span,
                     "the patches are sequence positions A:B (half-open); default: the run of "
                     "<image> tokens, else every key (cross-attention)");
}

void AddChoiceOptions(CLI::App& command, VlmOptions& options) {
  command
      .add_option("--token", options.tokens,
                  "a text token: its position in the sequence, or its text (the first "
                  "match); repeat for several")
      ->allow_extra_args(false);  // FILE after --token X stays FILE
  command.add_option("--phrase", options.phrase,
                     "words, each the first matching text token after the previous one");
  command.add_option("--top-k", options.top_k, "lines to each token's strongest patches (3)");
  command.add_option("--region", options.region,
                     "x0,y0,x1,y1: these patches as queries, their attention over the text "
                     "(half-open, in patches; append px for pixels of the picture)");
  command.add_option("--layer,--layers", options.layers,
                     "layer: an index (default 0); with --fuse also A:B, a list, or all");
  command.add_option("--head,--heads", options.heads,
                     "head, as --layer (default 0; with --fuse, all)");
  command.add_option("--fuse", options.fuse, "combine the selected heads: mean, max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
}

void AddLookOptions(CLI::App& command, VlmOptions& options) {
  command.add_option("--alpha", options.alpha, "the colormap's share of each pixel (0.5)")
      ->check(NumberFrom(0, 1));
  command.add_option("--columns", options.columns, "panels per row (default: up to 4)");
  command.add_option("--title", options.title, "figure title (default: model, layer, head)");
  command.add_flag("--json", options.json,
                   "print each token's weights over the patches and its top-k patches (with "
                   "--region: the region's weights over the text) as JSON");
}

}  // namespace

void AddVlmCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<VlmOptions>();
  CLI::App* command = app.add_subcommand(
      "vlm", "Vision-language attention: text tokens over image patches, joined by lines");
  options->dump.AddTo(*command);
  options->figure.AddTo(*command, false);
  AddPlacementOptions(*command, *options);
  AddChoiceOptions(*command, *options);
  options->color.AddTo(*command);
  AddLookOptions(*command, *options);
  command->footer(
      "Examples:\n"
      "  attnviz vlm data/vlm_attn.npy --tokens data/vlm_tokens.txt --image data/vlm_scene.png "
      "\\\n"
      "      --grid 8x8 --layer 0 --head 1 --phrase \"red square\" -o red_square.png\n"
      "  attnviz vlm llava.npz --image cat.jpg --grid 24x24 --image-span 5:581 --token 590 "
      "--json\n"
      "  attnviz vlm data/vlm_attn.npy --tokens data/vlm_tokens.txt --image data/vlm_scene.png "
      "\\\n"
      "      --grid 8x8 --region 0,2,2,4 --fuse mean -o region.pdf");
  command->callback([options, &exit_code] {
    RunVlm(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
