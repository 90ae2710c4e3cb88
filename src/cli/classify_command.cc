// `attnviz classify FILE`: what kind of head each head is, with every pattern's score.
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/classify.h"
#include "attnviz/error.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
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
};

ClassifyThresholds ReadThresholds(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowInputError(path, "cannot open the thresholds file");
  const std::string text(std::istreambuf_iterator<char>(in), {});
  return ParseClassifyThresholds(text, path);
}

nlohmann::json NumberOrNull(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
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

void RunClassify(ClassifyCommandOptions options) {
  if (options.json && options.csv) ThrowUsageError("--json and --csv: expected one of them");
  if (!options.thresholds.empty()) options.classify.thresholds = ReadThresholds(options.thresholds);
  if (!options.special.empty()) options.classify.special_tokens = options.special;
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
  command
      ->add_option("--special", options->special,
                   "special tokens, comma-separated, replacing the default set")
      ->delimiter(',');
  AddHeadSelectionOptions(*command, options->layers, options->heads);
  command->add_option("-j,--jobs", options->classify.threads, "threads (default: one per core)")
      ->check(NonNegativeNumber());
  command->footer(
      "Examples:\n"
      "  attnviz classify data/induction.npy\n"
      "  attnviz classify attn.npz --json | jq '.heads[] | select(.label == \"induction\")'\n"
      "  attnviz classify attn.npy --tokens tokens.txt --thresholds strict.json --csv\n"
      "  attnviz classify dumps/*.npz --json   # every head with its \"file\"");
  command->callback([options, &exit_code] {
    RunClassify(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
