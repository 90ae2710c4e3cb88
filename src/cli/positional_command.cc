// `attnviz positional FILE...`: which heads attend by position and which by content, over many
// inputs, as a table, CSV or JSON, and a layers x heads map of the score.
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/positional.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/heatmap.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
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

struct PositionalCommandOptions {
  DumpOptions dump;
  bool json = false;
  bool csv = false;
  FigureOptions figure;  // -o draws the map; -j also sets the threads of the analysis
  ColorOptions color;
  std::string title;
  std::string layers;  // --layer, --head: the heads the tables report
  std::string heads;
};

// What the run found: every head's score, and how many inputs went into it.
struct PositionalRun {
  std::vector<HeadPositional> heads;
  int64_t inputs = 0;
  int64_t layers = 0;
  int64_t heads_per_layer = 0;
  SeriesNumbering numbering;
};

Table PositionalTable(const PositionalRun& run, bool csv) {
  Table table;
  table.columns = {"layer", "head", "score", "dominant", "dominant_share", "rows"};
  for (const HeadPositional& head : run.numbering.Selected(run.heads)) {
    table.rows.push_back({std::to_string(head.layer), std::to_string(head.head),
                          SeriesCell(head.score, csv),
                          head.dominant.empty() ? (csv ? "" : "-") : head.dominant,
                          SeriesCell(head.dominant.empty() ? NAN : head.dominant_share, csv),
                          std::to_string(head.rows)});
  }
  return table;
}

void PrintJson(const PositionalRun& run, std::ostream& out) {
  nlohmann::json json = {{"inputs", run.inputs}, {"heads", nlohmann::json::array()}};
  for (const HeadPositional& head : run.numbering.Selected(run.heads)) {
    nlohmann::json row = {{"layer", head.layer}, {"head", head.head},         {"score", head.score},
                          {"dominant", nullptr}, {"dominant_share", nullptr}, {"rows", head.rows}};
    if (std::isnan(head.score)) row["score"] = nullptr;
    if (!head.dominant.empty()) {
      row["dominant"] = head.dominant;
      row["dominant_share"] = head.dominant_share;
    }
    json["heads"].push_back(std::move(row));
  }
  out << json.dump() << "\n";
}

void PrintText(const PositionalRun& run, std::ostream& out) {
  PositionalTable(run, false).PrintText(out);
  out << "\nscore: share of each row's attention explained by the head's mean profile over "
      << InputCount(run.inputs)
      << " (1 = positional); dominant: the profile's largest class (first key, last key or "
         "offset j-i); - does not apply\n";
}

HeatmapSpec ScoreMap(const PositionalRun& run, const PositionalCommandOptions& options) {
  HeatmapSpec spec;
  spec.matrix.rows = run.layers;
  spec.matrix.cols = run.heads_per_layer;
  for (const HeadPositional& head : run.heads) {
    spec.matrix.values.push_back(static_cast<float>(head.score));
  }
  spec.row_labels = IndexLabels("L", run.layers, run.numbering.layer_offset);
  spec.col_labels = IndexLabels("H", run.heads_per_layer, run.numbering.head_offset);
  spec.row_axis_title = "layer";
  spec.col_axis_title = "head";
  spec.title =
      options.title.empty() ? "positional score · " + InputCount(run.inputs) : options.title;
  const ScaleRequest scale = options.color.Request();
  spec.colormap = scale.colormap;
  spec.norm = scale.norm;
  spec.vmin = scale.vmin.value_or(0.0);  // a share: the fixed 0..1 scale compares models
  spec.vmax = scale.vmax.value_or(1.0);
  return spec;
}

// Reads every input twice (the profiles, then the scores), one at a time.
PositionalRun ScoreInputs(const PositionalCommandOptions& options, DumpSeries& dumps) {
  PositionalScores scores(ThreadCount(options.figure.jobs));
  PositionalRun run;
  run.numbering.layer_text = options.layers;
  run.numbering.head_text = options.heads;
  ProgressBar progress(2 * dumps.files().size(), "files");
  auto advance = [&progress] { progress.Advance(); };
  dumps.ForEach(
      [&](const DumpSource& source, const Dump& dump) {
        PrintNotes(dump);
        scores.AddProfile(dump.attention, dump.query_tokens, dump.key_tokens, source.file);
        run.numbering.Take(dump);
        run.layers = dump.attention.layers();
        run.heads_per_layer = dump.attention.heads();
      },
      advance);
  dumps.ForEach(
      [&](const DumpSource& source, const Dump& dump) {
        scores.AddScore(dump.attention, dump.query_tokens, dump.key_tokens, source.file);
        ++run.inputs;
      },
      advance);
  run.heads = scores.Results();
  run.numbering.Renumber(run.heads);
  return run;
}

void RunPositional(const PositionalCommandOptions& options) {
  const std::optional<ImageFormat> format =
      CheckSeriesOutputs(options.json, options.csv, options.figure, options.dump);
  DumpSeries dumps(options.dump);
  const PositionalRun run = ScoreInputs(options, dumps);
  if (run.inputs == 0) dumps.Finish();  // every input failed: nothing to report
  if (format) {
    WriteFileAtomically(options.figure.output,
                        RenderHeatmap(ScoreMap(run, options), *format, options.figure.Render()));
  }
  if (options.json) {
    PrintJson(run, std::cout);
  } else if (options.csv) {
    PositionalTable(run, true).PrintCsv(std::cout);
  } else if (!format) {  // -o alone writes the figure, as stats --plot
    PrintText(run, std::cout);
  }
  dumps.Finish();
}

}  // namespace

void AddPositionalCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<PositionalCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "positional",
      "Positional versus content heads over many inputs: the share of each head's attention "
      "that its mean relative-offset profile explains, and its dominant offset");
  options->dump.AddTo(*command, true);
  command->add_flag("--json", options->json, "print one JSON object: inputs and heads");
  command->add_flag("--csv", options->csv, "print the heads table as CSV");
  command->add_option("--title", options->title,
                      "title of the -o map (default: positional score · N inputs)");
  AddHeadSelectionOptions(*command, options->layers, options->heads);
  options->figure.AddTo(*command, false);
  options->color.AddTo(*command);
  command->footer(
      "Reads every input twice, one at a time: first each head's mean share by key offset j-i\n"
      "(the first and last keys apart), then how much of each row that profile explains.\n"
      "Examples:\n"
      "  attnviz positional 'dumps/*.npy'\n"
      "  attnviz positional 'dumps/*.npy' --csv > positional.csv\n"
      "  attnviz positional 'dumps/*.npy' -o positional.png   # layers x heads map of the score\n"
      "  attnviz positional batch.npz --batch all --json");
  command->callback([options, &exit_code] {
    RunPositional(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
