// `attnviz check FILE`: diagnostics with thresholds for CI; exit 1 when a rule fails.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/check.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "cli/aggregate.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/json_number.h"
#include "cli/junit.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/progress.h"
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
  bool csv = false;
  bool all = false;
  std::string layers;  // --layer: which layers' results (docs/formats.md numbering)
  std::string heads;
  std::string junit;
  int jobs = 0;
  bool aggregate = false;  // every input's rules, and drift of the means over the inputs
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
  input.layer_offset = LayerOffset(dump);
  input.head_offset = HeadOffset(dump);
  if (!options.layers.empty()) input.layers = ParseLayers(options.layers, dump, "--layer");
  if (!options.heads.empty()) input.heads = ParseHeads(options.heads, dump, "--head");
  if (!options.special.empty()) input.stats.special_tokens = options.special;
  if (!options.dump.pad_token.empty()) input.stats.pad_token = options.dump.pad_token;
  if (baseline) {
    try {
      CheckBaselineHeads(dump.attention, baseline->heads, input.layer_offset, input.head_offset);
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

// Passed results --aggregate counted by rule instead of keeping them, when no output lists them:
// a long evaluation set yields hundreds of results per input.
using CountedPasses = std::map<std::string, RuleTally, std::less<>>;
const CountedPasses kNoneCounted;

RuleTally Tally(std::span<const CheckResult> results, std::string_view rule,
                const CountedPasses& counted = kNoneCounted) {
  RuleTally tally;
  if (const auto found = counted.find(rule); found != counted.end()) tally = found->second;
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
// `aggregate` describes the inputs of --aggregate, and is null otherwise.
void PrintJson(const Dump& dump, const CheckRules& rules, std::span<const CheckResult> results,
               std::span<const int64_t> batches, const CheckCommandOptions& options,
               const nlohmann::json& aggregate = nullptr) {
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
  if (!aggregate.is_null()) out.update(aggregate);
  for (size_t i = 0; i < results.size(); ++i) {
    out["results"].push_back(ResultJson(results[i]));
    if (!batches.empty()) out["results"].back()["batch"] = batches[i];
  }
  std::cout << out.dump() << "\n";
}

std::vector<std::string> TallyRow(std::string_view name, const std::string& threshold,
                                  std::span<const CheckResult> results,
                                  const CountedPasses& counted) {
  const RuleTally tally = Tally(results, name, counted);
  return {std::string(name), threshold, std::to_string(tally.checked), std::to_string(tally.failed),
          std::to_string(tally.skipped)};
}

// Row sums are held to the dump's precision (RowSumTolerance): the threshold shown is the one used.
Table SummaryTable(const CheckRules& rules, std::span<const CheckResult> results, bool drift,
                   DType dtype, const CountedPasses& counted) {
  Table table{{"rule", "threshold", "checked", "failed", "skipped"}, {}};
  for (const RuleSlot& slot : kSlots) {
    const CheckRule& rule = rules.*slot.rule;
    const double threshold =
        slot.name == kCheckRowSum ? RowSumTolerance(dtype, rule.threshold) : rule.threshold;
    table.rows.push_back(
        rule.enabled ? TallyRow(slot.name, FormatNumber(threshold), results, counted)
                     : std::vector<std::string>{std::string(slot.name), "off", "-", "-", "-"});
  }
  if (drift) table.rows.push_back(TallyRow(kCheckDrift, DriftBand(rules), results, counted));
  return table;
}

// Every result, for --all.
Table ResultTable(std::span<const CheckResult> results) {
  Table table{{"rule", "group", "status", "message"}, {}};
  for (const CheckResult& r : results) {
    const char* status = !r.passed ? "FAIL" : r.skipped ? "skip" : "ok";
    table.rows.push_back({r.rule, r.group, status, r.message});
  }
  return table;
}

// What a rule measures, for its summary line.
std::string_view Measure(std::string_view rule) {
  if (rule == kCheckFinite) return "NaN and infinite values";
  if (rule == kCheckRowSum) return "max |row sum - 1|";
  if (rule == kCheckCollapse) return "mean JS between the layer's heads";
  if (rule == kCheckUniform) return "entropy_norm";
  if (rule == kCheckPadding) return "padding share";
  if (rule == kCheckSink) return "first_token share";
  if (rule == kCheckRedundant) return "JS to the nearest head";
  return "change from the baseline";
}

// How far a failed result is past its bound; larger is worse. Collapse and redundant fail below
// their thresholds, the others above; drift by how far it leaves its band.
double Badness(const CheckResult& r) {
  if (r.rule == kCheckDrift) return std::abs(r.measured - r.baseline) - r.threshold;
  if (r.rule == kCheckCollapse || r.rule == kCheckRedundant) return r.threshold - r.measured;
  return r.measured - r.threshold;
}

// "L3H7", "L3" for a layer, "L3H7 entropy" for a drift, in the model's numbers.
std::string Where(const CheckResult& r) {
  std::string where = "L" + std::to_string(r.layer);
  if (r.head >= 0) where += "H" + std::to_string(r.head);
  return r.statistic.empty() ? where : where + " " + r.statistic;
}

constexpr size_t kWorstShown = 3;

// The failed results of `rule`, the furthest past their bounds first (NaN measurements last).
std::vector<const CheckResult*> FailuresWorstFirst(std::string_view rule,
                                                   std::span<const CheckResult> results) {
  std::vector<const CheckResult*> failed;
  for (const CheckResult& r : results) {
    if (r.rule == rule && !r.passed) failed.push_back(&r);
  }
  std::stable_sort(failed.begin(), failed.end(), [](const CheckResult* a, const CheckResult* b) {
    return !std::isnan(Badness(*a)) && (std::isnan(Badness(*b)) || Badness(*a) > Badness(*b));
  });
  return failed;
}

// "L3H7 (max |row sum - 1| 0.02)" for the first named, "L2H1 (0.019)" after it.
std::string WorstText(const CheckResult& r, bool first) {
  const std::string value = r.rule == kCheckDrift
                                ? FormatNumber(r.baseline) + " -> " + FormatNumber(r.measured)
                                : FormatNumber(r.measured);
  return Where(r) + " (" + (first ? std::string(Measure(r.rule)) + " " : "") + value + ")";
}

// The scores hint of check.h, said once on a rule's line when any of its failures carries it.
std::string ScoresHintOnce(const std::vector<const CheckResult*>& failed) {
  for (const CheckResult* r : failed) {
    if (r->message.find(kScoresHint) != std::string::npos) return "; " + std::string(kScoresHint);
  }
  return "";
}

// "row_sum: 1074 of 1152 heads fail; worst L3H7 (max |row sum - 1| 0.02), L2H1 (0.019), ...".
std::string RuleSummary(std::string_view rule, std::span<const CheckResult> results,
                        const CountedPasses& counted) {
  const std::vector<const CheckResult*> failed = FailuresWorstFirst(rule, results);
  const char* noun = rule == kCheckDrift        ? " head statistics"
                     : failed.front()->head < 0 ? " layers"
                                                : " heads";
  std::string line = std::string(rule) + ": " + std::to_string(failed.size()) + " of " +
                     std::to_string(Tally(results, rule, counted).checked) + noun + " fail; worst ";
  for (size_t i = 0; i < failed.size() && i < kWorstShown; ++i) {
    line += (i ? ", " : "") + WorstText(*failed[i], i == 0);
  }
  line += failed.size() > kWorstShown ? ", ..." : "";
  return line + ScoresHintOnce(failed);
}

std::vector<std::string_view> RulesRun(std::span<const CheckResult> results) {
  std::vector<std::string_view> rules;
  for (const CheckResult& r : results) {
    if (std::find(rules.begin(), rules.end(), r.rule) == rules.end()) rules.push_back(r.rule);
  }
  return rules;
}

// One line per failing rule, however many heads fail (the full list is in --json and --csv).
void PrintFailureSummaries(std::span<const CheckResult> results, const CountedPasses& counted) {
  for (std::string_view rule : RulesRun(results)) {
    if (Tally(results, rule).failed > 0) std::cout << RuleSummary(rule, results, counted) << "\n";
  }
}

// One row per result, passed ones too, in the model's numbers.
Table CsvTable(std::span<const CheckResult> results) {
  Table table{{"rule", "layer", "head", "statistic", "status", "measured", "threshold", "baseline",
               "message"},
              {}};
  auto number = [](double v) { return std::isnan(v) ? std::string() : FormatNumber(v); };
  for (const CheckResult& r : results) {
    table.rows.push_back({r.rule, r.layer < 0 ? "" : std::to_string(r.layer),
                          r.head < 0 ? "" : std::to_string(r.head), r.statistic,
                          !r.passed   ? "fail"
                          : r.skipped ? "skip"
                                      : "pass",
                          number(r.measured), number(r.threshold), number(r.baseline), r.message});
  }
  return table;
}

// `subject` names what was checked: the file, or the inputs of --aggregate.
void PrintText(const Dump& dump, const CheckRules& rules, std::span<const CheckResult> results,
               const CheckCommandOptions& options, const std::string& subject,
               const CountedPasses& counted = kNoneCounted) {
  const AttentionTensor& tensor = dump.attention;
  std::cout << subject << ": " << tensor.layers() << " layers x " << tensor.heads() << " heads, "
            << tensor.queries() << " x " << tensor.keys() << (rules.crop ? ", a crop" : "")
            << "\n\n";
  SummaryTable(rules, results, !options.baseline_file.empty(), tensor.dtype(), counted)
      .PrintText(std::cout);
  if (!AllPassed(results)) {
    std::cout << "\n";
    PrintFailureSummaries(results, counted);
  }
  if (options.all) {
    std::cout << "\n";
    ResultTable(results).PrintText(std::cout);
  }
  const auto failed =
      std::count_if(results.begin(), results.end(), [](const CheckResult& r) { return !r.passed; });
  if (failed == 0) {
    std::cout << "\npassed: every rule holds\n";
  } else {
    size_t checks = results.size();
    for (const auto& [rule, tally] : counted) checks += tally.checked;
    std::cout << "\nFAILED: " << failed << " of " << checks << " checks\n";
  }
}

void CheckOptionValues(const CheckCommandOptions& options) {
  if (!options.js_reduce.empty() && options.js_reduce != "mean" && options.js_reduce != "sum") {
    ThrowUsageError("--js-reduce: expected mean or sum, found '" + options.js_reduce + "'");
  }
  if ((options.tolerance || options.rel_tolerance) && options.baseline_file.empty()) {
    ThrowUsageError("--tolerance and --rel-tolerance need --baseline stats.json");
  }
  if (!options.junit.empty()) {
    for (const std::string& input : options.dump.Files()) CheckNotInput(options.junit, input);
  }
  if (options.json && options.csv) ThrowUsageError("--json and --csv: expected one of them");
}

// One input's results for --aggregate, groups named with the input, and its statistics in the
// model's numbers.
struct InputCheck {
  std::vector<CheckResult> results;
  std::vector<HeadStats> stats;
  CountedPasses counted;  // passed results not kept (ListsEveryResult is false)
};

// Whether an output lists every result (--json, --csv, --all, --junit), passed ones too.
bool ListsEveryResult(const CheckCommandOptions& options) {
  return options.json || options.csv || options.all || !options.junit.empty();
}

// Keeps the failed results, and only counts the passed ones by rule.
void CountPasses(InputCheck& one) {
  std::erase_if(one.results, [&](const CheckResult& r) {
    if (!r.passed) return false;
    RuleTally& tally = one.counted[r.rule];
    ++tally.checked;
    tally.skipped += r.skipped;
    return true;
  });
  one.results.shrink_to_fit();
}

// "tw_0008.npy", "batch.npz batch 3": an input in the groups of --aggregate.
std::string InputName(const DumpSource& source) {
  std::string name = source.file;
  if (source.show_batch) name += " batch " + std::to_string(source.batch);
  return name;
}

InputCheck CheckOneInput(const DumpSource& source, const Dump& dump, const CheckRules& rules,
                         const std::optional<StatsBaseline>& baseline,
                         const CheckCommandOptions& options, int threads) {
  InputCheck one;
  CheckInput input = GatherInput(dump, std::nullopt, options);
  input.stats.threads = threads;
  if (baseline) {
    input.stats.bits = baseline->bits;
    input.stats.topk = baseline->topk;
  }
  input.head_stats = &one.stats;
  one.results = RunChecks(input, rules);
  if (!ListsEveryResult(options)) CountPasses(one);
  for (CheckResult& r : one.results) r.group = InputName(source) + " " + r.group;
  for (HeadStats& head : one.stats) {
    head.layer = ModelLayer(dump, head.layer);
    head.head = ModelHead(dump, head.head);
  }
  return one;
}

// Whether --layer and --head keep the head numbered (`layer`, `head`) in the model's numbers.
bool KeptHead(const Dump& dump, const CheckCommandOptions& options, int64_t layer, int64_t head) {
  auto kept = [](const std::vector<int64_t>& chosen, int64_t number) {
    return chosen.empty() || std::find(chosen.begin(), chosen.end(), number) != chosen.end();
  };
  const std::vector<int64_t> layers =
      options.layers.empty()
          ? std::vector<int64_t>{}
          : Shifted(ParseLayers(options.layers, dump, "--layer"), LayerOffset(dump));
  const std::vector<int64_t> heads =
      options.heads.empty() ? std::vector<int64_t>{}
                            : Shifted(ParseHeads(options.heads, dump, "--head"), HeadOffset(dump));
  return kept(layers, layer) && kept(heads, head);
}

// Drift of the means over the inputs from an aggregate baseline, groups "mean layer L head H".
std::vector<CheckResult> AggregateDrift(const InputResults<InputCheck>& inputs,
                                        const StatsBaseline& baseline, const CheckRules& rules,
                                        const CheckCommandOptions& options) {
  StatsAggregate aggregate;
  AddInOrder(aggregate, inputs, [](const InputCheck& one) { return one.stats; });
  std::vector<HeadStats> means = SummaryStats(aggregate.Heads());
  std::vector<CheckResult> drift;
  try {
    drift = CheckDrift(means, baseline.heads, rules);
  } catch (const Error& error) {
    ThrowInputError(options.baseline_file, error.what());
  }
  std::vector<CheckResult> kept;
  for (CheckResult& r : drift) {
    if (!KeptHead(*inputs.first, options, r.layer, r.head)) continue;
    r.group = "mean " + r.group;
    kept.push_back(std::move(r));
  }
  return kept;
}

// --aggregate: every rule on every input (files in parallel with -j), then the drift of the
// statistics' means over the inputs from an aggregate baseline.
void RunCheckAggregate(const CheckCommandOptions& options, const CheckRules& rules,
                       const std::optional<StatsBaseline>& baseline, int& exit_code) {
  DumpOptions as_stored = options.dump;
  as_stored.keep_padding = true;  // as RunCheck: the padding rule measures attention to padding
  DumpSeries dumps(as_stored);
  const int threads = ThreadCount(options.jobs);
  const int analysis_threads = AnalysisThreads(dumps, threads);
  ProgressBar progress(dumps.files().size(), "files");
  const InputResults<InputCheck> inputs = AnalyseInputs<InputCheck>(
      dumps, threads,
      [&](const DumpSource& source, const Dump& dump) {
        return CheckOneInput(source, dump, rules, baseline, options, analysis_threads);
      },
      [&progress] { progress.Advance(); });
  if (!inputs.first) dumps.Finish();  // no input could be read
  std::vector<CheckResult> results;
  CountedPasses counted;
  for (const InputCheck& one : inputs.results) {
    results.insert(results.end(), one.results.begin(), one.results.end());
    for (const auto& [rule, tally] : one.counted) {
      counted[rule].checked += tally.checked;
      counted[rule].skipped += tally.skipped;
    }
  }
  if (baseline) {
    for (CheckResult& r : AggregateDrift(inputs, *baseline, rules, options)) {
      results.push_back(std::move(r));
    }
  }
  const std::string subject = std::to_string(inputs.results.size()) + " inputs (the first " +
                              inputs.first->metadata.path + ")";
  if (!options.junit.empty()) {
    WriteFileAtomically(options.junit, CheckJunitXml(results, "attnviz check --aggregate"));
  }
  if (options.json) {
    PrintJson(*inputs.first, rules, results, {}, options,
              {{"aggregate", {{"inputs", inputs.results.size()}}},
               {"inputs", InputsJson(inputs.sources)}});
  } else if (options.csv) {
    CsvTable(results).PrintCsv(std::cout);
  } else {
    PrintText(*inputs.first, rules, results, options, subject, counted);
  }
  dumps.Finish();
  exit_code = AllPassed(results) ? 0 : kCheckFailedExit;
}

// An aggregate baseline goes with --aggregate, a baseline of one input without it.
void CheckBaselineKind(const std::optional<StatsBaseline>& baseline,
                       const CheckCommandOptions& options) {
  if (!baseline || baseline->aggregate == options.aggregate) return;
  ThrowUsageError(
      options.aggregate
          ? "--aggregate --baseline " + options.baseline_file +
                ": expected the output of 'attnviz stats --aggregate --json', found the "
                "statistics of one input"
          : "--baseline " + options.baseline_file +
                ": expected the statistics of one input, "
                "found an aggregate over " +
                std::to_string(baseline->inputs) + " inputs; compare a set with --aggregate");
}

void RunCheck(const CheckCommandOptions& options, int& exit_code) {
  CheckOptionValues(options);
  const CheckRules rules = GatherRules(options);
  std::optional<StatsBaseline> baseline;
  if (!options.baseline_file.empty()) {
    baseline =
        ParseStatsBaseline(ReadTextFile(options.baseline_file, "baseline"), options.baseline_file);
  }
  CheckBaselineKind(baseline, options);
  if (options.aggregate) return RunCheckAggregate(options, rules, baseline, exit_code);
  if (options.dump.Files().size() > 1) {
    ThrowUsageError("FILE: expected one input, found " +
                    std::to_string(options.dump.Files().size()) +
                    "; check several together with --aggregate");
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
  } else if (options.csv) {
    CsvTable(results).PrintCsv(std::cout);
  } else {
    PrintText(dump, rules, results, options, dump.metadata.path);
  }
  dumps.Finish();
  exit_code = AllPassed(results) ? 0 : kCheckFailedExit;
}

void AddRuleOptions(CLI::App& command, CheckCommandOptions& options) {
  RuleFlags& f = options.flags;
  auto at_least_zero = NonNegativeNumber();
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
  options->dump.AddTo(*command, true);
  command->get_option("--batch")
      ->description(
          "batch item to read (default 0), or all: every item, each result naming its item")
      ->type_name("N|all");
  AddRuleOptions(*command, *options);
  command->add_option("--baseline", options->baseline_file,
                      "the output of 'attnviz stats --json' to compare every head's statistics "
                      "with (with --aggregate: of 'stats --aggregate --json', the means)");
  command->add_flag("--aggregate", options->aggregate,
                    "check several inputs (files, --batch all items; -j reads files in "
                    "parallel): every rule on each, and drift of the means over them");
  command->add_option("--tolerance", options->tolerance, "drift: absolute part of the band (0.02)")
      ->check(NonNegativeNumber());
  command
      ->add_option("--rel-tolerance", options->rel_tolerance,
                   "drift: relative part of the band, times |baseline| (0.05)")
      ->check(NonNegativeNumber());
  AddSpecialTokensOption(*command, options->special, " (as for stats)");
  command->add_flag("--json", options->json, "print one JSON object: rules and every result");
  command->add_flag("--csv", options->csv,
                    "print every result as CSV: rule, layer, head, statistic, status, measured, "
                    "threshold, baseline, message");
  command->add_option("--layer,--layers", options->layers,
                      "only results about these layers (numbered as in heatmap; default all)");
  command->add_option("--head,--heads", options->heads, "only results about these heads");
  command->add_flag("--all", options->all,
                    "also list every result, passed and skipped ones too, after the summary");
  command->add_option("--junit", options->junit, "write JUnit XML here for CI test reports");
  command->add_option("-j,--jobs", options->jobs, "threads (default: one per core)")
      ->check(NonNegativeNumber());
  command->footer(
      "Exit codes: 0 every rule holds, 1 a rule failed, 2 usage, 3 bad input, 4 --junit not "
      "written.\n"
      "Examples:\n"
      "  attnviz check data/induction.npy\n"
      "  attnviz check attn.npy --sink 0.9 --disable uniform --junit check.xml\n"
      "  attnviz stats base.npy --json > stats.json && attnviz check new.npy --baseline "
      "stats.json --tolerance 0.05\n"
      "  attnviz stats 'eval/*.npy' --aggregate --json > set.json && attnviz check "
      "'eval/*.npy' --aggregate --baseline set.json");
  command->callback([options, &exit_code] { RunCheck(*options, exit_code); });
}

}  // namespace attnviz::cli
