// `attnviz stats FILE`: per-head statistics as a table, CSV or JSON, or one of them as a figure.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/head_stats.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/heatmap.h"
#include "cli/aggregate.h"
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
#include "cli/progress.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct StatsCommandOptions {
  DumpOptions dump;
  StatsOptions stats;
  std::string grid;
  std::vector<std::string> special;
  bool json = false;
  bool csv = false;
  bool per_layer = false;
  bool aggregate = false;        // summaries over the inputs instead of each input's rows
  std::string summary = "mean";  // which summary --aggregate --plot draws
  std::string plot;
  FigureOptions figure;  // -o, size, fonts and -j, which also sets the threads of the analysis
  ColorOptions color;
  std::string title;
  std::string layers;  // --layer, --head: the heads reported
  std::string heads;
};

PatchGrid ParseGrid(const std::string& text) {
  PatchGrid grid;
  char x = 0;
  std::istringstream in(text);
  if (!(in >> grid.rows >> x >> grid.cols) || (x != 'x' && x != 'X') || !in.eof() ||
      grid.rows < 1 || grid.cols < 1) {
    ThrowUsageError("--grid: expected ROWSxCOLS such as 14x14, found '" + text + "'");
  }
  return grid;
}

// The statistics shown: all, without distance_2d unless a grid was given.
std::vector<StatField> ShownFields(const StatsOptions& options) {
  std::vector<StatField> fields;
  for (const StatField& field : StatFields()) {
    if (std::string_view(field.name) != "distance_2d" || options.grid) fields.push_back(field);
  }
  return fields;
}

nlohmann::json StatsJson(const HeadStats& stats, const std::vector<StatField>& fields) {
  nlohmann::json object = {{"layer", stats.layer}};
  if (stats.head >= 0) object["head"] = stats.head;
  for (const StatField& field : fields) object[field.name] = stats.*field.member;  // NaN: null
  return object;
}

// The statistics of one dump (a file, or a batch item of it), and its --plot figure.
struct FileStats {
  DumpSource source;
  std::vector<HeadStats> heads;
  std::vector<HeadStats> layers;
  std::optional<HeatmapSpec> plot;
  TemplateFields plot_fields;
};

// One object; with several files every head and layer carries a "file" key, with --batch all a
// "batch" key.
void PrintJson(const std::vector<FileStats>& files, const StatsCommandOptions& options,
               std::ostream& stream) {
  const std::vector<StatField> fields = ShownFields(options.stats);
  nlohmann::json out = {{"heads", nlohmann::json::array()},
                        {"layers", nlohmann::json::array()},
                        {"entropy_unit", options.stats.bits ? "bits" : "nats"},
                        {"topk_k", options.stats.topk}};
  auto add = [&](const char* key, const std::vector<HeadStats>& rows, const DumpSource& source) {
    for (const HeadStats& row : rows) {
      nlohmann::json object = StatsJson(row, fields);
      AddSourceKeys(object, source);
      out[key].push_back(std::move(object));
    }
  };
  for (const FileStats& file : files) {
    add("heads", file.heads, file.source);
    add("layers", file.layers, file.source);
  }
  stream << out.dump() << "\n";
}

// Text cells keep three decimals so columns line up; CSV keeps six significant digits. A
// statistic that does not apply is "-" in text and empty in CSV.
std::string Cell(double value, bool csv) {
  if (std::isnan(value)) return csv ? "" : "-";
  if (csv) return FormatNumber(value);
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

Table StatsTable(const std::vector<HeadStats>& rows, const StatsOptions& options, bool csv) {
  const bool heads = !rows.empty() && rows.front().head >= 0;
  Table table;
  table.columns = {"layer"};
  if (heads) table.columns.push_back("head");
  const std::vector<StatField> fields = ShownFields(options);
  for (const StatField& field : fields) table.columns.push_back(field.name);
  for (const HeadStats& stats : rows) {
    std::vector<std::string> cells = {std::to_string(stats.layer)};
    if (heads) cells.push_back(std::to_string(stats.head));
    for (const StatField& field : fields) cells.push_back(Cell(stats.*field.member, csv));
    table.rows.push_back(std::move(cells));
  }
  return table;
}

// The heads (or layer means) of every dump in one table, with a "file" column for several files
// and a "batch" column with --batch all.
Table FilesTable(const std::vector<FileStats>& files, bool layers, const StatsOptions& options,
                 bool csv) {
  Table table;
  for (const FileStats& file : files) {
    AppendWithSource(table, StatsTable(layers ? file.layers : file.heads, options, csv),
                     file.source);
  }
  return table;
}

void PrintText(const std::vector<FileStats>& files, const StatsCommandOptions& options,
               std::ostream& stream) {
  if (options.per_layer) {
    FilesTable(files, true, options.stats, false).PrintText(stream);
    return;
  }
  FilesTable(files, false, options.stats, false).PrintText(stream);
  stream << "\nmean over the heads of each layer\n";
  FilesTable(files, true, options.stats, false).PrintText(stream);
  stream << "\nentropy in " << (options.stats.bits ? "bits" : "nats") << "; topk = mass of the "
         << options.stats.topk << " largest weights; - does not apply\n";
}

// The file's stem: model names run long ("attnviz-sample seq2seq spelling, encoder 1L ...").
std::string DumpName(const Dump& dump) {
  if (dump.metadata.path == "-") return "stdin";
  return std::filesystem::path(dump.metadata.path).stem().string();
}

// Labels "L0".."H0".. in the model's numbering, as heatmap titles use it.
std::vector<std::string> IndexLabels(const char* prefix, int64_t count, int64_t offset) {
  std::vector<std::string> labels;
  for (int64_t i = 0; i < count; ++i) labels.push_back(prefix + std::to_string(i + offset));
  return labels;
}

double SmallestFinite(const std::vector<float>& values) {
  double smallest = INFINITY;
  for (float v : values) {
    if (std::isfinite(v)) smallest = std::min<double>(smallest, v);
  }
  return smallest;
}

// `subject` ends the default title: the dump's name, or what an aggregate is over.
HeatmapSpec PlotSpec(const Dump& dump, const std::vector<HeadStats>& heads, const StatField& field,
                     const StatsCommandOptions& options, const std::string& subject) {
  const AttentionTensor& tensor = dump.attention;
  HeatmapSpec spec;
  spec.matrix.rows = tensor.layers();
  spec.matrix.cols = tensor.heads();
  bool any = false;
  for (const HeadStats& stats : heads) {
    spec.matrix.values.push_back(static_cast<float>(stats.*field.member));
    any = any || std::isfinite(stats.*field.member);
  }
  if (!any) {
    ThrowUsageError("--plot " + options.plot + ": no head of " + dump.metadata.path +
                    " has this statistic (token statistics need tokens; distance_2d needs "
                    "--grid; positional ones need self-attention)");
  }
  spec.row_labels = IndexLabels("L", tensor.layers(), LayerOffset(dump));
  spec.col_labels = IndexLabels("H", tensor.heads(), HeadOffset(dump));
  spec.row_axis_title = "layer";
  spec.col_axis_title = "head";
  spec.min_cell = kSummaryCell;
  const std::string unit =
      field.name == std::string_view("entropy") ? (options.stats.bits ? " (bits)" : " (nats)") : "";
  spec.title =
      options.title.empty() ? std::string(field.name) + unit + " · " + subject : options.title;
  const ScaleRequest scale = options.color.Request();
  spec.colormap = scale.colormap;
  spec.norm = scale.norm;
  spec.vmin = scale.vmin;
  spec.vmax = scale.vmax;
  // Shares of attention keep the fixed [0, 1] scale so that figures compare; the others span the
  // data (the default top is the largest value).
  if (field.in_unit_interval) {
    spec.vmin = scale.vmin.value_or(0.0);
    spec.vmax = scale.vmax.value_or(1.0);
  } else if (!scale.vmin) {
    spec.vmin = SmallestFinite(spec.matrix.values);
  }
  return spec;
}

// The --plot file of each dump, once every dump is read: -o holds {stem} when there are several
// files, {batch} with --batch all.
void WritePlots(const std::vector<FileStats>& files, const StatsCommandOptions& options,
                ImageFormat format, const std::vector<std::string>& inputs) {
  std::vector<TemplateFields> fields;
  for (const FileStats& file : files) fields.push_back(file.plot_fields);
  const std::vector<std::string> paths =
      PlanFigureOutputs(options.figure.output, format, fields, inputs, false).paths;
  for (size_t i = 0; i < files.size(); ++i) {
    WriteFileAtomically(paths[i], RenderHeatmap(*files[i].plot, format, options.figure.Render()));
  }
}

// Checks the option combinations before the dump is read.
std::optional<ImageFormat> CheckPlotOptions(const StatsCommandOptions& options) {
  if (!FindSummaryField(options.summary)) {
    ThrowUsageError("--summary: expected one of mean, std, min, q25, median, q75, max, found '" +
                    options.summary + "'");
  }
  if (options.summary != "mean" && (!options.aggregate || options.plot.empty())) {
    ThrowUsageError("--summary " + options.summary +
                    ": chooses what --aggregate --plot STAT draws; expected both");
  }
  if (!options.plot.empty() && options.figure.output.empty()) {
    ThrowUsageError("--plot STAT needs -o OUT: --plot names the statistic to draw, -o the figure");
  }
  if (options.json && options.csv) ThrowUsageError("--json and --csv: expected one of them");
  if (options.plot.empty()) return std::nullopt;
  if (!FindStatField(options.plot)) {
    std::string names;
    for (const StatField& field : StatFields())
      names += std::string(names.empty() ? "" : ", ") + field.name;
    ThrowUsageError("--plot: expected one of " + names + ", found '" + options.plot + "'");
  }
  return options.figure.Format();
}

FileStats ComputeFileStats(const StatsCommandOptions& options, const DumpSource& source,
                           const Dump& dump, const std::optional<ImageFormat>& format) {
  PrintNotes(dump);
  FileStats stats{
      source,
      ComputeHeadStats(dump.attention, dump.query_tokens, dump.key_tokens, options.stats),
      {},
      {},
      {}};
  // The plot is the whole layers x heads map; the tables keep what --layer and --head select.
  if (format) {
    stats.plot = PlotSpec(dump, stats.heads, *FindStatField(options.plot), options, DumpName(dump));
    stats.plot_fields = {{"stem", Stem(dump)}, {"ext", ExtensionOf(*format)}};
    AddBatchField(stats.plot_fields, source);
  }
  SelectHeads(dump, options.layers, options.heads, stats.heads);
  stats.layers = MeanOverHeads(stats.heads);
  return stats;
}

// One input's statistics for --aggregate: every head (for --plot, indexes in the dump) and the
// heads --layer and --head select (in the model's numbers).
struct InputStats {
  std::vector<HeadStats> all;
  std::vector<HeadStats> selected;
};

// The summaries of --aggregate: over the selected heads, their layer means, and every head.
struct StatsSummaries {
  size_t inputs = 0;
  std::vector<DumpSource> sources;
  std::vector<StatsSummary> heads, layers, all;
};

StatsSummaries Summarise(const InputResults<InputStats>& inputs) {
  StatsAggregate selected, all;
  AddInOrder(selected, inputs, [](const InputStats& one) { return one.selected; });
  AddInOrder(all, inputs, [](const InputStats& one) { return one.all; });
  return {inputs.results.size(), inputs.sources, selected.Heads(), selected.Layers(), all.Heads()};
}

void PrintAggregateJson(const StatsSummaries& summaries, const StatsCommandOptions& options,
                        std::ostream& stream) {
  const std::vector<StatField> fields = ShownFields(options.stats);
  nlohmann::json out = {
      {"aggregate", {{"inputs", summaries.inputs}, {"std", "population"}, {"quantiles", "linear"}}},
      {"heads", nlohmann::json::array()},
      {"layers", nlohmann::json::array()},
      {"inputs", InputsJson(summaries.sources)},
      {"entropy_unit", options.stats.bits ? "bits" : "nats"},
      {"topk_k", options.stats.topk}};
  for (const StatsSummary& row : summaries.heads) out["heads"].push_back(SummaryJson(row, fields));
  for (const StatsSummary& row : summaries.layers)
    out["layers"].push_back(SummaryJson(row, fields));
  stream << out.dump() << "\n";
}

void PrintAggregateText(const StatsSummaries& summaries, const StatsCommandOptions& options,
                        std::ostream& stream) {
  const std::vector<StatField> fields = ShownFields(options.stats);
  if (!options.per_layer) {
    SummaryTable(summaries.heads, fields, false).PrintText(stream);
    stream << "\nmean over the heads of each layer, summarised over the inputs\n";
  }
  SummaryTable(summaries.layers, fields, false).PrintText(stream);
  stream << "\n"
         << summaries.inputs << " inputs; n: the inputs where the statistic applies; std: "
         << "population (ddof 0); quantiles: linear (numpy's default); entropy in "
         << (options.stats.bits ? "bits" : "nats") << "; - does not apply\n";
}

// The layers x heads map of one summary of the --plot statistic. A spread (std) spans its data,
// whatever the statistic's own scale.
void WriteAggregatePlot(const Dump& first, const StatsSummaries& summaries,
                        const StatsCommandOptions& options, ImageFormat format) {
  StatField field = *FindStatField(options.plot);
  field.in_unit_interval = field.in_unit_interval && options.summary != "std";
  const HeatmapSpec spec =
      PlotSpec(first, SummaryStats(summaries.all, FindSummaryField(options.summary)), field,
               options, OverInputs(summaries.inputs, options.summary));
  WriteFileAtomically(options.figure.output, RenderHeatmap(spec, format, options.figure.Render()));
}

InputStats ComputeInputStats(const StatsCommandOptions& options, const StatsOptions& stats,
                             const Dump& dump) {
  InputStats one;
  one.all = ComputeHeadStats(dump.attention, dump.query_tokens, dump.key_tokens, stats);
  one.selected = one.all;
  SelectHeads(dump, options.layers, options.heads, one.selected);
  return one;
}

// --aggregate: each input's statistics, files in parallel with -j, summarised per head.
void RunStatsAggregate(const StatsCommandOptions& options,
                       const std::optional<ImageFormat>& format) {
  DumpSeries dumps(options.dump);
  const int threads = ThreadCount(options.figure.jobs);
  StatsOptions stats = options.stats;
  stats.threads = AnalysisThreads(dumps, threads);
  ProgressBar progress(dumps.files().size(), "files");
  const InputResults<InputStats> inputs = AnalyseInputs<InputStats>(
      dumps, threads,
      [&](const DumpSource&, const Dump& dump) { return ComputeInputStats(options, stats, dump); },
      [&progress] { progress.Advance(); });
  if (!inputs.first) dumps.Finish();  // every input failed
  const StatsSummaries summaries = Summarise(inputs);
  if (format) WriteAggregatePlot(*inputs.first, summaries, options, *format);
  const bool to_file = !format && !options.figure.output.empty();
  std::ostringstream buffer;
  std::ostream& out = to_file ? buffer : std::cout;
  if (options.json) {
    PrintAggregateJson(summaries, options, out);
  } else if (options.csv) {
    const std::vector<StatField> fields = ShownFields(options.stats);
    SummaryTable(options.per_layer ? summaries.layers : summaries.heads, fields, true)
        .PrintCsv(out);
  } else if (!format) {
    PrintAggregateText(summaries, options, out);
  }
  if (to_file) WriteFileAtomically(options.figure.output, buffer.str());
  dumps.Finish();
}

void RunStats(StatsCommandOptions options) {
  const std::optional<ImageFormat> format = CheckPlotOptions(options);
  if (!format) {
    for (const std::string& input : options.dump.Files()) {
      if (!options.figure.output.empty()) CheckNotInput(options.figure.output, input);
    }
  }
  if (!options.grid.empty()) options.stats.grid = ParseGrid(options.grid);
  if (!options.special.empty()) options.stats.special_tokens = options.special;
  if (!options.dump.pad_token.empty()) options.stats.pad_token = options.dump.pad_token;
  options.stats.threads = ThreadCount(options.figure.jobs);
  if (options.aggregate) return RunStatsAggregate(options, format);
  DumpSeries dumps(options.dump);
  std::vector<FileStats> files;
  ProgressBar progress(dumps.files().size(), "files");
  dumps.ForEach(
      [&](const DumpSource& source, const Dump& dump) {
        files.push_back(ComputeFileStats(options, source, dump, format));
      },
      [&progress] { progress.Advance(); });
  if (files.empty()) dumps.Finish();  // every input failed: no table to print
  if (format) WritePlots(files, options, *format, dumps.files());
  // Without --plot, -o names where the table goes ("-": standard output), written whole.
  const bool to_file = !format && !options.figure.output.empty();
  std::ostringstream buffer;
  std::ostream& out = to_file ? buffer : std::cout;
  if (options.json) {
    PrintJson(files, options, out);
  } else if (options.csv) {
    FilesTable(files, options.per_layer, options.stats, true).PrintCsv(out);
  } else if (!format) {
    PrintText(files, options, out);
  }
  if (to_file) WriteFileAtomically(options.figure.output, buffer.str());
  dumps.Finish();
}

}  // namespace

void AddStatsCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<StatsCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "stats",
      "Per-head statistics: entropy, confidence, top-k mass, distance, positional and "
      "token mass, row-sum deviation; per-layer means");
  options->dump.AddTo(*command, true);
  command->add_flag("--json", options->json, "print one JSON object: heads and layer means");
  command->add_flag("--csv", options->csv, "print the heads table as CSV");
  command->add_flag("--per-layer", options->per_layer,
                    "print the means over each layer's heads instead of the heads");
  command->add_flag("--aggregate", options->aggregate,
                    "summarise every head's statistics over the inputs (files, --batch all "
                    "items): n, mean, std, min, quartiles, max; -j reads files in parallel");
  command->add_option("--summary", options->summary,
                      "with --aggregate --plot: the summary drawn, mean (default), std, min, q25, "
                      "median, q75 or max");
  command->add_flag("--bits", options->stats.bits, "entropy in bits (log2) instead of nats");
  command->add_option("--topk", options->stats.topk, "k of the top-k mass (default 3)")
      ->check(PositiveNumber());
  command->add_option("--grid", options->grid,
                      "ViT patch grid ROWSxCOLS: adds distance_2d in patch units (the last "
                      "ROWS*COLS tokens are the patches)");
  AddSpecialTokensOption(*command, options->special);
  AddHeadSelectionOptions(*command, options->layers, options->heads);
  command->add_option("--plot", options->plot,
                      "draw this statistic as a layers x heads heatmap into -o (shares on a fixed "
                      "0..1 scale, the others from the smallest to the largest value)");
  command->add_option("--title", options->title, "figure title (default: statistic and dump)");
  options->figure.AddTo(*command, false);
  options->color.AddTo(*command);
  command->footer(
      "Examples:\n"
      "  attnviz stats data/induction.npy\n"
      "  attnviz stats attn.npz --json | jq '.heads[] | select(.prev > 0.5)'\n"
      "  attnviz stats vit.npy --grid 14x14 --csv > stats.csv\n"
      "  attnviz stats data/induction.npy --plot entropy -o entropy.png\n"
      "  attnviz stats attn.npy --json -o stats.json   # -o - for standard output\n"
      "  attnviz stats 'runs/*/attn.npy' --csv > all.csv   # one table, a file column\n"
      "  attnviz stats batch.npz --batch all --csv         # every batch item, a batch column\n"
      "  attnviz stats 'runs/*.npy' --aggregate --json > set.json   # per head over the inputs\n"
      "  attnviz stats 'runs/*.npy' --aggregate --plot first_token -o sink.png   # the mean");
  command->callback([options, &exit_code] {
    RunStats(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
