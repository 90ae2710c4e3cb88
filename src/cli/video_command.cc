// `attnviz video FILE --frames T --grid HxW --clip FRAMES -o OUT`: a video transformer's attention
// from one query over T frames (strip with mass bars, or GIF/MP4), and frame-to-frame maps.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/video_attention.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/video_frames.h"
#include "attnviz/render/animation.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/matrix.h"
#include "attnviz/render/video_strip.h"
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

struct VideoOptions {
  DumpOptions dump;
  FigureOptions figure;
  ColorOptions color;
  std::string clip;
  std::string image_fit = "crop";
  std::string grid;
  int64_t frames = 0;
  bool cls = false;
  bool no_cls = false;
  std::string layout = "joint";
  std::string token_order = "tyx";
  std::string layers;
  std::string heads;
  std::string fuse;
  std::string query = "cls";
  double alpha = 0.5;
  int fps = 2;
  std::string title;
  std::string frame_map;
  bool json = false;
};

// The heads to read: --layer and --head, fused by --fuse when several.
struct HeadChoice {
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  Fusion fusion = Fusion::kMean;
};

HeadChoice ChooseHeads(const Dump& dump, const VideoOptions& options) {
  FigureHeads chosen = ChooseFigureHeads(dump, options.layers, options.heads, options.fuse);
  return {std::move(chosen.layers), std::move(chosen.heads), chosen.fusion.value_or(Fusion::kMean)};
}

// The chosen heads of `tensor` (its selected batch item), fused, cropped to `rows`.
Matrix FusedRows(const AttentionTensor& tensor, const HeadChoice& choice, IndexRange rows) {
  HeadFusion fused(choice.fusion);
  for (int64_t layer : choice.layers) {
    for (int64_t head : choice.heads) {
      Matrix whole{tensor.queries(), tensor.keys(), tensor.ReadHead(layer, head), {}};
      fused.Add(Crop(whole, rows, {0, tensor.keys()}));
    }
  }
  return fused.Result();
}

// "cls", "t,y,x" or "y,x" as numbers; a usage Error for anything else.
std::vector<int64_t> ParsePosition(const std::string& text, size_t parts, const char* form) {
  std::vector<int64_t> numbers;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    try {
      size_t used = 0;
      numbers.push_back(std::stoll(part, &used));
      if (used != part.size() || numbers.back() < 0) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      ThrowUsageError(std::string("--query: expected cls or ") + form + ", found " + text);
    }
  }
  if (numbers.size() != parts) {
    ThrowUsageError(std::string("--query: expected cls or ") + form + ", found " + text);
  }
  return numbers;
}

void CheckPatch(const VideoTokens& tokens, int64_t t, int64_t y, int64_t x) {
  if (t >= tokens.frames || y >= tokens.rows || x >= tokens.cols) {
    ThrowUsageError("--query: frame " + std::to_string(t) + ", patch (" + std::to_string(y) + ", " +
                    std::to_string(x) + ") is outside " + std::to_string(tokens.frames) +
                    " frames of " + std::to_string(tokens.rows) + "x" +
                    std::to_string(tokens.cols) + " patches");
  }
}

// The query token of a joint layout: 0 for cls, else frame t's patch (y, x).
int64_t JointQuery(const std::string& path, const VideoOptions& options,
                   const VideoTokens& tokens) {
  if (options.query == "cls") {
    if (!tokens.cls)
      ThrowUsageError(path + ": --query cls: the tokens have no CLS; name a patch t,y,x");
    return 0;
  }
  std::vector<int64_t> p = ParsePosition(options.query, 3, "t,y,x");
  CheckPatch(tokens, p[0], p[1], p[2]);
  return tokens.Token(p[0], p[1], p[2]);
}

// The query token within each frame of a divided spatial layout: its CLS, or patch (y, x).
int64_t SpatialQuery(const std::string& path, const VideoOptions& options,
                     const VideoTokens& tokens) {
  if (options.query == "cls") {
    if (!tokens.cls)
      ThrowUsageError(path + ": --query cls: the tokens have no CLS; name a patch y,x");
    return 0;
  }
  std::vector<int64_t> p = ParsePosition(options.query, 2, "y,x");
  CheckPatch(tokens, 0, p[0], p[1]);
  return tokens.Token(0, p[0], p[1]);
}

ClsToken ClsChoice(const VideoOptions& options) {
  if (options.cls && options.no_cls) ThrowUsageError("--cls and --no-cls: give one of them");
  return options.cls ? ClsToken::kPresent : options.no_cls ? ClsToken::kAbsent : ClsToken::kInfer;
}

void CheckQueries(const std::string& path, const AttentionTensor& tensor, int64_t query) {
  if (query >= tensor.queries()) {
    ThrowUsageError(path + ": --query names token " + std::to_string(query) + ", the dump has " +
                    std::to_string(tensor.queries()) + " queries");
  }
}

// What one query attends to over the video, and how it was read.
struct VideoReading {
  VideoTokens tokens;
  FrameAttention attention;
  int64_t query = 0;  // the token within the sequence (joint) or within a frame (spatial)
};

VideoReading ReadJoint(const Dump& dump, const VideoOptions& options, const PatchGrid& grid,
                       const HeadChoice& choice) {
  const std::string& path = dump.metadata.path;
  VideoReading reading;
  TokenOrder order =
      options.token_order == "yxt" ? TokenOrder::kPatchMajor : TokenOrder::kFrameMajor;
  reading.tokens = ResolveVideoTokens(path, dump.attention.keys(), options.frames, grid.rows,
                                      grid.cols, ClsChoice(options), order);
  reading.query = JointQuery(path, options, reading.tokens);
  CheckQueries(path, dump.attention, reading.query);
  Matrix row = FusedRows(dump.attention, choice, {reading.query, reading.query + 1});
  reading.attention = SplitJointRow(row.values, reading.tokens);
  return reading;
}

VideoReading ReadSpatial(const Dump& dump, const VideoOptions& options, const PatchGrid& grid,
                         const HeadChoice& choice) {
  const std::string& path = dump.metadata.path;
  VideoReading reading;
  reading.tokens =
      ResolveVideoTokens(path, dump.attention.keys(), 1, grid.rows, grid.cols, ClsChoice(options));
  reading.tokens.frames = options.frames;
  if (dump.attention.batches() != options.frames) {
    ThrowInputError(path, "--layout spatial: expected a batch axis of " +
                              std::to_string(options.frames) + " frames (--frames), found " +
                              std::to_string(dump.attention.batches()) + " batch items");
  }
  reading.query = SpatialQuery(path, options, reading.tokens);
  CheckQueries(path, dump.attention, reading.query);
  std::vector<std::vector<float>> rows;
  for (int64_t t = 0; t < options.frames; ++t) {
    AttentionTensor frame = dump.attention;
    frame.SelectBatch(t);
    rows.push_back(FusedRows(frame, choice, {reading.query, reading.query + 1}).values);
  }
  reading.attention = SplitSpatialRows(rows, reading.tokens);
  return reading;
}

std::string QueryText(const VideoOptions& options) {
  return options.query == "cls" ? "CLS" : "patch " + options.query;
}

std::string DefaultTitle(const Dump& dump, const HeadChoice& choice, const VideoOptions& options) {
  std::string title = HeadsTitle(dump, choice.layers, choice.heads,
                                 options.fuse.empty() ? "" : options.fuse + " of ");
  return title + " · query " + QueryText(options);
}

VideoStripSpec StripSpec(const Dump& dump, const VideoOptions& options, const PatchGrid& grid,
                         const HeadChoice& choice, const VideoReading& reading,
                         VideoFrames frames) {
  VideoStripSpec spec;
  for (size_t t = 0; t < frames.pictures.size(); ++t) {
    RgbaImage& image = frames.pictures[t];
    spec.frames.push_back({image.width, image.height, std::move(image.rgba)});
    spec.captions.push_back("t=" + std::to_string(t) + " · #" + std::to_string(frames.indices[t]));
  }
  spec.grid_rows = grid.rows;
  spec.grid_cols = grid.cols;
  spec.maps = reading.attention.maps;
  if (options.layout == "joint") spec.profile = reading.attention.mass;
  spec.title = options.title.empty() ? DefaultTitle(dump, choice, options) : options.title;
  spec.scale = options.color.Request();
  spec.alpha = options.alpha;
  spec.fit = ParseImageFit(options.image_fit);
  return spec;
}

// The animation's frames: each blended frame enlarged toward 320 pixels, with a progress bar.
std::string AnimationBytes(const VideoStripSpec& spec, AnimationFormat format, int fps) {
  Picture fitted = FitPicture(spec.frames[0], spec.grid_rows, spec.grid_cols, spec.fit);
  int side = std::max(fitted.width, fitted.height);
  int magnification = std::max(1, 320 / side);
  std::vector<RgbFrame> frames = BlendVideoFrames(spec, magnification);
  for (size_t t = 0; t < frames.size(); ++t) {
    frames[t] =
        WithProgressBar(frames[t], static_cast<int64_t>(t), static_cast<int64_t>(frames.size()));
  }
  return EncodeAnimation(frames, format, fps);
}

void WriteOutput(const std::string& output, const std::string& bytes, const VideoOptions& options) {
  CheckNotInput(output, options.dump.input);
  if (!options.clip.empty()) CheckNotInput(output, options.clip);
  WriteFileAtomically(output, bytes);
}

std::vector<std::string> FrameLabels(int64_t frames) {
  std::vector<std::string> labels;
  for (int64_t t = 0; t < frames; ++t) labels.push_back("t=" + std::to_string(t));
  return labels;
}

// A frames x frames heatmap (query frame down, key frame across).
std::string FrameMapFigure(std::vector<float> values, int64_t frames, const std::string& title,
                           const VideoOptions& options, ImageFormat format) {
  HeatmapSpec spec;
  spec.matrix = {frames, frames, std::move(values), {}};
  spec.row_labels = spec.col_labels = FrameLabels(frames);
  spec.row_axis_title = "query frame";
  spec.col_axis_title = "key frame";
  spec.title = title;
  ScaleRequest scale = options.color.Request();
  spec.colormap = scale.colormap;
  spec.norm = scale.norm;
  spec.vmin = scale.vmin;
  spec.vmax = scale.vmax;
  spec.min_cell = kSummaryCell;
  return RenderHeatmap(spec, format, options.figure.Render());
}

// Joint attention's frame-to-frame mass (FrameToFrameMass) of the chosen heads, fused.
std::vector<float> JointFrameMass(const Dump& dump, const HeadChoice& choice,
                                  const VideoTokens& tokens) {
  Matrix fused = FusedRows(dump.attention, choice, {0, dump.attention.queries()});
  if (fused.rows != tokens.Count()) {
    ThrowUsageError(dump.metadata.path + ": --frame-map needs every query (" +
                    std::to_string(tokens.Count()) + "), found " + std::to_string(fused.rows));
  }
  std::vector<double> mass = FrameToFrameMass(fused.values, tokens);
  return {mass.begin(), mass.end()};
}

nlohmann::json ReadingJson(const Dump& dump, const VideoOptions& options,
                           const VideoReading& reading) {
  const VideoTokens& tokens = reading.tokens;
  nlohmann::json out = {{"file", dump.metadata.path},
                        {"layout", options.layout},
                        {"frames", tokens.frames},
                        {"grid", {tokens.rows, tokens.cols}},
                        {"cls", tokens.cls},
                        {"query", options.query},
                        {"query_token", reading.query},
                        {"cls_weight", reading.attention.cls_weight},
                        {"mass_per_frame", reading.attention.mass}};
  nlohmann::json argmax = nlohmann::json::array();
  for (const VideoPatch& p : ArgmaxPatches(reading.attention, tokens)) {
    argmax.push_back({{"t", p.t},
                      {"y", p.y},
                      {"x", p.x},
                      {"weight", reading.attention.maps[p.t][p.y * tokens.cols + p.x]}});
  }
  out["argmax_patch"] = argmax;
  out["maps"] = reading.attention.maps;
  return out;
}

void RunFrameMedia(const Dump& dump, const VideoOptions& options, const PatchGrid& grid,
                   const HeadChoice& choice) {
  VideoReading reading = options.layout == "joint" ? ReadJoint(dump, options, grid, choice)
                                                   : ReadSpatial(dump, options, grid, choice);
  if (!options.frame_map.empty()) {
    if (options.layout != "joint") ThrowUsageError("--frame-map: only for --layout joint");
    ImageFormat format = FigureFormatFor(options.frame_map, "");
    std::string title = HeadsTitle(dump, choice.layers, choice.heads,
                                   options.fuse.empty() ? "" : options.fuse + " of ") +
                        " · attention between frames";
    WriteOutput(options.frame_map,
                FrameMapFigure(JointFrameMass(dump, choice, reading.tokens), options.frames, title,
                               options, format),
                options);
  }
  const std::string& output = options.figure.output;
  if (!output.empty()) {
    if (options.clip.empty())
      ThrowUsageError("-o: the frames are needed: give --clip FOLDER or VIDEO");
    std::optional<AnimationFormat> animation = AnimationFormatFor(output);
    ImageFormat format = animation ? ImageFormat::kPng : options.figure.Format();
    VideoStripSpec spec = StripSpec(dump, options, grid, choice, reading,
                                    ReadVideoFrames(options.clip, options.frames));
    WriteOutput(output,
                animation ? AnimationBytes(spec, *animation, options.fps)
                          : RenderVideoStrip(spec, format, options.figure.Render()),
                options);
  }
  if (options.json) std::cout << ReadingJson(dump, options, reading).dump(2) << "\n";
}

// Divided temporal attention: the batch axis holds the patch positions, each frames x frames.
void RunTemporal(const Dump& dump, const VideoOptions& options, const PatchGrid& grid,
                 const HeadChoice& choice) {
  const std::string& path = dump.metadata.path;
  const AttentionTensor& tensor = dump.attention;
  if (tensor.queries() != options.frames || tensor.keys() != options.frames ||
      tensor.batches() != grid.rows * grid.cols) {
    ThrowInputError(path, "--layout temporal: expected " + std::to_string(grid.rows * grid.cols) +
                              " patch positions (batch) of " + std::to_string(options.frames) +
                              " x " + std::to_string(options.frames) + " frames, found " +
                              std::to_string(tensor.batches()) + " of " +
                              std::to_string(tensor.queries()) + " x " +
                              std::to_string(tensor.keys()));
  }
  std::vector<int64_t> positions;
  if (options.query == "cls") {
    for (int64_t p = 0; p < grid.rows * grid.cols; ++p) positions.push_back(p);
  } else {
    std::vector<int64_t> p = ParsePosition(options.query, 2, "y,x");
    CheckPatch({options.frames, grid.rows, grid.cols, false}, 0, p[0], p[1]);
    positions.push_back(p[0] * grid.cols + p[1]);
  }
  std::vector<float> mean(options.frames * options.frames, 0.0f);
  for (int64_t position : positions) {
    AttentionTensor item = tensor;
    item.SelectBatch(position);
    Matrix fused = FusedRows(item, choice, {0, options.frames});
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += fused.values[i] / positions.size();
  }
  std::string where = positions.size() == 1 ? "patch " + options.query : "mean over patches";
  std::string title = options.title.empty()
                          ? HeadsTitle(dump, choice.layers, choice.heads,
                                       options.fuse.empty() ? "" : options.fuse + " of ") +
                                " · temporal attention, " + where
                          : options.title;
  if (!options.figure.output.empty()) {
    ImageFormat format = options.figure.Format();
    WriteOutput(options.figure.output, FrameMapFigure(mean, options.frames, title, options, format),
                options);
  }
  if (options.json) {
    nlohmann::json out = {{"file", path},
                          {"layout", "temporal"},
                          {"frames", options.frames},
                          {"position", options.query == "cls" ? "mean" : options.query},
                          {"matrix", mean}};
    std::cout << out.dump(2) << "\n";
  }
}

void RunVideo(const VideoOptions& options) {
  if (options.figure.output.empty() && !options.json && options.frame_map.empty()) {
    ThrowUsageError("video: nothing to do: give -o OUT, --frame-map OUT or --json");
  }
  if (options.frames < 1) ThrowUsageError("--frames: expected a positive count");
  PrintsText(options.figure.output, options.json);  // a usage Error for --json with -o -
  const RenderOptions render = options.figure.Render();
  if (render.width_pt > 0 || render.height_pt > 0) {
    ThrowUsageError("--size: a video figure takes its size from the frames (and --dpi)");
  }
  if (options.figure.output.find('{') != std::string::npos) {
    ThrowUsageError("-o " + options.figure.output + ": video writes one figure, not a template");
  }
  const PatchGrid grid = ParsePatchGrid(options.grid);
  Dump dump = options.dump.Load();
  PrintNotes(dump);
  HeadChoice choice = ChooseHeads(dump, options);
  if (options.layout == "temporal") return RunTemporal(dump, options, grid, choice);
  RunFrameMedia(dump, options, grid, choice);
}

void AddTokenOptions(CLI::App& command, VideoOptions& options) {
  command.add_option("--frames", options.frames, "token slices in time, T (frames / tubelet size)")
      ->required();
  command.add_option("--grid", options.grid, "patches down x across each frame, e.g. 14x14")
      ->required();
  command.add_flag("--cls", options.cls, "the first token is a CLS token (default: inferred)");
  command.add_flag("--no-cls", options.no_cls, "there is no CLS token (default: inferred)");
  command
      .add_option("--layout", options.layout,
                  "joint: one T*H*W(+1) sequence (ViViT, VideoMAE); spatial: TimeSformer's "
                  "divided spatial attention, batch axis = frames; temporal: its temporal "
                  "attention, batch axis = patch positions, T x T each")
      ->check(CLI::IsMember({"joint", "spatial", "temporal"}));
  command
      .add_option("--token-order", options.token_order,
                  "joint patch order: tyx (frame by frame: VideoMAE, ViViT; the default) or yxt "
                  "(position by position, frames innermost: TimeSformer)")
      ->check(CLI::IsMember({"tyx", "yxt"}));
  command.add_option("--layer,--layers", options.layers, "layer (default 0); with --fuse a range");
  command.add_option("--head,--heads", options.heads, "head (default 0; with --fuse, all)");
  command.add_option("--fuse", options.fuse, "combine the selected heads: mean, max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
  command.add_option("--query", options.query,
                     "cls (default), a patch t,y,x (joint) or y,x (spatial: in every frame; "
                     "temporal: that position, default the mean over positions)");
}

void AddMediaOptions(CLI::App& command, VideoOptions& options) {
  command.add_option("--clip", options.clip,
                     "the frames: a folder of PNG/JPEG files (sorted by name) or a video file; "
                     "T frames are sampled at the centres of T equal segments");
  AddImageFitOption(command, options.image_fit);
  command.add_option("--alpha", options.alpha, "the colormap's share of each pixel (default 0.5)")
      ->check(NumberFrom(0, 1));
  command.add_option("--fps", options.fps, "frames per second of a .gif or .mp4 (default 2)")
      ->check(CLI::Range(1, 50));
  command.add_option("--frame-map", options.frame_map,
                     "also draw the frames x frames attention mass (joint) to this PNG/SVG/PDF");
  command.add_flag("--json", options.json,
                   "print the per-frame maps, mass and argmax patch as JSON on stdout");
  command.add_option("--title", options.title, "figure title (default: model, layer, head, query)");
}

}  // namespace

void AddVideoCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<VideoOptions>();
  CLI::App* command = app.add_subcommand(
      "video", "A video transformer's attention over frames: strip, animation, frame maps");
  options->dump.AddTo(*command);
  options->figure.AddTo(*command, false);
  AddTokenOptions(*command, *options);
  options->color.AddTo(*command);
  AddMediaOptions(*command, *options);
  command->footer(
      "Output by extension: .png .svg .pdf draw the strip (frames with the query's attention on "
      "one scale, mass per frame under them); .gif (plays everywhere) or .mp4 (smaller) animate "
      "it.\n"
      "Examples:\n"
      "  attnviz video data/video_attn.npz --frames 8 --grid 4x4 --clip data/video_frames "
      "--fuse mean -o strip.png\n"
      "  attnviz video data/video_attn.npz --frames 8 --grid 4x4 --clip data/video_frames "
      "--fuse mean -o clip.gif\n"
      "  attnviz video data/video_attn.npz --frames 8 --grid 4x4 --fuse mean --json\n"
      "  attnviz video spatial.npy --layout spatial --frames 8 --grid 14x14 --clip clip.mp4 "
      "-o spatial.pdf");
  command->callback([options, &exit_code] {
    RunVideo(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
