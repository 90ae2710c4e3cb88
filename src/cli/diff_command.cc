// `attnviz diff A B`: two dumps of one shape compared head by head (A − B heatmaps, JS
// divergence, every statistic); `attnviz diff --series F1 F2 ...`: one statistic per head over
// checkpoints, as a table or a line plot.
#include <algorithm>
#include <functional>
#include <iostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/diff.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/line_plot.h"
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

struct DiffOptions {
  std::vector<std::string> files;   // A B
  std::vector<std::string> series;  // --series F1 F2 ...
  DumpOptions loading;              // --key, --axes, --batch, tokens; input set per file
  FigureOptions figure;
  std::string js_reduce = "mean";
  std::string stat = "entropy";
  std::string layers;
  std::string heads;
  std::string cmap = "RdBu_r";
  std::optional<double> vmax;
  std::string title;
  bool json = false;
  bool csv = false;
};

Dump LoadOne(const DiffOptions& options, const std::string& path) {
  DumpOptions one = options.loading;
  one.input = path;
  Dump dump = one.Load();
  PrintNotes(dump);
  return dump;
}

std::vector<HeadStats> StatsOf(const Dump& dump, const DiffOptions& options) {
  StatsOptions stats;
  stats.threads = ThreadCount(options.figure.jobs);
  return ComputeHeadStats(dump.attention, dump.query_tokens, dump.key_tokens, stats);
}

// Library errors about the data name no file; the user needs to know which pair.
[[noreturn]] void RethrowWithPaths(const Error& error, const DiffOptions& options) {
  throw Error(error.kind(), options.files[0] + " vs " + options.files[1] + ": " + error.what());
}

// ---------------------------------------------------------------------------------------------
// Two dumps

// Statistics that fit a terminal line; CSV and JSON have them all.
constexpr std::string_view kTextStats[] = {"entropy", "confidence", "distance",
                                           "self",    "prev",       "first_token"};

// The statistics worth a column: those defined for some head of either dump.
std::vector<const StatField*> ShownStats(const std::vector<HeadChange>& changes, bool all) {
  std::vector<const StatField*> shown;
  for (const StatField& field : StatFields()) {
    if (!all && std::find(std::begin(kTextStats), std::end(kTextStats), field.name) ==
                    std::end(kTextStats)) {
      continue;
    }
    for (const HeadChange& c : changes) {
      if (!std::isnan(c.a.*field.member) || !std::isnan(c.b.*field.member)) {
        shown.push_back(&field);
        break;
      }
    }
  }
  return shown;
}

nlohmann::json Number(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json DiffJson(const Dump& a_dump, const std::vector<HeadChange>& changes,
                        const DiffOptions& options) {
  nlohmann::json heads = nlohmann::json::array();
  for (const HeadChange& c : changes) {
    nlohmann::json stats = nlohmann::json::object();
    for (const StatField& field : StatFields()) {
      const double a = c.a.*field.member, b = c.b.*field.member;
      stats[field.name] = {{"a", Number(a)}, {"b", Number(b)}, {"delta", Number(a - b)}};
    }
    heads.push_back({{"layer", ModelLayer(a_dump, c.layer)},
                     {"head", ModelHead(a_dump, c.head)},
                     {"js", Number(c.js)},
                     {"max_abs_diff", Number(c.max_abs_diff)},
                     {"stats", stats}});
  }
  return {{"a", options.files[0]},
          {"b", options.files[1]},
          {"js_reduce", options.js_reduce},
          {"heads", heads}};
}

// Text: the change (A − B) of each statistic. CSV: A, B and the change of each.
// Heads in the numbering of A (docs/formats.md "Layer and head numbers").
Table DiffTable(const Dump& a_dump, const std::vector<HeadChange>& changes, bool all_sides) {
  const std::vector<const StatField*> stats = ShownStats(changes, all_sides);
  Table table{{"layer", "head", "js", "max_abs_diff"}, {}};
  for (const StatField* field : stats) {
    if (all_sides) {
      table.columns.push_back(std::string(field->name) + "_a");
      table.columns.push_back(std::string(field->name) + "_b");
    }
    table.columns.push_back("d_" + std::string(field->name));
  }
  for (const HeadChange& c : changes) {
    std::vector<std::string> row = {std::to_string(ModelLayer(a_dump, c.layer)),
                                    std::to_string(ModelHead(a_dump, c.head)), FormatNumber(c.js),
                                    FormatNumber(c.max_abs_diff)};
    for (const StatField* field : stats) {
      const double a = c.a.*field->member, b = c.b.*field->member;
      if (all_sides) {
        row.push_back(FormatNumber(a));
        row.push_back(FormatNumber(b));
      }
      row.push_back(FormatNumber(a - b));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

// One heatmap to draw and the fields its output name may use.
struct FigureJob {
  TemplateFields fields;
  std::function<HeatmapSpec()> spec;
};

HeatmapSpec DifferenceSpec(const Dump& a, const Dump& b, const DiffOptions& options, int64_t layer,
                           int64_t head) {
  HeatmapSpec spec;
  spec.matrix.rows = a.attention.queries();
  spec.matrix.cols = a.attention.keys();
  spec.matrix.values = HeadDifference(a.attention, b.attention, layer, head);
  // A cell masked in both dumps (the causal triangle, padding) is no weight in either.
  spec.matrix.masked = MaskedInBoth(WholeHeads(a).ReadMasked(a.attention, layer, head).masked,
                                    WholeHeads(b).ReadMasked(b.attention, layer, head).masked);
  if (a.query_tokens) spec.row_labels = *a.query_tokens;
  if (a.key_tokens) spec.col_labels = *a.key_tokens;
  spec.colormap = options.cmap;
  spec.norm = {NormKind::kCentered, 1};
  if (options.vmax) spec.vmax = std::abs(*options.vmax);
  spec.title = options.title.empty() ? Stem(options.files[0]) + " − " + Stem(options.files[1]) +
                                           HeadsPlace(a, {layer}, {head})
                                     : options.title;
  return spec;
}

void WriteDifferences(const Dump& a, const Dump& b, const DiffOptions& options) {
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  const std::string& path = a.metadata.path;
  const auto layers =
      options.layers.empty() ? std::vector<int64_t>{0} : ParseLayers(options.layers, a, "--layer");
  const auto heads =
      options.heads.empty() ? std::vector<int64_t>{0} : ParseHeads(options.heads, a, "--head");
  std::vector<FigureJob> jobs;
  for (int64_t layer : layers) {
    for (int64_t head : heads) {
      TemplateFields fields{{"stem", Stem(path)},
                            {"ext", ExtensionOf(format)},
                            {"layer", ModelLayer(a, layer)},
                            {"head", ModelHead(a, head)}};
      jobs.push_back(
          {fields, [&, layer, head] { return DifferenceSpec(a, b, options, layer, head); }});
    }
  }
  std::vector<TemplateFields> fields;
  for (const FigureJob& job : jobs) fields.push_back(job.fields);
  const FigureOutputs outputs = PlanFigureOutputs(options.figure.output, format, fields, path);
  for (const std::string& output : outputs.paths) CheckNotInput(output, b.metadata.path);
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

void RunPair(const DiffOptions& options) {
  if (options.files.size() != 2) {
    ThrowUsageError("diff: expected two dumps A B (or --series F1 F2 ...), found " +
                    std::to_string(options.files.size()));
  }
  const bool prints_text = PrintsText(options.figure.output, options.json || options.csv);
  const Dump a = LoadOne(options, options.files[0]);
  const Dump b = LoadOne(options, options.files[1]);
  const JsReduce reduce = options.js_reduce == "sum" ? JsReduce::kSum : JsReduce::kMean;
  std::vector<HeadChange> changes;
  try {
    changes = CompareHeads(a.attention, b.attention, StatsOf(a, options), StatsOf(b, options),
                           reduce, ThreadCount(options.figure.jobs));
  } catch (const Error& error) {
    RethrowWithPaths(error, options);
  }
  if (!options.figure.output.empty()) WriteDifferences(a, b, options);
  if (!prints_text) return;
  if (options.json) {
    std::cout << DiffJson(a, changes, options).dump() << "\n";
  } else if (options.csv) {
    DiffTable(a, changes, true).PrintCsv(std::cout);
  } else {
    std::cout << options.files[0] << " − " << options.files[1] << ": JS divergence ("
              << options.js_reduce << " over query rows), max |A − B| and the change A − B of "
              << "each statistic (all of them with --csv or --json)\n\n";
    DiffTable(a, changes, false).PrintText(std::cout);
  }
}

// ---------------------------------------------------------------------------------------------
// A series of checkpoints

const StatField& ChosenStat(const std::string& name) {
  if (const StatField* field = FindStatField(name)) return *field;
  std::string known;
  for (const StatField& field : StatFields())
    known += (known.empty() ? "" : ", ") + std::string(field.name);
  ThrowUsageError("--stat: expected one of " + known + ", found '" + name + "'");
}

// The heads the series keeps: the selected layers (default all) and heads (default all).
std::vector<size_t> SelectedHeads(const Dump& first, const DiffOptions& options) {
  const auto layers =
      ParseLayers(options.layers.empty() ? "all" : options.layers, first, "--layer");
  const auto heads = ParseHeads(options.heads.empty() ? "all" : options.heads, first, "--head");
  std::vector<size_t> kept;
  for (int64_t layer : layers) {
    for (int64_t head : heads) kept.push_back(layer * first.attention.heads() + head);
  }
  return kept;
}

nlohmann::json SeriesJson(const Dump& first, const StatSeries& series,
                          const std::vector<size_t>& kept, const DiffOptions& options) {
  nlohmann::json heads = nlohmann::json::array();
  for (size_t h : kept) {
    nlohmann::json values = nlohmann::json::array();
    for (double value : series.values[h]) values.push_back(Number(value));
    heads.push_back({{"layer", ModelLayer(first, series.heads[h].layer)},
                     {"head", ModelHead(first, series.heads[h].head)},
                     {"values", values}});
  }
  return {{"stat", series.stat}, {"checkpoints", options.series}, {"heads", heads}};
}

Table SeriesTable(const Dump& first, const StatSeries& series, const std::vector<size_t>& kept,
                  const DiffOptions& options) {
  Table table{{"layer", "head"}, {}};
  for (const std::string& file : options.series) table.columns.push_back(Stem(file));
  for (size_t h : kept) {
    std::vector<std::string> row = {std::to_string(ModelLayer(first, series.heads[h].layer)),
                                    std::to_string(ModelHead(first, series.heads[h].head))};
    for (double value : series.values[h]) row.push_back(FormatNumber(value));
    table.rows.push_back(std::move(row));
  }
  return table;
}

// The lines of the heads of `kept` in `layer`, each in its head's colour, with a legend entry.
LinePlotSpec LayerPanel(const StatSeries& series, const std::vector<size_t>& kept, int64_t layer,
                        const Dump& first, const DiffOptions& options) {
  const int64_t heads = first.attention.heads();
  const Theme theme = options.figure.Render().theme;
  LinePlotSpec panel;
  for (const std::string& file : options.series) panel.steps.push_back(Stem(file));
  for (size_t h : kept) {
    const HeadId& id = series.heads[h];
    if (id.layer != layer) continue;
    const Rgba color = SequenceColor(id.head, heads, theme);
    panel.series.push_back({series.values[h], color});
    panel.legend.push_back({"head " + std::to_string(ModelHead(first, id.head)), color, true});
  }
  panel.y_title = series.stat;
  return panel;
}

// The layers of `kept`, in order, once each.
std::vector<int64_t> KeptLayers(const StatSeries& series, const std::vector<size_t>& kept) {
  std::vector<int64_t> layers;
  for (size_t h : kept) {
    if (std::find(layers.begin(), layers.end(), series.heads[h].layer) == layers.end()) {
      layers.push_back(series.heads[h].layer);
    }
  }
  return layers;
}

// Lines coloured by head, with a legend of the heads: one plot for one layer, else a panel per
// layer, so every head can be told apart.
void WriteSeriesPlot(const StatSeries& series, const std::vector<size_t>& kept, const Dump& first,
                     const DiffOptions& options) {
  const std::vector<int64_t> layers = KeptLayers(series, kept);
  const std::string title =
      series.stat + " per head over " + std::to_string(options.series.size()) + " checkpoints";
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  if (layers.size() == 1) {
    LinePlotSpec spec = LayerPanel(series, kept, layers[0], first, options);
    spec.title = options.title.empty()
                     ? title + " · layer " + std::to_string(ModelLayer(first, layers[0]))
                     : options.title;
    WriteFileAtomically(options.figure.output, RenderLinePlot(spec, format, render));
    return;
  }
  LinePanels panels;
  for (int64_t layer : layers) {
    panels.panels.push_back(LayerPanel(series, kept, layer, first, options));
    panels.panels.back().title = "layer " + std::to_string(ModelLayer(first, layer));
  }
  panels.title = options.title.empty() ? title : options.title;
  WriteFileAtomically(options.figure.output, RenderLinePanels(panels, format, render));
}

void RunSeries(const DiffOptions& options) {
  if (options.series.size() < 2 || !options.files.empty()) {
    ThrowUsageError(
        "diff --series: expected two or more checkpoints after --series and no "
        "other files, found " +
        std::to_string(options.series.size()) + " and " + std::to_string(options.files.size()));
  }
  const StatField& field = ChosenStat(options.stat);
  const bool prints_text = PrintsText(options.figure.output, options.json || options.csv);
  if (!options.figure.output.empty()) {
    options.figure.Format();
    for (const std::string& file : options.series) CheckNotInput(options.figure.output, file);
  }
  std::vector<std::vector<HeadStats>> checkpoints;
  std::optional<Dump> first;
  for (const std::string& file : options.series) {
    Dump dump = LoadOne(options, file);
    checkpoints.push_back(StatsOf(dump, options));
    if (!first) first = std::move(dump);
  }
  const StatSeries series = StatOverCheckpoints(checkpoints, field);
  const std::vector<size_t> kept = SelectedHeads(*first, options);
  if (!options.figure.output.empty()) WriteSeriesPlot(series, kept, *first, options);
  if (!prints_text) return;
  if (options.json) {
    std::cout << SeriesJson(*first, series, kept, options).dump() << "\n";
  } else if (options.csv) {
    SeriesTable(*first, series, kept, options).PrintCsv(std::cout);
  } else {
    std::cout << field.name << " per head over " << options.series.size() << " checkpoints\n\n";
    SeriesTable(*first, series, kept, options).PrintText(std::cout);
  }
}

void AddLoadingOptions(CLI::App& command, DumpOptions& loading) {
  command.add_option("--key", loading.key, "array to read from each .npz or .safetensors file");
  command.add_option("--axes", loading.axes,
                     "names of the stored dimensions in order, e.g. head,layer,query,key");
  command.add_option("--batch", loading.batch, "batch item to read (default 0)");
  command.add_option("--tokens", loading.tokens, "tokens for queries and keys of every dump");
  command.add_option("--query-tokens", loading.query_tokens, "tokens for the queries only");
  command.add_option("--key-tokens", loading.key_tokens, "tokens for the keys only");
  loading.AddPaddingOptions(command);
}

}  // namespace

void AddDiffCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* command = app.add_subcommand(
      "diff",
      "Two dumps compared head by head (A − B, JS, statistics), or a statistic over "
      "checkpoints");
  command->add_option("A B", options->files, "two attention dumps of the same shape");
  command
      ->add_option("--series", options->series,
                   "checkpoints in order: a statistic per head over them (with -o a line per "
                   "head, a colour per head, a panel per layer)")
      ->expected(2, CLI::detail::expected_max_vector_size);
  AddLoadingOptions(*command, options->loading);
  options->figure.AddTo(*command, false);
  command->get_option("-o")->description(
      "A − B heatmaps (a template such as d_L{layer}_H{head}.png, or one .pdf), or with "
      "--series the line plot: .png, .svg or .pdf");
  command
      ->add_option("--js-reduce", options->js_reduce,
                   "combine per-row JS divergences by mean (default) or sum")
      ->check(CLI::IsMember({"mean", "sum"}));
  command->add_option("--stat", options->stat,
                      "the statistic followed by --series (default entropy)");
  command->add_option("--layer,--layers", options->layers,
                      "layers to draw or follow: an index, A:B, a list, or all (default: 0 for "
                      "A − B, all for --series)");
  command->add_option("--head,--heads", options->heads, "heads, as --layer");
  command->add_option("--cmap", options->cmap, "colormap of A − B (default RdBu_r, centred on 0)");
  command->add_option("--vmax", options->vmax, "colour limits -V..V (default: the largest |A − B|)")
      ->check(FiniteNumber());
  command->add_option("--title", options->title, "figure title");
  auto* json = command->add_flag("--json", options->json, "print one JSON object");
  command->add_flag("--csv", options->csv, "print the table as CSV")->excludes(json);
  command->footer(
      "Examples:\n"
      "  attnviz diff step1000.npy step0.npy\n"
      "  attnviz diff finetuned.npy base.npy --layer all --head all -o diff.pdf\n"
      "  attnviz diff --series ckpt0.npy ckpt1.npy ckpt2.npy --stat prev -o prev.png");
  command->callback([options, &exit_code] {
    if (options->series.empty()) {
      RunPair(*options);
    } else {
      RunSeries(*options);
    }
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
