// `attnviz classify FILE`: what kind of head each head is, with every pattern's score.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/aggregate.h"
#include "attnviz/analysis/classify.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/grid.h"
#include "cli/aggregate.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/json_number.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/progress.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct ClassifyCommandOptions {
  DumpOptions dump;
  ClassifyOptions classify;
  std::string thresholds;
  std::vector<std::string> special;
  bool json = false;
  bool csv = false;
  std::string layers;  // --layer, --head: the heads reported
  std::string heads;
  bool aggregate = false;  // label counts over the inputs instead of each input's heads
  FigureOptions figure;    // -o: the grid of --aggregate
};

ClassifyThresholds ReadThresholds(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowInputError(path, "cannot open the thresholds file");
  const std::string text(std::istreambuf_iterator<char>(in), {});
  return ParseClassifyThresholds(text, path);
}

nlohmann::json HeadJson(const HeadClass& head) {
  nlohmann::json scores = nlohmann::json::object();
  nlohmann::json labels = nlohmann::json::array();
  for (Pattern p : AllPatterns()) scores[std::string(PatternName(p))] = NumberOrNull(head.score(p));
  for (Pattern p : head.labels) labels.push_back(PatternName(p));
  return {{"layer", head.layer},
          {"head", head.head},
          {"label", head.label ? std::string(PatternName(*head.label)) : "heterogeneous"},
          {"confidence", NumberOrNull(head.confidence)},
          {"labels", labels},
          {"scores", scores},
          {"offset", head.offset ? nlohmann::json(*head.offset) : nlohmann::json(nullptr)},
          {"width", head.width ? nlohmann::json(*head.width) : nlohmann::json(nullptr)},
          {"causal", head.causal},
          {"heterogeneous", head.heterogeneous}};
}

// The heads of one dump: a file, or a batch item of it.
struct FileClasses {
  DumpSource source;
  std::vector<HeadClass> heads;
};

// One object; with several files every head carries a "file" key, with --batch all a "batch" key.
void PrintJson(const std::vector<FileClasses>& files, const ClassifyThresholds& thresholds) {
  nlohmann::json out = {{"heads", nlohmann::json::array()},
                        {"thresholds", nlohmann::json::object()}};
  for (const FileClasses& file : files) {
    for (const HeadClass& head : file.heads) {
      nlohmann::json object = HeadJson(head);
      AddSourceKeys(object, file.source);
      out["heads"].push_back(std::move(object));
    }
  }
  for (Pattern p : AllPatterns()) out["thresholds"][std::string(PatternName(p))] = thresholds[p];
  std::cout << out.dump() << "\n";
}

std::string Score(double value, bool csv) {
  if (std::isnan(value)) return csv ? "" : "-";
  if (csv) return FormatNumber(value);
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

// The labels after the primary one, "peaked 0.95, offset -19 0.78"; for a heterogeneous head
// its best score, "best: diffuse 0.71". CSV gets the pattern names of every label.
std::string OtherLabels(const HeadClass& head, bool csv) {
  std::string text;
  for (Pattern p : head.labels) {
    if (!csv && head.label == p) continue;
    if (!text.empty()) text += csv ? " " : ", ";
    text += PatternName(p);
    if (csv) continue;
    if (p == Pattern::kOffset && head.offset) text += " " + std::to_string(*head.offset);
    if (p == Pattern::kLocal && head.width) text += " " + std::to_string(*head.width);
    text += " " + Score(head.score(p), false);
  }
  return text;
}

std::string BestGuess(const HeadClass& head) {
  for (Pattern p : AllPatterns()) {
    if (head.score(p) == head.confidence) {
      return "best: " + std::string(PatternName(p)) + " " + Score(head.confidence, false);
    }
  }
  return "";
}

std::string Flags(const HeadClass& head) {
  std::string flags = head.causal ? "causal" : "";
  if (head.heterogeneous) flags += std::string(flags.empty() ? "" : " ") + "heterogeneous";
  return flags;
}

Table TextTable(const std::vector<HeadClass>& heads) {
  Table table;
  table.columns = {"layer", "head", "label", "confidence", "also above threshold", "flags"};
  for (const HeadClass& head : heads) {
    table.rows.push_back({std::to_string(head.layer), std::to_string(head.head), LabelText(head),
                          Score(head.confidence, false),
                          head.heterogeneous ? BestGuess(head) : OtherLabels(head, false),
                          Flags(head)});
  }
  return table;
}

Table CsvTable(const std::vector<HeadClass>& heads) {
  Table table;
  table.columns = {"layer", "head",   "label",  "confidence",   "offset",
                   "width", "labels", "causal", "heterogeneous"};
  for (Pattern p : AllPatterns()) table.columns.emplace_back(PatternName(p));
  for (const HeadClass& head : heads) {
    std::vector<std::string> row = {
        std::to_string(head.layer),
        std::to_string(head.head),
        head.label ? std::string(PatternName(*head.label)) : "heterogeneous",
        Score(head.confidence, true),
        head.offset ? std::to_string(*head.offset) : "",
        head.width ? std::to_string(*head.width) : "",
        OtherLabels(head, true),
        head.causal ? "true" : "false",
        head.heterogeneous ? "true" : "false"};
    for (Pattern p : AllPatterns()) row.push_back(Score(head.score(p), true));
    table.rows.push_back(std::move(row));
  }
  return table;
}

// Every dump's heads in one table, with a first column "file" when there are several files and
// a column "batch" with --batch all.
Table FilesTable(const std::vector<FileClasses>& files,
                 Table (*table_of)(const std::vector<HeadClass>&)) {
  Table table;
  for (const FileClasses& file : files) AppendWithSource(table, table_of(file.heads), file.source);
  return table;
}

// One input's labels for --aggregate: every head (for the grid, indexes in the dump) and the
// heads --layer and --head select (in the model's numbers).
struct InputClasses {
  std::vector<HeadClass> all;
  std::vector<HeadClass> selected;
};

// "previous", "heterogeneous": the most frequent label of a head over the inputs.
std::string MostFrequentName(const LabelCounts& counts) {
  return counts.most_frequent ? std::string(PatternName(*counts.most_frequent)) : "heterogeneous";
}

// "previous 34, self 4, heterogeneous 2": every label a head got, most frequent first.
std::string CountsText(const LabelCounts& counts) {
  std::vector<std::pair<int64_t, std::string>> labels;
  for (Pattern p : AllPatterns()) {
    if (counts.count(p) > 0) labels.emplace_back(-counts.count(p), std::string(PatternName(p)));
  }
  if (counts.heterogeneous > 0) labels.emplace_back(-counts.heterogeneous, "heterogeneous");
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  for (const auto& [count, name] : labels) {
    text += (text.empty() ? "" : ", ") + name + " " + std::to_string(-count);
  }
  return text;
}

// "34/40": how often the most frequent label came.
std::string Frequency(const LabelCounts& counts) {
  return std::to_string(counts.most_frequent_count) + "/" + std::to_string(counts.inputs);
}

Table CountsTable(const std::vector<LabelCounts>& heads, bool csv) {
  Table table;
  table.columns = {"layer", "head", "most_frequent", "share", "inputs"};
  if (csv) {
    for (Pattern p : AllPatterns()) table.columns.emplace_back(PatternName(p));
    table.columns.emplace_back("heterogeneous");
  } else {
    table.columns.emplace_back("labels");
  }
  for (const LabelCounts& counts : heads) {
    std::vector<std::string> row = {std::to_string(counts.layer), std::to_string(counts.head),
                                    MostFrequentName(counts), Score(counts.share(), csv),
                                    std::to_string(counts.inputs)};
    if (csv) {
      for (Pattern p : AllPatterns()) row.push_back(std::to_string(counts.count(p)));
      row.push_back(std::to_string(counts.heterogeneous));
    } else {
      row.push_back(CountsText(counts));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

nlohmann::json CountsJson(const LabelCounts& counts) {
  nlohmann::json labels = nlohmann::json::object();
  for (Pattern p : AllPatterns()) labels[std::string(PatternName(p))] = counts.count(p);
  labels["heterogeneous"] = counts.heterogeneous;
  return {{"layer", counts.layer},
          {"head", counts.head},
          {"most_frequent", MostFrequentName(counts)},
          {"share", counts.share()},
          {"inputs", counts.inputs},
          {"counts", labels}};
}

void PrintCountsJson(const std::vector<LabelCounts>& heads,
                     const InputResults<InputClasses>& inputs,
                     const ClassifyThresholds& thresholds) {
  nlohmann::json out = {{"aggregate", {{"inputs", inputs.results.size()}}},
                        {"heads", nlohmann::json::array()},
                        {"inputs", InputsJson(inputs.sources)},
                        {"thresholds", nlohmann::json::object()}};
  for (const LabelCounts& counts : heads) out["heads"].push_back(CountsJson(counts));
  for (Pattern p : AllPatterns()) out["thresholds"][std::string(PatternName(p))] = thresholds[p];
  std::cout << out.dump() << "\n";
}

// The grid of --aggregate: the first input's heads as panels, each captioned with the head's most
// frequent label over the inputs and how often it came.
GridSpec CountsGrid(const Dump& first, const std::vector<LabelCounts>& all,
                    const CellSelection& cells) {
  const AttentionTensor& tensor = first.attention;
  GridSpec spec;
  spec.rows = tensor.layers();
  spec.cols = tensor.heads();
  spec.panel_rows = cells.queries.size();
  spec.panel_cols = cells.keys.size();
  spec.panel = [&first, &cells](int64_t row, int64_t col) {
    return cells.Shown(cells.ReadMasked(first.attention, row, col));
  };
  for (int64_t layer = 0; layer < tensor.layers(); ++layer) {
    spec.row_labels.push_back(std::to_string(ModelLayer(first, layer)));
  }
  for (int64_t head = 0; head < tensor.heads(); ++head) {
    spec.col_labels.push_back(std::to_string(ModelHead(first, head)));
  }
  for (const LabelCounts& counts : all) {
    spec.captions.push_back(MostFrequentName(counts) + " " + Frequency(counts));
  }
  // The model's name when the file gives one; a dump named after its file says it once.
  const std::string model = ModelName(first) == Stem(first) ? "" : ModelName(first) + " · ";
  spec.title = model + "most frequent label over " +
               std::to_string(all.empty() ? 0 : all.front().inputs) +
               " inputs · panels: the first input, " + Stem(first);
  spec.scale_request = ColorOptions().Request();
  spec.scale = GridScale::kPerPanel;  // every head's pattern shows
  return spec;
}

void WriteCountsGrid(const Dump& first, const std::vector<LabelCounts>& all,
                     const ClassifyCommandOptions& options) {
  const CellSelection cells = CellOptions().Resolve(first);
  RenderOptions render = options.figure.Render();
  render.threads = ThreadCount(options.classify.threads);
  WriteFileAtomically(options.figure.output,
                      RenderGrid(CountsGrid(first, all, cells), options.figure.Format(), render));
}

InputClasses ClassifyInput(const ClassifyCommandOptions& options, const ClassifyOptions& classify,
                           const Dump& dump) {
  InputClasses one;
  one.all = ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens, classify);
  one.selected = one.all;
  SelectHeads(dump, options.layers, options.heads, one.selected);
  return one;
}

// --aggregate: each input's labels, files in parallel with -j, counted per head.
void RunClassifyAggregate(const ClassifyCommandOptions& options) {
  DumpSeries dumps(options.dump);
  const int threads = ThreadCount(options.classify.threads);
  ClassifyOptions classify = options.classify;
  classify.threads = AnalysisThreads(dumps, threads);
  ProgressBar progress(dumps.files().size(), "files");
  const InputResults<InputClasses> inputs = AnalyseInputs<InputClasses>(
      dumps, threads,
      [&](const DumpSource&, const Dump& dump) { return ClassifyInput(options, classify, dump); },
      [&progress] { progress.Advance(); });
  if (!inputs.first) dumps.Finish();  // every input failed
  LabelAggregate selected, all;
  AddInOrder(selected, inputs, [](const InputClasses& one) { return std::span(one.selected); });
  AddInOrder(all, inputs, [](const InputClasses& one) { return std::span(one.all); });
  if (!options.figure.output.empty()) WriteCountsGrid(*inputs.first, all.Heads(), options);
  if (options.json) {
    PrintCountsJson(selected.Heads(), inputs, options.classify.thresholds);
  } else if (options.csv) {
    CountsTable(selected.Heads(), true).PrintCsv(std::cout);
  } else if (options.figure.output.empty()) {
    CountsTable(selected.Heads(), false).PrintText(std::cout);
    std::cout << "\n"
              << inputs.results.size()
              << " inputs; share: how often the most frequent label came\n";
  }
  dumps.Finish();
}

void CheckAggregateOptions(const ClassifyCommandOptions& options) {
  if (options.figure.output.empty()) return;
  if (!options.aggregate) {
    ThrowUsageError("-o draws the grid of --aggregate: expected --aggregate with -o");
  }
  for (const std::string& input : options.dump.Files()) {
    CheckNotInput(options.figure.output, input);
  }
  (void)options.figure.Format();  // a usage Error for an unknown extension, before any work
}

void RunClassify(ClassifyCommandOptions options) {
  if (options.json && options.csv) ThrowUsageError("--json and --csv: expected one of them");
  CheckAggregateOptions(options);
  if (!options.thresholds.empty()) options.classify.thresholds = ReadThresholds(options.thresholds);
  if (!options.special.empty()) options.classify.special_tokens = options.special;
  if (options.aggregate) return RunClassifyAggregate(options);
  DumpSeries dumps(options.dump);
  std::vector<FileClasses> files;
  ProgressBar progress(dumps.files().size(), "files");
  dumps.ForEach(
      [&](const DumpSource& source, const Dump& dump) {
        PrintNotes(dump);
        files.push_back({source, ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens,
                                               options.classify)});
        SelectHeads(dump, options.layers, options.heads, files.back().heads);
      },
      [&progress] { progress.Advance(); });
  if (files.empty()) dumps.Finish();  // every input failed: no table to print
  if (options.json) {
    PrintJson(files, options.classify.thresholds);
  } else if (options.csv) {
    FilesTable(files, CsvTable).PrintCsv(std::cout);
  } else {
    FilesTable(files, TextTable).PrintText(std::cout);
  }
  dumps.Finish();
}

}  // namespace

void AddClassifyCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ClassifyCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "classify",
      "Per-head pattern labels: self, previous, next, first, special, offset, reorder, "
      "block, local, align, duplicate, induction, peaked, diffuse, with scores");
  options->dump.AddTo(*command, true);
  command->add_flag("--json", options->json, "print one JSON object with every score");
  command->add_flag("--csv", options->csv, "print one CSV row per head with every score");
  command->add_option("--thresholds", options->thresholds,
                      "JSON object of pattern thresholds overriding the defaults, e.g. "
                      "{\"previous\": 0.6}");
  AddSpecialTokensOption(*command, options->special);
  AddHeadSelectionOptions(*command, options->layers, options->heads);
  command->add_flag("--aggregate", options->aggregate,
                    "count each head's labels over the inputs (files, --batch all items): the "
                    "most frequent label, its share, every label's count");
  command->add_option("-o,--output", options->figure.output,
                      "with --aggregate: a layers x heads grid (.png .svg .pdf), each head "
                      "captioned with its most frequent label, panels from the first input");
  command
      ->add_option("-j,--jobs", options->classify.threads,
                   "threads (default: one per core; with --aggregate, files read at once)")
      ->check(NonNegativeNumber());
  command->footer(
      "Examples:\n"
      "  attnviz classify data/induction.npy\n"
      "  attnviz classify attn.npz --json | jq '.heads[] | select(.label == \"induction\")'\n"
      "  attnviz classify attn.npy --tokens tokens.txt --thresholds strict.json --csv\n"
      "  attnviz classify dumps/*.npz --json   # every head with its \"file\"\n"
      "  attnviz classify 'dumps/*.npy' --aggregate -o labels.png   # label counts and a grid");
  command->callback([options, &exit_code] {
    RunClassify(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
