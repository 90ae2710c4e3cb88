// `attnviz check FILE`: diagnostics with thresholds for CI; exit 1 when a rule fails.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/check.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/junit.h"
#include "cli/messages.h"
#include "cli/output_path.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

constexpr int kCheckFailedExit = 1;

// Thresholds given on the command line; each one also enables its rule.
struct RuleFlags {
  std::optional<double> finite, row_sum, collapse, uniform, padding, sink, redundant;
};

struct CheckCommandOptions {
  DumpOptions dump;
  std::string rules_file;
  RuleFlags flags;
  std::vector<std::string> disable;
  bool crop = false;
  std::string js_reduce;
  std::string baseline_file;
  std::optional<double> tolerance;
  std::optional<double> rel_tolerance;
  std::vector<std::string> special;
  bool json = false;
  bool all = false;
  std::string junit;
  int jobs = 0;
};

std::string ReadTextFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowInputError(path, std::string("cannot open the ") + what);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every rule in order, with where it lives in CheckRules and its option in RuleFlags.
struct RuleSlot {
  std::string_view name;
  CheckRule CheckRules::*rule;
  std::optional<double> RuleFlags::*flag;
};

constexpr RuleSlot kSlots[] = {{kCheckFinite, &CheckRules::finite, &RuleFlags::finite},
                               {kCheckRowSum, &CheckRules::row_sum, &RuleFlags::row_sum},
                               {kCheckCollapse, &CheckRules::collapse, &RuleFlags::collapse},
                               {kCheckUniform, &CheckRules::uniform, &RuleFlags::uniform},
                               {kCheckPadding, &CheckRules::padding, &RuleFlags::padding},
                               {kCheckSink, &CheckRules::sink, &RuleFlags::sink},
                               {kCheckRedundant, &CheckRules::redundant, &RuleFlags::redundant}};

std::string RuleNames() {
  std::string names;
  for (const RuleSlot& slot : kSlots) names += (names.empty() ? "" : ", ") + std::string(slot.name);
  return names;
}

void Disable(CheckRules& rules, const std::string& name) {
  for (const RuleSlot& slot : kSlots) {
    if (slot.name == name) {
      (rules.*slot.rule).enabled = false;
      return;
    }
  }
  ThrowUsageError("--disable: expected rule names (" + RuleNames() + "), found '" + name + "'");
}

// Defaults, then the rules file, then the command line.
CheckRules GatherRules(const CheckCommandOptions& options) {
  CheckRules rules;
  if (!options.rules_file.empty()) {
    rules = ParseCheckRules(ReadTextFile(options.rules_file, "rules file"), options.rules_file);
  }
  for (const RuleSlot& slot : kSlots) {
    if (const std::optional<double>& value = options.flags.*slot.flag) {
      rules.*slot.rule = {true, *value};
    }
  }
  for (const std::string& name : options.disable) Disable(rules, name);
  rules.crop = rules.crop || options.crop;
  if (!options.js_reduce.empty()) {
    rules.js_reduce = options.js_reduce == "sum" ? JsReduce::kSum : JsReduce::kMean;
  }
  if (options.tolerance) rules.drift_absolute = *options.tolerance;
  if (options.rel_tolerance) rules.drift_relative = *options.rel_tolerance;
  return rules;
}

CheckInput GatherInput(const Dump& dump, const std::optional<StatsBaseline>& baseline,
                       const CheckCommandOptions& options) {
  CheckInput input;
  input.tensor = &dump.attention;
  input.query_tokens = dump.query_tokens;
  input.key_tokens = dump.key_tokens;
  input.stats.threads = ThreadCount(options.jobs);
  if (!options.special.empty()) input.stats.special_tokens = options.special;
  if (!options.dump.pad_token.empty()) input.stats.pad_token = options.dump.pad_token;
  if (baseline) {
    try {
      CheckBaselineHeads(dump.attention, baseline->heads);
    } catch (const Error& error) {
      ThrowInputError(options.baseline_file, error.what());
    }
    input.stats.bits = baseline->bits;
    input.stats.topk = baseline->topk;
    input.baseline = baseline->heads;
  }
  return input;
}

// What a rule did over all its groups.
struct RuleTally {
  int checked = 0, failed = 0, skipped = 0;
};

RuleTally Tally(std::span<const CheckResult> results, std::string_view rule) {
  RuleTally tally;
  for (const CheckResult& r : results) {
    if (r.rule != rule) continue;
    ++tally.checked;
    tally.failed += !r.passed;
    tally.skipped += r.skipped;
  }
  return tally;
}

std::string DriftBand(const CheckRules& rules) {
  return FormatNumber(rules.drift_absolute) + " + " + FormatNumber(rules.drift_relative) +
         " x |baseline|";
}

nlohmann::json NumberOrNull(double value) {
  return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json IndexOrNull(int64_t value) {
  return value < 0 ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json ResultJson(const CheckResult& r) {
  nlohmann::json out = {{"rule", r.rule},
                        {"group", r.group},
                        {"layer", IndexOrNull(r.layer)},
                        {"head", IndexOrNull(r.head)},
                        {"passed", r.passed},
                        {"skipped", r.skipped},
                        {"measured", NumberOrNull(r.measured)},
                        {"threshold", NumberOrNull(r.threshold)},
                        {"message", r.message}};
  if (r.rule == kCheckDrift) {
    out["statistic"] = r.statistic;
    out["baseline"] = NumberOrNull(r.baseline);
  }
  return out;
}

nlohmann::json RuleJson(std::string_view name, bool enabled, nlohmann::json threshold,
                        std::span<const CheckResult> results) {
  const RuleTally tally = Tally(results, name);
  return {{"rule", name},           {"enabled", enabled},
          {"threshold", threshold}, {"checked", tally.checked},
          {"failed", tally.failed}, {"skipped", tally.skipped}};
}

// `batches` holds the batch item of each result with --batch all, and is empty otherwise.
void PrintJson(const Dump& dump, const CheckRules& rules, std::span<const CheckResult> results,
               std::span<const int64_t> batches, const CheckCommandOptions& options) {
  nlohmann::json out = {{"file", dump.metadata.path}, {"passed", AllPassed(results)},
                        {"crop", rules.crop},         {"rules", nlohmann::json::array()},
                        {"drift", nullptr},           {"results", nlohmann::json::array()}};
  for (const RuleSlot& slot : kSlots) {
    const CheckRule& rule = rules.*slot.rule;
    out["rules"].push_back(RuleJson(slot.name, rule.enabled, rule.threshold, results));
  }
  if (!options.baseline_file.empty()) {
    out["rules"].push_back(RuleJson(kCheckDrift, true, nullptr, results));
    out["drift"] = {{"baseline", options.baseline_file},
                    {"absolute", rules.drift_absolute},
                    {"relative", rules.drift_relative}};
  }
  for (size_t i = 0; i < results.size(); ++i) {
    out["results"].push_back(ResultJson(results[i]));
    if (!batches.empty()) out["results"].back()["batch"] = batches[i];
  }
  std::cout << out.dump() << "\n";
}

std::vector<std::string> TallyRow(std::string_view name, const std::string& threshold,
                                  std::span<const CheckResult> results) {
  const RuleTally tally = Tally(results, name);
  return {std::string(name), threshold, std::to_string(tally.checked), std::to_string(tally.failed),
          std::to_string(tally.skipped)};
}

Table SummaryTable(const CheckRules& rules, std::span<const CheckResult> results, bool drift) {
  Table table{{"rule", "threshold", "checked", "failed", "skipped"}, {}};
  for (const RuleSlot& slot : kSlots) {
    const CheckRule& rule = rules.*slot.rule;
    table.rows.push_back(
        rule.enabled ? TallyRow(slot.name, FormatNumber(rule.threshold), results)
                     : std::vector<std::string>{std::string(slot.name), "off", "-", "-", "-"});
  }
  if (drift) table.rows.push_back(TallyRow(kCheckDrift, DriftBand(rules), results));
  return table;
}

Table ResultTable(std::span<const CheckResult> results, bool all) {
  Table table{{"rule", "group", "status", "message"}, {}};
  for (const CheckResult& r : results) {
    if (r.passed && !all) continue;
    const char* status = !r.passed ? "FAIL" : r.skipped ? "skip" : "ok";
    table.rows.push_back({r.rule, r.group, status, r.message});
  }
  return table;
}

void PrintText(const Dump& dump, const CheckRules& rules, std::span<const CheckResult> results,
               const CheckCommandOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  std::cout << dump.metadata.path << ": " << tensor.layers() << " layers x " << tensor.heads()
            << " heads, " << tensor.queries() << " x " << tensor.keys()
            << (rules.crop ? ", a crop" : "") << "\n\n";
  SummaryTable(rules, results, !options.baseline_file.empty()).PrintText(std::cout);
  const Table listed = ResultTable(results, options.all);
  if (!listed.rows.empty()) {
    std::cout << "\n";
    listed.PrintText(std::cout);
  }
  const auto failed =
      std::count_if(results.begin(), results.end(), [](const CheckResult& r) { return !r.passed; });
  if (failed == 0) {
    std::cout << "\npassed: every rule holds\n";
  } else {
    std::cout << "\nFAILED: " << failed << " of " << results.size() << " checks\n";
  }
}

void CheckOptionValues(const CheckCommandOptions& options) {
  if (!options.js_reduce.empty() && options.js_reduce != "mean" && options.js_reduce != "sum") {
    ThrowUsageError("--js-reduce: expected mean or sum, found '" + options.js_reduce + "'");
  }
  if ((options.tolerance || options.rel_tolerance) && options.baseline_file.empty()) {
    ThrowUsageError("--tolerance and --rel-tolerance need --baseline stats.json");
  }
  if (!options.junit.empty()) CheckNotInput(options.junit, options.dump.input);
}

void RunCheck(const CheckCommandOptions& options, int& exit_code) {
  CheckOptionValues(options);
  const CheckRules rules = GatherRules(options);
  std::optional<StatsBaseline> baseline;
  if (!options.baseline_file.empty()) {
    baseline =
        ParseStatsBaseline(ReadTextFile(options.baseline_file, "baseline"), options.baseline_file);
  }
  // With --batch all, every item's results one after another, each group named with its item.
  // The padding rule measures the attention that reaches padding: check reads the dump as stored.
  DumpOptions as_stored = options.dump;
  as_stored.keep_padding = true;
  DumpSeries dumps(as_stored);
  std::vector<CheckResult> results;
  std::vector<int64_t> batches;
  std::optional<Dump> first;
  dumps.ForEach([&](const DumpSource& source, Dump item) {
    PrintNotes(item);
    for (CheckResult& r : RunChecks(GatherInput(item, baseline, options), rules)) {
      if (source.show_batch) {
        r.group = "batch " + std::to_string(source.batch) + " " + r.group;
        batches.push_back(source.batch);
      }
      results.push_back(std::move(r));
    }
    if (!first) first = std::move(item);
  });
  if (!first) dumps.Finish();  // no item could be read
  const Dump& dump = *first;
  if (!options.junit.empty()) {
    WriteFileAtomically(options.junit,
                        CheckJunitXml(results, "attnviz check " + dump.metadata.path));
  }
  if (options.json) {
    PrintJson(dump, rules, results, batches, options);
  } else {
    PrintText(dump, rules, results, options);
  }
  dumps.Finish();
  exit_code = AllPassed(results) ? 0 : kCheckFailedExit;
}

void AddRuleOptions(CLI::App& command, CheckCommandOptions& options) {
  RuleFlags& f = options.flags;
  auto at_least_zero = CLI::NonNegativeNumber;
  command.add_option("--finite", f.finite, "most NaN / infinite values a head may hold (0)")
      ->check(at_least_zero);
  command.add_option("--row-sum", f.row_sum, "largest |row sum - 1| allowed (0.001)")
      ->check(at_least_zero);
  command
      .add_option("--collapse", f.collapse, "smallest mean JS between the heads of a layer (0.01)")
      ->check(at_least_zero);
  command.add_option("--uniform", f.uniform, "largest entropy_norm of a head (0.98)")
      ->check(at_least_zero);
  command.add_option("--padding", f.padding, "largest share of attention on padding (0.05)")
      ->check(at_least_zero);
  command.add_option("--sink", f.sink, "largest share of attention on the first token (0.95)")
      ->check(at_least_zero);
  command.add_option("--redundant", f.redundant, "smallest JS between two heads (0.001)")
      ->check(at_least_zero);
  command.add_option("--disable", options.disable, "rules not to run, comma-separated")
      ->delimiter(',');
  command.add_option("--rules", options.rules_file,
                     "JSON file of rules and thresholds (docs/check.md); flags override it");
  command.add_flag("--crop", options.crop,
                   "the dump is a crop of larger rows: row_sum only fails sums above 1");
  command.add_option("--js-reduce", options.js_reduce,
                     "JS over query rows for collapse and redundant: mean (default) or sum");
}

}  // namespace

void AddCheckCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "check",
      "Diagnostics for CI: NaN/Inf, row sums, collapsed, uniform, padding-attending, sink and "
      "redundant heads, drift from a baseline; exit 1 when a rule fails");
  options->dump.AddTo(*command);
  command->get_option("--batch")
      ->description(
          "batch item to read (default 0), or all: every item, each result naming its item")
      ->type_name("N|all");
  AddRuleOptions(*command, *options);
  command->add_option("--baseline", options->baseline_file,
                      "the output of 'attnviz stats --json' to compare every head's statistics "
                      "with");
  command->add_option("--tolerance", options->tolerance, "drift: absolute part of the band (0.02)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--rel-tolerance", options->rel_tolerance,
                   "drift: relative part of the band, times |baseline| (0.05)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--special", options->special,
                   "special tokens, comma-separated, replacing the default set (as for stats)")
      ->delimiter(',');
  command->add_flag("--json", options->json, "print one JSON object: rules and every result");
  command->add_flag("--all", options->all,
                    "list passed and skipped results too, not only failures");
  command->add_option("--junit", options->junit, "write JUnit XML here for CI test reports");
  command->add_option("-j,--jobs", options->jobs, "threads (default: one per core)")
      ->check(CLI::NonNegativeNumber);
  command->footer(
      "Exit codes: 0 every rule holds, 1 a rule failed, 2 usage, 3 bad input, 4 --junit not "
      "written.\n"
      "Examples:\n"
      "  attnviz check data/induction.npy\n"
      "  attnviz check attn.npy --sink 0.9 --disable uniform --junit check.xml\n"
      "  attnviz stats base.npy --json > stats.json && attnviz check new.npy --baseline "
      "stats.json --tolerance 0.05");
  command->callback([options, &exit_code] { RunCheck(*options, exit_code); });
}

}  // namespace attnviz::cli
