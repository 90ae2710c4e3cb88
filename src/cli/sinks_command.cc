// `attnviz sinks FILE...`: each head's mass on the first token, special tokens and punctuation
// over many inputs, which key takes the most, and a figure of these masses by layer.
#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/sinks.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/arrows.h"
#include "attnviz/render/line_plot.h"
#include "attnviz/render/scatter.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/progress.h"
#include "cli/series_command.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct SinksCommandOptions {
  DumpOptions dump;
  std::vector<std::string> special;
  bool json = false;
  bool csv = false;
  FigureOptions figure;  // -o draws the masses by layer; -j also sets the threads
  std::string title;
  std::string layers;  // --layer, --head: the heads the tables report
  std::string heads;
};

struct SinksRun {
  std::vector<HeadSinks> heads;
  std::vector<std::string> special_tokens;  // seen in the inputs, sorted
  std::string first_token;                  // the first key's text when every input agrees
  int64_t inputs = 0;
  int64_t layers = 0;
  int64_t heads_per_layer = 0;
  SeriesNumbering numbering;
};

// One measure of every head: a column of the tables and a line of the figure.
struct Measure {
  std::string name;   // the JSON key and column: first, special, punct, or a token's text
  std::string label;  // in the figure's legend
  std::function<double(const HeadSinks&)> of;
};

std::vector<Measure> Measures(const SinksRun& run) {
  std::vector<Measure> measures = {
      {"first", "first token", [](const HeadSinks& h) { return h.first; }},
      {"special", "special tokens", [](const HeadSinks& h) { return h.special; }},
      {"punct", "punctuation", [](const HeadSinks& h) { return h.punct; }}};
  for (const std::string& token : run.special_tokens) {
    measures.push_back(
        {token, token, [token](const HeadSinks& h) { return h.by_token.at(token); }});
  }
  return measures;
}

nlohmann::json JsonNumber(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

Table HeadsTable(const SinksRun& run, bool csv) {
  const std::vector<Measure> measures = Measures(run);
  Table table;
  table.columns = {"layer", "head"};
  for (const Measure& measure : measures) table.columns.push_back(measure.name);
  for (const char* column : {"sink", "sink_inputs", "sink_mass"}) table.columns.push_back(column);
  for (const HeadSinks& head : run.numbering.Selected(run.heads)) {
    std::vector<std::string> cells = {std::to_string(head.layer), std::to_string(head.head)};
    for (const Measure& measure : measures) cells.push_back(SeriesCell(measure.of(head), csv));
    cells.push_back(head.sink.empty() ? (csv ? "" : "-") : head.sink);
    cells.push_back(SeriesCell(head.sink_inputs, csv));
    cells.push_back(SeriesCell(head.sink_mass, csv));
    table.rows.push_back(std::move(cells));
  }
  return table;
}

// Each measure's spread over the heads of each layer, by measure then layer.
std::vector<std::vector<LayerSpread>> Spreads(const SinksRun& run,
                                              const std::vector<Measure>& measures) {
  std::vector<std::vector<LayerSpread>> spreads;
  for (const Measure& measure : measures) {
    std::vector<double> values;
    for (const HeadSinks& head : run.heads) values.push_back(measure.of(head));
    spreads.push_back(SpreadByLayer(values, run.heads_per_layer));
  }
  return spreads;
}

Table LayersTable(const SinksRun& run) {
  const std::vector<Measure> measures = Measures(run);
  const std::vector<std::vector<LayerSpread>> spreads = Spreads(run, measures);
  Table table;
  table.columns = {"layer"};
  for (const Measure& measure : measures) table.columns.push_back(measure.name);
  for (int64_t layer = 0; layer < run.layers; ++layer) {
    std::vector<std::string> cells = {std::to_string(layer + run.numbering.layer_offset)};
    for (const auto& spread : spreads) cells.push_back(SeriesCell(spread[layer].mean, false));
    table.rows.push_back(std::move(cells));
  }
  return table;
}

void PrintText(const SinksRun& run, std::ostream& out) {
  HeadsTable(run, false).PrintText(out);
  out << "\nmean over the heads of each layer\n";
  LayersTable(run).PrintText(out);
  out << "\nmasses: mean over the rows of real tokens of " << InputCount(run.inputs)
      << "; sink: the key taking the most in most inputs (its token, or first/last/other), "
         "sink_inputs: in how many, sink_mass: its mean column mass; - does not apply\n";
}

void PrintJson(const SinksRun& run, std::ostream& out) {
  const std::vector<Measure> measures = Measures(run);
  nlohmann::json json = {{"inputs", run.inputs},
                         {"special_tokens", run.special_tokens},
                         {"first_token", run.first_token.empty() ? nlohmann::json(nullptr)
                                                                 : nlohmann::json(run.first_token)},
                         {"heads", nlohmann::json::array()},
                         {"layers", nlohmann::json::array()}};
  for (const HeadSinks& head : run.numbering.Selected(run.heads)) {
    nlohmann::json by_token = nlohmann::json::object();
    for (const auto& [token, mass] : head.by_token) by_token[token] = JsonNumber(mass);
    json["heads"].push_back({{"layer", head.layer},
                             {"head", head.head},
                             {"first", JsonNumber(head.first)},
                             {"special", JsonNumber(head.special)},
                             {"punct", JsonNumber(head.punct)},
                             {"by_token", by_token},
                             {"sink", head.sink},
                             {"sink_inputs", JsonNumber(head.sink_inputs)},
                             {"sink_mass", JsonNumber(head.sink_mass)},
                             {"rows", head.rows}});
  }
  const std::vector<std::vector<LayerSpread>> spreads = Spreads(run, measures);
  for (int64_t layer = 0; layer < run.layers; ++layer) {
    nlohmann::json row = {{"layer", layer + run.numbering.layer_offset}};
    for (size_t m = 0; m < measures.size(); ++m) {
      const LayerSpread& spread = spreads[m][layer];
      row[measures[m].name] = {{"mean", JsonNumber(spread.mean)},
                               {"q25", JsonNumber(spread.q25)},
                               {"q75", JsonNumber(spread.q75)}};
    }
    json["layers"].push_back(std::move(row));
  }
  out << json.dump() << "\n";
}

// The lines of the figure: the first token (named by its token when every input starts with the
// same special token, which then has no line of its own), each special token, punctuation.
std::vector<Measure> FigureMeasures(const SinksRun& run) {
  std::vector<Measure> all = Measures(run), shown;
  const bool first_is_token =
      !run.first_token.empty() && std::find(run.special_tokens.begin(), run.special_tokens.end(),
                                            run.first_token) != run.special_tokens.end();
  for (Measure& measure : all) {
    if (measure.name == "special") continue;  // the sum of the token lines
    if (first_is_token && measure.name == run.first_token) continue;
    if (first_is_token && measure.name == "first")
      measure.label = run.first_token + " (first token)";
    if (std::isnan(measure.of(run.heads.front())) && measure.name != "first") continue;
    shown.push_back(std::move(measure));
  }
  return shown;
}

// Mean over each layer's heads, one line per measure, and a bar from the lower to the upper
// quartile of the heads, each measure's bars set a little apart.
std::string RenderMasses(const SinksRun& run, const SinksCommandOptions& options,
                         ImageFormat format) {
  const std::vector<Measure> measures = FigureMeasures(run);
  const std::vector<std::vector<LayerSpread>> spreads = Spreads(run, measures);
  LinePlotSpec spec;
  spec.steps = IndexLabels("L", run.layers, run.numbering.layer_offset);
  spec.x_title = "layer";
  spec.y_title = "attention mass (mean over heads; bars: quartiles)";
  spec.title =
      options.title.empty() ? "attention sinks · " + InputCount(run.inputs) : options.title;
  for (size_t m = 0; m < measures.size(); ++m) {
    LineSeries series{{}, ArrowsHeadColor(static_cast<int>(m))};
    for (const LayerSpread& spread : spreads[m]) series.values.push_back(spread.mean);
    spec.series.push_back(series);
    spec.legend.push_back({measures[m].label, series.color, true});
  }
  ScatterSpec scatter = LinePlotScatter(spec);
  for (size_t m = 0; m < measures.size(); ++m) {
    const double shift = 0.08 * (static_cast<double>(m) - (measures.size() - 1) / 2.0);
    for (size_t layer = 0; layer < spreads[m].size(); ++layer) {
      const LayerSpread& spread = spreads[m][layer];
      if (std::isnan(spread.mean)) continue;
      const double x = static_cast<double>(layer) + shift;
      scatter.lines.push_back(
          {{{x, spread.q25}, {x, spread.q75}}, spec.series[m].color, 0.9, false, false});
    }
  }
  scatter.y.min = 0.0;
  scatter.y.max = 1.0;
  return RenderScatter(scatter, format, options.figure.Render());
}

SinksRun MeasureInputs(const SinksCommandOptions& options, DumpSeries& dumps) {
  SinksOptions sinks_options;
  sinks_options.threads = ThreadCount(options.figure.jobs);
  if (!options.special.empty()) sinks_options.special_tokens = options.special;
  SinkMasses masses(sinks_options);
  SinksRun run;
  run.numbering.layer_text = options.layers;
  run.numbering.head_text = options.heads;
  ProgressBar progress(dumps.files().size(), "files");
  dumps.ForEach(
      [&](const DumpSource& source, const Dump& dump) {
        PrintNotes(dump);
        masses.Add(dump.attention, dump.query_tokens, dump.key_tokens, source.file);
        run.numbering.Take(dump);
        run.layers = dump.attention.layers();
        run.heads_per_layer = dump.attention.heads();
        ++run.inputs;
      },
      [&progress] { progress.Advance(); });
  run.heads = masses.Results();
  run.special_tokens = masses.SpecialTokens();
  run.first_token = masses.FirstTokenText();
  run.numbering.Renumber(run.heads);
  return run;
}

void RunSinks(const SinksCommandOptions& options) {
  const std::optional<ImageFormat> format =
      CheckSeriesOutputs(options.json, options.csv, options.figure, options.dump);
  DumpSeries dumps(options.dump);
  const SinksRun run = MeasureInputs(options, dumps);
  if (run.inputs == 0) dumps.Finish();  // every input failed: nothing to report
  if (format) WriteFileAtomically(options.figure.output, RenderMasses(run, options, *format));
  if (options.json) {
    PrintJson(run, std::cout);
  } else if (options.csv) {
    HeadsTable(run, true).PrintCsv(std::cout);
  } else if (!format) {  // -o alone writes the figure, as stats --plot
    PrintText(run, std::cout);
  }
  dumps.Finish();
}

}  // namespace

void AddSinksCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SinksCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "sinks",
      "Attention sinks over many inputs: each head's mass on the first token, special tokens "
      "and punctuation, the key that takes the most, and these masses by layer");
  options->dump.AddTo(*command, true);
  command->add_flag("--json", options->json, "print one JSON object: heads and layer spreads");
  command->add_flag("--csv", options->csv, "print the heads table as CSV");
  AddSpecialTokensOption(*command, options->special);
  command->add_option("--title", options->title,
                      "title of the -o figure (default: attention sinks · N inputs)");
  AddHeadSelectionOptions(*command, options->layers, options->heads);
  options->figure.AddTo(*command, false);
  command->footer(
      "Examples:\n"
      "  attnviz sinks 'dumps/*.npy'\n"
      "  attnviz sinks 'dumps/*.npy' --csv > sinks.csv\n"
      "  attnviz sinks 'dumps/*.npy' -o sinks.png   # masses by layer, quartiles over heads\n"
      "  attnviz sinks batch.npz --batch all --special '<s>,</s>' --json");
  command->callback([options, &exit_code] {
    RunSinks(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
