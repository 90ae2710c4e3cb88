// `attnviz attribute FILE --grad G`: attention ⊙ gradient maps, their rollout, head importance
// and integrated gradients, as a table, JSON or heatmaps: signed maps on a centred diverging
// colormap, maps that are never negative on a sequential one from 0.
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/attribution.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/heatmap.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/output_template.h"
#include "cli/parallel.h"
#include "cli/selection.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct AttributeOptions {
  DumpOptions dump;
  FigureOptions figure;
  std::string grad;
  std::string ig_grads;
  std::string grad_key;
  std::string ig_axes;
  std::string show = "signed";
  std::string layers;
  std::string heads;
  std::string cmap;  // empty: RdBu_r for signed maps, viridis for those never negative
  std::optional<double> vmax;
  std::string title;
  bool json = false;
  bool csv = false;
};

std::vector<Axis> AxesFromNames(const std::string& text) {
  std::vector<Axis> axes;
  std::stringstream stream(text);
  for (std::string name; std::getline(stream, name, ',');) {
    const std::optional<Axis> axis = ParseAxis(name == "step" ? "batch" : name);
    if (!axis || (*axis == Axis::kBatch && name != "step")) {
      ThrowUsageError(
          "--ig-axes: expected step followed by names from layer, head, query, "
          "key, found '" +
          name + "'");
    }
    axes.push_back(*axis);
  }
  return axes;
}

// Gradients cover the positions as stored: they lose the padding the attention lost.
Dump CroppedLike(Dump gradient, const Dump& attention) {
  const Padding& p = attention.padding;
  const AttentionTensor& g = gradient.attention;
  if (p.trimmed && g.queries() == attention.attention.stored_queries() &&
      g.keys() == attention.attention.stored_keys()) {
    gradient.attention.Crop(p.query_first, p.query_end - p.query_first, p.key_first,
                            p.key_end - p.key_first);
  }
  return gradient;
}

// The gradient file as the attention was read: same --axes and --batch, same padding cropped.
Dump LoadGradient(const AttributeOptions& options, const Dump& attention) {
  DumpOptions gradient = options.dump;
  gradient.input = options.grad;
  gradient.key = options.grad_key;
  gradient.tokens = gradient.query_tokens = gradient.key_tokens = "";
  gradient.no_tokens = gradient.keep_padding = true;
  gradient.softmax = false;
  return CroppedLike(gradient.Load(), attention);
}

// The integrated-gradients file: a leading step axis, read as the batch axis, then the
// attention's axes as stored (one batch item; per layer for a per-layer stack), or --ig-axes.
Dump LoadStepGradients(const AttributeOptions& options, const Dump& attention) {
  LoadOptions load;
  load.no_tokens = load.keep_padding = true;
  if (!options.grad_key.empty()) load.key = options.grad_key;
  if (!options.ig_axes.empty()) {
    load.axes = AxesFromNames(options.ig_axes);
    return CroppedLike(LoadDump(options.ig_grads, load), attention);
  }
  const std::vector<Axis>& stored = attention.attention.axes();
  const bool layer_stack = attention.metadata.array_name.find(" ... ") != std::string::npos;
  load.axes = std::vector<Axis>{Axis::kBatch};
  for (size_t i = layer_stack ? 1 : 0; i < stored.size(); ++i) {
    if (stored[i] != Axis::kBatch) load.axes->push_back(stored[i]);
  }
  return CroppedLike(LoadDump(options.ig_grads, load), attention);
}

// The attribution, and the number of integrated-gradient steps (0 for a plain gradient).
struct AttributionRun {
  Attribution result;
  int64_t steps = 0;
};

AttributionRun Attribute(const Dump& dump, const AttributeOptions& options) {
  const NamedTensor attention{dump.attention, dump.metadata.path};
  if (!options.grad.empty()) {
    const Dump gradient = LoadGradient(options, dump);
    return {AttributeGradients(attention, {gradient.attention, options.grad}), 0};
  }
  const Dump steps = LoadStepGradients(options, dump);
  return {AttributeIntegratedGradients(attention, {steps.attention, options.ig_grads}),
          steps.attention.batches()};
}

// Row-major values as nested lists of `rows` x `cols`.
nlohmann::json Nested(std::span<const double> values, int64_t rows, int64_t cols) {
  nlohmann::json matrix = nlohmann::json::array();
  for (int64_t r = 0; r < rows; ++r) {
    matrix.push_back(
        std::vector<double>(values.begin() + r * cols, values.begin() + (r + 1) * cols));
  }
  return matrix;
}

nlohmann::json MapsJson(const Attribution& a, bool positive) {
  nlohmann::json layers = nlohmann::json::array();
  for (int64_t layer = 0; layer < a.layers; ++layer) {
    nlohmann::json heads = nlohmann::json::array();
    for (int64_t head = 0; head < a.heads; ++head) {
      std::vector<double> map(a.Map(layer, head).begin(), a.Map(layer, head).end());
      if (positive) {
        for (double& value : map) value = std::max(value, 0.0);
      }
      heads.push_back(Nested(map, a.queries, a.keys));
    }
    layers.push_back(std::move(heads));
  }
  return layers;
}

nlohmann::json AttributionJson(const Dump& dump, const Attribution& a,
                               const AttributeOptions& options, int64_t steps) {
  nlohmann::json heads = nlohmann::json::array(), means = nlohmann::json::array();
  for (int64_t i = 0; i < a.layers * a.heads; ++i) {
    heads.push_back({{"layer", ModelLayer(dump, i / a.heads)},
                     {"head", ModelHead(dump, i % a.heads)},
                     {"score", a.scores[i]},
                     {"importance", a.importance[i]}});
  }
  for (int64_t layer = 0; layer < a.layers; ++layer) {
    means.push_back(Nested(a.MeanPositive(layer), a.queries, a.keys));
  }
  return {{"mode", options.grad.empty() ? "integrated_gradients" : "gradient"},
          {"steps", options.grad.empty() ? nlohmann::json(steps) : nlohmann::json(nullptr)},
          {"heads", heads},
          {"maps", {{"signed", MapsJson(a, false)}, {"positive", MapsJson(a, true)}}},
          {"mean_positive", means},
          {"rollout", a.rollout ? Nested(*a.rollout, a.queries, a.queries) : nullptr}};
}

Table ImportanceTable(const Dump& dump, const Attribution& a) {
  Table table{{"layer", "head", "score", "importance"}, {}};
  for (int64_t i = 0; i < a.layers * a.heads; ++i) {
    table.rows.push_back({std::to_string(ModelLayer(dump, i / a.heads)),
                          std::to_string(ModelHead(dump, i % a.heads)), FormatNumber(a.scores[i]),
                          FormatNumber(a.importance[i])});
  }
  return table;
}

void PrintText(const Dump& dump, const Attribution& a, const AttributeOptions& options) {
  std::cout << dump.metadata.path << ": "
            << (options.grad.empty() ? "integrated gradients from " + options.ig_grads
                                     : "A ⊙ G with " + options.grad)
            << "; score = |sum A ⊙ G|, importance normalised per layer (L2) then min-max\n\n";
  ImportanceTable(dump, a).PrintText(std::cout);
}

// One heatmap to draw and the fields its output name may use.
struct FigureJob {
  TemplateFields fields;
  std::function<HeatmapSpec()> spec;
};

Matrix ToMatrix(std::span<const double> values, int64_t rows, int64_t cols) {
  Matrix matrix;
  matrix.rows = rows;
  matrix.cols = cols;
  matrix.values.assign(values.begin(), values.end());
  return matrix;
}

// Whether a map can hold negative values: only signed A⊙G does; (A⊙G)⁺, its means and its
// rollout never do.
enum class Sign { kSigned, kNonNegative };

// A signed map on the centred diverging scale (white at 0, limits -h..h); a map that is never
// negative on a sequential colormap from 0 to its largest value.
HeatmapSpec MapSpec(const Dump& dump, const AttributeOptions& options, Matrix matrix,
                    const std::string& title, Sign sign) {
  HeatmapSpec spec;
  spec.matrix = std::move(matrix);
  if (dump.query_tokens) spec.row_labels = *dump.query_tokens;
  if (dump.key_tokens) spec.col_labels = *dump.key_tokens;
  if (sign == Sign::kSigned) {
    spec.colormap = options.cmap.empty() ? "RdBu_r" : options.cmap;
    spec.norm = {NormKind::kCentered, 1};
    if (options.vmax) spec.vmax = std::abs(*options.vmax);
  } else {
    spec.colormap = options.cmap.empty() ? "viridis" : options.cmap;
    spec.vmin = 0;
    if (options.vmax) spec.vmax = *options.vmax;
  }
  spec.title = options.title.empty() ? title : options.title;
  return spec;
}

// The cells of head (layer, head) that are no weight (the causal triangle, padding): A ⊙ G is
// masked where A is, as heatmap masks A.
std::vector<uint8_t> HeadMask(const Dump& dump, int64_t layer, int64_t head) {
  return WholeHeads(dump).ReadMasked(dump.attention, layer, head).masked;
}

// The cells masked in every head of `layer`.
std::vector<uint8_t> LayerMask(const Dump& dump, int64_t layer) {
  std::vector<uint8_t> mask = HeadMask(dump, layer, 0);
  for (int64_t head = 1; head < dump.attention.heads() && !mask.empty(); ++head) {
    mask = MaskedInBoth(mask, HeadMask(dump, layer, head));
  }
  return mask;
}

// Every token's own position: the rows of a map over all of them.
std::vector<int64_t> AllPositions(int64_t count) {
  std::vector<int64_t> positions(count);
  for (int64_t i = 0; i < count; ++i) positions[i] = i;
  return positions;
}

std::string Name(const Dump& dump) {
  return dump.metadata.model.empty() ? Stem(dump.metadata.path) : dump.metadata.model;
}

// " · layer 11 · head 0" in the model's numbering when the dump is a slice of it, as heatmap
// titles are, without what the dump does not have; a negative head leaves the head out.
std::string Place(const Dump& dump, int64_t layer, int64_t head) {
  std::string text;
  if (TitlesLayer(dump)) text += " · layer " + std::to_string(ModelLayer(dump, layer));
  if (head >= 0 && TitlesHead(dump)) text += " · head " + std::to_string(ModelHead(dump, head));
  return text;
}

std::vector<FigureJob> HeadJobs(const Dump& dump, const Attribution& a,
                                const AttributeOptions& options, TemplateFields common) {
  const auto layers = options.layers.empty() ? std::vector<int64_t>{0}
                                             : ParseLayers(options.layers, dump, "--layer");
  const auto heads =
      options.heads.empty() ? std::vector<int64_t>{0} : ParseHeads(options.heads, dump, "--head");
  const bool positive = options.show == "positive";
  std::vector<FigureJob> jobs;
  for (int64_t layer : layers) {
    for (int64_t head : heads) {
      TemplateFields fields = common;
      fields["layer"] = ModelLayer(dump, layer);
      fields["head"] = ModelHead(dump, head);
      jobs.push_back({fields, [&, layer, head, positive] {
                        Matrix m = ToMatrix(a.Map(layer, head), a.queries, a.keys);
                        if (positive) {
                          for (float& v : m.values) v = std::max(v, 0.0f);
                        }
                        m.masked = HeadMask(dump, layer, head);
                        return MapSpec(dump, options, std::move(m),
                                       Name(dump) + Place(dump, layer, head) +
                                           (positive ? " · (A⊙G)⁺" : " · A⊙G"),
                                       positive ? Sign::kNonNegative : Sign::kSigned);
                      }});
    }
  }
  return jobs;
}

std::vector<FigureJob> LayerJobs(const Dump& dump, const Attribution& a,
                                 const AttributeOptions& options, TemplateFields common) {
  const auto layers = ParseLayers(options.layers.empty() ? "all" : options.layers, dump, "--layer");
  std::vector<FigureJob> jobs;
  for (int64_t layer : layers) {
    TemplateFields fields = common;
    fields["layer"] = ModelLayer(dump, layer);
    fields["head"] = std::string("mean");
    jobs.push_back({fields, [&, layer] {
                      Matrix m = ToMatrix(a.MeanPositive(layer), a.queries, a.keys);
                      m.masked = LayerMask(dump, layer);
                      return MapSpec(
                          dump, options, std::move(m),
                          Name(dump) + Place(dump, layer, -1) + " · mean over heads of (A⊙G)⁺",
                          Sign::kNonNegative);
                    }});
  }
  return jobs;
}

HeatmapSpec ImportanceSpec(const Dump& dump, const Attribution& a,
                           const AttributeOptions& options) {
  HeatmapSpec spec;
  spec.matrix = ToMatrix(a.importance, a.layers, a.heads);
  for (int64_t layer = 0; layer < a.layers; ++layer) {
    spec.row_labels.push_back(std::to_string(ModelLayer(dump, layer)));
  }
  for (int64_t head = 0; head < a.heads; ++head) {
    spec.col_labels.push_back(std::to_string(ModelHead(dump, head)));
  }
  spec.row_axis_title = "layer";
  spec.col_axis_title = "head";
  spec.min_cell = kSummaryCell;
  spec.colormap = options.cmap.empty() ? "viridis" : options.cmap;  // a share, not a sign
  spec.vmin = 0;
  spec.vmax = 1;
  spec.title = options.title.empty() ? Name(dump) + " · head importance" : options.title;
  return spec;
}

std::vector<FigureJob> PlanFigures(const Dump& dump, const Attribution& a,
                                   const AttributeOptions& options, ImageFormat format) {
  TemplateFields common{{"stem", Stem(dump.metadata.path)}, {"ext", ExtensionOf(format)}};
  if (options.show == "signed" || options.show == "positive") {
    return HeadJobs(dump, a, options, common);
  }
  if (options.show == "mean") return LayerJobs(dump, a, options, common);
  if (options.show == "importance") {
    return {{common, [&] { return ImportanceSpec(dump, a, options); }}};
  }
  if (!a.rollout) {
    ThrowUsageError(dump.metadata.path + ": --show rollout needs self-attention; the dump has " +
                    std::to_string(a.queries) + " queries and " + std::to_string(a.keys) + " keys");
  }
  return {{common, [&] {
             Matrix m = ToMatrix(*a.rollout, a.queries, a.queries);
             m.masked = DetectCausalRows(m, AllPositions(a.queries));
             return MapSpec(dump, options, std::move(m),
                            Name(dump) + " · rollout of (A⊙G)⁺ (Chefer et al.)",
                            Sign::kNonNegative);
           }}};
}

void WriteFigures(const Dump& dump, const Attribution& a, const AttributeOptions& options) {
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  const std::vector<FigureJob> jobs = PlanFigures(dump, a, options, format);
  std::vector<TemplateFields> fields;
  for (const FigureJob& job : jobs) fields.push_back(job.fields);
  const FigureOutputs outputs =
      PlanFigureOutputs(options.figure.output, format, fields, options.dump.input);
  if (outputs.pdf_pages) {
    WriteFileAtomically(outputs.paths[0],
                        RenderHeatmapPages(
                            jobs.size(), [&](size_t i) { return jobs[i].spec(); }, render));
    return;
  }
  RunFigureJobs(jobs.size(), ThreadCount(options.figure.jobs), [&](size_t i) {
    WriteFileAtomically(outputs.paths[i], RenderHeatmap(jobs[i].spec(), format, render));
  });
}

void CheckOptions(const AttributeOptions& options) {
  if (options.grad.empty() == options.ig_grads.empty()) {
    ThrowUsageError("attribute: give exactly one of --grad G and --ig-grads G");
  }
  if (!options.figure.output.empty()) options.figure.Format();
}

void RunAttribute(const AttributeOptions& options) {
  CheckOptions(options);
  const bool prints_text = PrintsText(options.figure.output, options.json || options.csv);
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  const AttributionRun run = Attribute(dump, options);
  const Attribution& attribution = run.result;
  if (!options.figure.output.empty()) WriteFigures(dump, attribution, options);
  if (!prints_text) return;
  if (options.json) {
    std::cout << AttributionJson(dump, attribution, options, run.steps).dump() << "\n";
  } else if (options.csv) {
    ImportanceTable(dump, attribution).PrintCsv(std::cout);
  } else {
    PrintText(dump, attribution, options);
  }
}

void AddGradientOptions(CLI::App& command, AttributeOptions& options) {
  command.add_option("--grad", options.grad,
                     "gradient of the attention, same shape (attn.retain_grad(), then .grad)");
  command.add_option("--ig-grads", options.ig_grads,
                     "integrated gradients: a leading axis of m steps, step k (1..m) the "
                     "gradient at (k/m)·A");
  command.add_option("--grad-key", options.grad_key, "array to read from a gradient .npz");
  command.add_option("--ig-axes", options.ig_axes,
                     "names of the --ig-grads dimensions, e.g. step,layer,head,query,key "
                     "(default: step, then the defaults for the rank that remains)");
}

}  // namespace

void AddAttributeCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AttributeOptions>();
  CLI::App* command = app.add_subcommand(
      "attribute", "Attention times gradient, its rollout, head importance, integrated gradients");
  options->dump.AddTo(*command);
  AddGradientOptions(*command, *options);
  options->figure.AddTo(*command, false);
  command
      ->add_option("--show", options->show,
                   "what -o draws: signed A⊙G per head (default), positive (A⊙G)⁺ per head, "
                   "mean (of (A⊙G)⁺ over a layer's heads), rollout, importance")
      ->check(CLI::IsMember({"signed", "positive", "mean", "rollout", "importance"}));
  command->add_option("--layer,--layers", options->layers,
                      "layers to draw: an index, A:B, a list, or all (default 0; mean: all)");
  command->add_option("--head,--heads", options->heads, "heads to draw, as --layer (default 0)");
  command->add_option("--cmap", options->cmap,
                      "colormap (default RdBu_r centred on 0 for signed A⊙G; viridis from 0 for "
                      "positive, mean, rollout and importance, which are never negative)");
  command
      ->add_option("--vmax", options->vmax,
                   "colour limits -V..V for signed maps, 0..V for the others (default: the "
                   "largest |value|)")
      ->check(FiniteNumber());
  command->add_option("--title", options->title, "figure title");
  auto* json = command->add_flag("--json", options->json, "print one JSON object with every map");
  command->add_flag("--csv", options->csv, "print the importance table as CSV")->excludes(json);
  command->footer(
      "Examples:\n"
      "  attnviz attribute attn.npy --grad attn_grad.npy\n"
      "  attnviz attribute attn.npy --grad attn_grad.npy --show rollout -o rollout.pdf\n"
      "  attnviz attribute attn.npy --ig-grads ig_steps.npy --layer all --head all "
      "-o figs/ig_L{layer}_H{head}.png");
  command->callback([options, &exit_code] {
    RunAttribute(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
