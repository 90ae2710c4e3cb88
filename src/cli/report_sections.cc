// Each page of the report from the analyses the other commands run: info, stats, classify,
// rollout, cluster and check.
#include "cli/report_sections.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/blas.h"
#include "attnviz/analysis/check.h"
#include "attnviz/analysis/classify.h"
#include "attnviz/analysis/cluster.h"
#include "attnviz/analysis/head_stats.h"
#include "attnviz/analysis/rollout.h"
#include "attnviz/analysis/summary.h"
#include "attnviz/error.h"
#include "attnviz/parallel.h"
#include "attnviz/render/cell_raster.h"
#include "attnviz/render/dendrogram.h"
#include "attnviz/render/token_text.h"
#include "cli/dump_names.h"
#include "cli/table.h"

namespace attnviz::cli {
namespace {

std::string FileName(const Dump& dump) {
  return dump.metadata.path == "-" ? "stdin"
                                   : std::filesystem::path(dump.metadata.path).filename().string();
}

// "L3H5" in the model's numbering.
std::string HeadName(const Dump& dump, int64_t layer, int64_t head) {
  return HeadLabel(dump, layer, head);
}

std::string Fixed(double value, int decimals = 3) {
  if (std::isnan(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// ---- summary ------------------------------------------------------------------------------

std::string TokensLine(const Dump& dump) {
  if (!dump.query_tokens && !dump.key_tokens) return "none (give them with --tokens)";
  auto count = [](const auto& tokens) {
    return tokens ? std::to_string(tokens->size()) : std::string("no");
  };
  return count(dump.query_tokens) + " query, " + count(dump.key_tokens) + " key";
}

std::string RowSumsLine(const TensorSummary& s, DType dtype) {
  const double tolerance = RowSumTolerance(dtype);
  bool off = std::abs(s.row_sum_min - 1) > tolerance || std::abs(s.row_sum_max - 1) > tolerance;
  return FormatNumber(s.row_sum_min) + " .. " + FormatNumber(s.row_sum_max) +
         (off ? " (not 1: shown as stored, never renormalised)" : "");
}

ReportTable InfoTable(const Dump& dump, const TensorSummary& s) {
  const AttentionTensor& t = dump.attention;
  std::string source(FileFormatName(dump.metadata.format));
  if (!dump.metadata.array_name.empty()) source += ", array " + dump.metadata.array_name;
  std::string extents = std::to_string(t.layers()) + " layers, " + std::to_string(t.heads()) +
                        " heads, " + std::to_string(t.queries()) + " queries x " +
                        std::to_string(t.keys()) + " keys";
  if (t.batches() > 1) {
    extents += ", batch item " + std::to_string(t.batch()) + " of " + std::to_string(t.batches());
  }
  ReportTable table{{"", ""}, {}};
  auto add = [&](std::string name, std::string value) {
    table.rows.push_back({std::move(name), std::move(value)});
  };
  add("file", dump.metadata.path + " (" + source + ")");
  add("dtype", std::string(DTypeName(t.dtype())));
  add("shape", nlohmann::json(t.shape()).dump() + " " + FormatAxes(t.axes()));
  add("", extents);
  if (!dump.metadata.model.empty()) add("model", dump.metadata.model);
  if (LayerOffset(dump) != 0 || HeadOffset(dump) != 0) {  // a slice, not the whole model
    add("slice of", "layer " + std::to_string(LayerOffset(dump)) + ", head " +
                        std::to_string(HeadOffset(dump)) + " of the model");
  }
  add("tokens", TokensLine(dump));
  add("values", "min " + FormatNumber(s.min) + ", max " + FormatNumber(s.max));
  add("row sums", RowSumsLine(s, t.dtype()));
  add("NaN / Inf", std::to_string(s.nan) + " / " + std::to_string(s.inf));
  add("causal", s.causal ? "yes" : "no");
  add("padded keys", std::to_string(t.stored_keys() - t.keys() + s.padded_keys));  // left out too
  return table;
}

ReportSection SummarySection(const Dump& dump, const TensorSummary& summary) {
  ReportSection section;
  section.heading = "The dump";
  section.anchor = "summary";
  section.table = InfoTable(dump, summary);
  section.lines = {"What attnviz info reports on it."};
  return section;
}

// ---- statistics ---------------------------------------------------------------------------

ReportSection StatsTableSection(const Dump& dump, const std::vector<HeadStats>& heads) {
  ReportSection section;
  section.heading = "Per-head statistics";
  section.anchor = "stats";
  section.lines = {
      "As attnviz stats prints them: entropy in nats; topk = mass of the 3 largest weights; "
      "- does not apply. docs/analyses.md defines each."};
  ReportTable table;
  table.columns = {"layer", "head"};
  std::vector<StatField> fields;
  for (const StatField& field : StatFields()) {
    if (std::string_view(field.name) != "distance_2d") fields.push_back(field);
  }
  for (const StatField& field : fields) table.columns.push_back(field.name);
  for (const HeadStats& stats : heads) {
    std::vector<std::string> row = {std::to_string(ModelLayer(dump, stats.layer)),
                                    std::to_string(ModelHead(dump, stats.head))};
    for (const StatField& field : fields) row.push_back(Fixed(stats.*field.member));
    table.rows.push_back(std::move(row));
  }
  section.table = std::move(table);
  return section;
}

std::vector<std::string> IndexLabels(const char* prefix, int64_t count, int64_t offset) {
  std::vector<std::string> labels;
  for (int64_t i = 0; i < count; ++i) labels.push_back(prefix + std::to_string(i + offset));
  return labels;
}

// The layers x heads map of one statistic, on the scale `stats --plot` gives it; nullopt when
// no head has the statistic.
std::optional<HeatmapSpec> StatMap(const Dump& dump, const std::vector<HeadStats>& heads,
                                   const StatField& field, const ScaleRequest& color) {
  const AttentionTensor& tensor = dump.attention;
  HeatmapSpec spec;
  spec.matrix.rows = tensor.layers();
  spec.matrix.cols = tensor.heads();
  double smallest = INFINITY;
  double largest = -INFINITY;
  for (const HeadStats& stats : heads) {
    double value = stats.*field.member;
    spec.matrix.values.push_back(static_cast<float>(value));
    if (std::isfinite(value)) {
      smallest = std::min(smallest, value);
      largest = std::max(largest, value);
    }
  }
  if (!std::isfinite(smallest)) return std::nullopt;
  // One value (a dump of one head) spans no range: the scale starts at 0 instead.
  if (largest == smallest) smallest = std::min(0.0, smallest);
  if (largest == smallest) largest = smallest + 1;
  spec.row_labels = IndexLabels("L", tensor.layers(), LayerOffset(dump));
  spec.col_labels = IndexLabels("H", tensor.heads(), HeadOffset(dump));
  spec.row_axis_title = "layer";
  spec.col_axis_title = "head";
  spec.title = std::string(field.name) +
               (field.name == std::string_view("entropy") ? " (nats)" : "") + " · " +
               FileName(dump);
  spec.colormap = color.colormap;
  spec.norm = color.norm;
  spec.vmin = color.vmin ? color.vmin : field.in_unit_interval ? 0.0 : smallest;
  spec.vmax = color.vmax ? *color.vmax : field.in_unit_interval ? 1.0 : largest;
  return spec;
}

ReportSection StatsMapsSection(const Dump& dump, const std::vector<HeadStats>& heads,
                               const ScaleRequest& color) {
  ReportSection section;
  section.heading = "Statistics by layer and head";
  section.anchor = "maps";
  if (heads.size() < 2) {
    section.lines = {"Not drawn: a map of one head says no more than the table."};
    return section;
  }
  for (const char* name : {"entropy", "distance", "first_token"}) {
    std::optional<HeatmapSpec> map = StatMap(dump, heads, *FindStatField(name), color);
    if (map) {
      section.figures.push_back(std::move(*map));
    } else {
      section.lines.push_back(std::string(name) +
                              ": no head has it (positional statistics need self-attention)");
    }
  }
  return section;
}

// ---- grid ---------------------------------------------------------------------------------

std::string ClassCaption(const HeadClass& head) {
  if (!head.label) return LabelText(head);
  char score[16];
  std::snprintf(score, sizeof score, " %.2f", head.confidence);
  return LabelText(head) + score;
}

// Every head masked and pooled for the grid, on `threads` threads: once, though the layout asks
// for the panels' colour scales on each attempt and the drawing again (a third of a second, then,
// for 12 x 12 heads of 512 x 512).
std::shared_ptr<const std::vector<Matrix>> PooledPanels(const AttentionTensor& tensor,
                                                        int threads) {
  auto panels =
      std::make_shared<std::vector<Matrix>>(static_cast<size_t>(tensor.layers() * tensor.heads()));
  RunInParallel(panels->size(), threads, [&](size_t index) {
    const auto head = static_cast<int64_t>(index);
    Matrix matrix{tensor.queries(),
                  tensor.keys(),
                  tensor.ReadHead(head / tensor.heads(), head % tensor.heads()),
                  {}};
    matrix.masked = MaskCells(matrix, MaskMode::kDetect);
    (*panels)[index] = Pool(matrix, kReportPanelCells, kReportPanelCells, Pooling::kMax);
  });
  return panels;
}

ReportSection GridSection(const Dump& dump, const std::vector<HeadClass>& classes,
                          const ReportChoices& choices) {
  const AttentionTensor& tensor = dump.attention;
  GridSpec spec;
  spec.rows = tensor.layers();
  spec.cols = tensor.heads();
  spec.panel_rows = std::min(tensor.queries(), kReportPanelCells);
  spec.panel_cols = std::min(tensor.keys(), kReportPanelCells);
  spec.panel = [panels = PooledPanels(tensor, choices.threads), heads = tensor.heads()](
                   int64_t layer, int64_t head) { return (*panels)[layer * heads + head]; };
  spec.row_labels = IndexLabels("", tensor.layers(), LayerOffset(dump));
  spec.col_labels = IndexLabels("", tensor.heads(), HeadOffset(dump));
  for (const HeadClass& head : classes) spec.captions.push_back(ClassCaption(head));
  spec.title = FileName(dump) + " · every head";
  spec.scale_request = choices.color;
  ReportSection section;
  section.heading = "All heads, with their pattern labels";
  section.anchor = "grid";
  section.lines = {"Captions are attnviz classify's label and score."};
  if (tensor.queries() > kReportPanelCells || tensor.keys() > kReportPanelCells) {
    section.lines.push_back("Each panel is max-pooled to at most " +
                            std::to_string(kReportPanelCells) + " x " +
                            std::to_string(kReportPanelCells) + " cells.");
  }
  section.figures.push_back(std::move(spec));
  return section;
}

// ---- rollout ------------------------------------------------------------------------------

std::vector<std::string> KeyTokens(const Dump& dump) {
  if (dump.key_tokens) return CleanSubwordMarkers(*dump.key_tokens);
  return IndexLabels("", dump.attention.keys(), 0);
}

// A causal model's first token sees only itself: its last row is the one worth reading.
int64_t RolloutRow(const Dump& dump, bool causal) {
  return causal ? dump.attention.queries() - 1 : 0;
}

ReportSection RolloutSection(const Dump& dump, const ReportAnalyses& analyses, bool causal) {
  ReportSection section;
  section.heading = "Attention rollout";
  section.anchor = "rollout";
  if (!analyses.rollout) {
    section.lines.push_back(analyses.rollout_note);
    return section;
  }
  const int64_t row = analyses.rollout_row;
  section.lines = {"Rollout (Abnar & Zuidema 2020) of " +
                   std::string(causal ? "the last row (a causal model's first token sees only "
                                        "itself)"
                                      : "the first row") +
                   ": heads averaged, the residual added, layers multiplied, as attnviz rollout "
                   "--rows N --draw highlight draws it."};
  HighlightSpec spec;
  spec.tokens = KeyTokens(dump);
  for (double value : analyses.rollout->values) spec.weights.push_back(static_cast<float>(value));
  spec.marked = row;
  spec.title = FileName(dump) + " · rollout of query " + std::to_string(row);
  spec.scale_title = "rollout";
  section.figures.push_back(std::move(spec));
  return section;
}

// ---- cluster ------------------------------------------------------------------------------

ScatterSpec DendrogramFigure(const Dump& dump, const HeadDistances& distances,
                             const std::vector<Merge>& merges, Theme theme) {
  DendrogramSpec spec;
  const int64_t layers = dump.attention.layers();
  for (const Merge& m : merges) spec.links.push_back({m.a, m.b, m.distance});
  spec.leaves = DendrogramLeaves(merges, std::ssize(distances.heads));
  for (const HeadId& id : distances.heads) {
    spec.labels.push_back(HeadName(dump, id.layer, id.head));
    spec.leaf_colors.push_back(SequenceColor(id.layer, layers, theme));
  }
  if (layers > 1) spec.legend = LayerLegend(layers, theme);
  spec.title = FileName(dump) + " · average linkage";
  spec.axis_title = "JS divergence (mean over queries)";
  return DendrogramScatter(spec);
}

ScatterSpec MapFigure(const Dump& dump, const HeadDistances& distances,
                      const std::vector<MapPoint>& map, Theme theme) {
  ScatterSpec spec;
  const int64_t layers = dump.attention.layers();
  const bool labelled = distances.size() <= 48;  // beyond that, labels would bury the dots
  for (size_t a = 0; a < distances.size(); ++a) {
    const HeadId& id = distances.heads[a];
    spec.points.push_back({map[a].x, map[a].y, SequenceColor(id.layer, layers, theme),
                           labelled ? HeadName(dump, id.layer, id.head) : ""});
  }
  if (layers > 1) spec.legend = LayerLegend(layers, theme);
  spec.x.title = "MDS 1";
  spec.y.title = "MDS 2";
  spec.equal_aspect = true;
  spec.title = FileName(dump) + " · heads by JS divergence (MDS)";
  return spec;
}

// The dendrogram above the map on one page; with many heads the dendrogram, a label line per
// head, needs its page and the map gets the next.
std::vector<ReportSection> ClusterSections(const Dump& dump, const ReportAnalyses& analyses,
                                           Theme theme) {
  ReportSection section;
  section.heading = "Heads clustered by how alike they attend";
  section.anchor = "cluster";
  if (!analyses.distances) {
    section.lines.push_back(analyses.distances_note);
    return {section};
  }
  const HeadDistances& distances = *analyses.distances;
  section.lines = {
      "As attnviz cluster draws them: Jensen-Shannon divergence between heads (Clark et al. "
      "2019), average linkage, and a classical MDS map; dots coloured by layer."};
  const std::vector<Merge> merges = LinkHeads(distances, Linkage::kAverage);
  section.figures.push_back(DendrogramFigure(dump, distances, merges, theme));
  ScatterSpec map = MapFigure(dump, distances, ClassicalMds(distances), theme);
  if (distances.size() <= kReportHeadsWithMap) {
    section.figures.push_back(std::move(map));
    return {section};
  }
  ReportSection map_section;
  map_section.heading = "Heads clustered: the MDS map";
  map_section.anchor = "cluster_map";
  map_section.figures.push_back(std::move(map));
  return {section, map_section};
}

// ---- check --------------------------------------------------------------------------------

struct RuleCounts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// Each rule's counts, rules in the order of the results.
std::vector<std::pair<std::string, RuleCounts>> CountRules(
    const std::vector<CheckResult>& results) {
  std::vector<std::pair<std::string, RuleCounts>> counts;
  for (const CheckResult& result : results) {
    if (counts.empty() || counts.back().first != result.rule) {
      counts.push_back({result.rule, {}});
    }
    RuleCounts& c = counts.back().second;
    (result.skipped ? c.skipped : result.passed ? c.passed : c.failed) += 1;
  }
  return counts;
}

std::vector<std::string> RuleLines(const std::vector<CheckResult>& results) {
  std::vector<std::string> lines;
  for (const auto& [rule, c] : CountRules(results)) {
    lines.push_back(rule + ": " + (c.failed ? "FAIL" : "ok") + " · " + std::to_string(c.passed) +
                    " passed, " + std::to_string(c.failed) + " failed, " +
                    std::to_string(c.skipped) + " skipped");
  }
  return lines;
}

// The failures, one per row, at most kReportMaxFailures.
ReportTable FailureTable(const std::vector<CheckResult>& results) {
  ReportTable table{{"rule", "group", "what failed"}, {}};
  for (const CheckResult& result : results) {
    if (result.passed || result.skipped) continue;
    if (table.rows.size() == kReportMaxFailures) break;
    table.rows.push_back({result.rule, result.group, result.message});
  }
  return table;
}

size_t Failures(const std::vector<CheckResult>& results) {
  return std::count_if(results.begin(), results.end(),
                       [](const CheckResult& r) { return !r.passed && !r.skipped; });
}

ReportSection CheckSection(const std::vector<CheckResult>& results) {
  ReportSection section;
  section.heading = "Check results";
  section.anchor = "checks";
  const size_t failures = Failures(results);
  section.lines = {std::string(failures ? "Some rules fail: attnviz check would exit 1"
                                        : "Every rule holds: attnviz check would exit 0") +
                   " (default rules and thresholds, or --rules; docs/check.md)."};
  for (std::string& line : RuleLines(results)) section.lines.push_back(std::move(line));
  if (failures > kReportMaxFailures) {
    section.lines.push_back("The first " + std::to_string(kReportMaxFailures) + " of " +
                            std::to_string(failures) + " failures (attnviz check lists all):");
  }
  if (failures) section.table = FailureTable(results);
  return section;
}

// ---- findings -----------------------------------------------------------------------------

// "L0H3 0.97, L2H1 0.88 and 4 more", or "none".
std::string HeadList(const std::vector<std::pair<std::string, double>>& heads) {
  if (heads.empty()) return "none";
  std::string text;
  const size_t shown = std::min(heads.size(), kReportFindingHeads);
  for (size_t i = 0; i < shown; ++i) {
    text += (i ? ", " : "") + heads[i].first + " " + Fixed(heads[i].second, 2);
  }
  if (heads.size() > shown) text += " and " + std::to_string(heads.size() - shown) + " more";
  return text;
}

std::vector<std::pair<std::string, double>> Descending(
    std::vector<std::pair<std::string, double>> heads) {
  std::stable_sort(heads.begin(), heads.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return heads;
}

std::string Sinks(const Dump& dump, const std::vector<HeadStats>& stats) {
  std::vector<std::pair<std::string, double>> heads;
  for (const HeadStats& s : stats) {
    if (s.first_token >= kReportSinkShare) {
      heads.push_back({HeadName(dump, s.layer, s.head), s.first_token});
    }
  }
  return HeadList(Descending(std::move(heads)));
}

std::string Labelled(const Dump& dump, const std::vector<HeadClass>& classes, Pattern pattern) {
  std::vector<std::pair<std::string, double>> heads;
  for (const HeadClass& c : classes) {
    if (c.label == pattern) heads.push_back({HeadName(dump, c.layer, c.head), c.confidence});
  }
  return HeadList(Descending(std::move(heads)));
}

// The failing groups of one rule, with what was measured.
std::string FailedGroups(const std::vector<CheckResult>& results, std::string_view rule) {
  std::vector<std::pair<std::string, double>> groups;
  for (const CheckResult& r : results) {
    if (r.rule == rule && !r.passed && !r.skipped) groups.push_back({r.group, r.measured});
  }
  return HeadList(groups);
}

// "row_sum (3), sink (1): attnviz check would exit 1".
std::string FailedRules(const std::vector<CheckResult>& results) {
  std::string text;
  for (const auto& [rule, c] : CountRules(results)) {
    if (c.failed) text += (text.empty() ? "" : ", ") + rule + " (" + std::to_string(c.failed) + ")";
  }
  return text.empty() ? "none: attnviz check would exit 0" : text + ": attnviz check would exit 1";
}

ReportSection FindingsSection(const Dump& dump, const ReportAnalyses& analyses) {
  ReportSection section;
  section.heading = "Findings · " + FileName(dump);
  section.anchor = "findings";
  section.lines = {
      "The heads worth a look first, with their scores, and the rules that fail. The pages "
      "after: the dump, per-head statistics ({page:stats}), maps by layer and head "
      "({page:maps}), every head with its pattern label ({page:grid}), the attention rollout "
      "({page:rollout}), the clustering of heads ({page:cluster}) and the check results "
      "({page:checks})."};
  const bool tokens = dump.query_tokens && dump.key_tokens;
  const std::vector<HeadClass>& classes = analyses.classes;
  ReportTable table{{"finding", "heads", "see"}, {}};
  table.rows = {
      {"sinks (first-token share ≥ " + Fixed(kReportSinkShare, 1) + ")",
       Sinks(dump, analyses.stats), "{page:maps}"},
      {"previous-token heads", Labelled(dump, classes, Pattern::kPrevious), "{page:grid}"},
      {"induction heads",
       tokens ? Labelled(dump, classes, Pattern::kInduction) : "need tokens (--tokens)",
       "{page:grid}"},
      {"near-uniform heads", FailedGroups(analyses.checks, kCheckUniform), "{page:checks}"},
      {"collapsed layers", FailedGroups(analyses.checks, kCheckCollapse), "{page:checks}"},
      {"failed rules", FailedRules(analyses.checks), "{page:checks}"}};
  section.table = std::move(table);
  return section;
}

// The rollout, or why there is none: one layer (nothing to multiply), cross-attention.
void AnalyseRollout(const Dump& dump, ReportAnalyses& analyses) {
  if (dump.attention.layers() < 2) {
    analyses.rollout_note =
        "Not computed: rollout multiplies the layers, and this dump has one (its heads are in "
        "the grid).";
    return;
  }
  try {
    analyses.rollout = Rollout(dump.attention, {}, std::vector<int64_t>{analyses.rollout_row});
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kInput) throw;
    analyses.rollout_note = std::string("Not computed: ") + error.what();
  }
}

void AnalyseDistances(const Dump& dump, const ReportChoices& choices, ReportAnalyses& analyses) {
  const AttentionTensor& tensor = dump.attention;
  if (tensor.layers() * tensor.heads() < 2) {
    analyses.distances_note =
        "Not computed: clustering needs at least two heads; this dump has one.";
    return;
  }
  try {
    analyses.distances = JsDistances(tensor, JsReduce::kMean, choices.threads);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kInput) throw;
    analyses.distances_note = std::string("Not computed: ") + error.what();
  }
}

std::vector<CheckResult> Checks(const Dump& dump, const ReportChoices& choices,
                                const ReportAnalyses& analyses) {
  CheckInput input;
  input.tensor = &dump.attention;
  input.query_tokens = dump.query_tokens;
  input.key_tokens = dump.key_tokens;
  input.stats.threads = choices.threads;
  input.layer_offset = LayerOffset(dump);
  input.head_offset = HeadOffset(dump);
  input.precomputed_stats = &analyses.stats;
  if (analyses.distances) input.precomputed_distances = &*analyses.distances;
  input.distances_reduce = JsReduce::kMean;
  return RunChecks(input, choices.rules);
}

}  // namespace

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

ReportAnalyses AnalyseForReport(const Dump& dump, const ReportChoices& choices,
                                ReportTimings& timings) {
  const AttentionTensor& tensor = dump.attention;
  ReportAnalyses analyses;
  Timed(timings, "summary", [&] { analyses.summary = Summarize(tensor); });
  Timed(timings, "stats", [&] {
    StatsOptions options;
    options.threads = choices.threads;
    analyses.stats = ComputeHeadStats(tensor, dump.query_tokens, dump.key_tokens, options);
  });
  Timed(timings, "classify", [&] {
    ClassifyOptions options;
    options.threads = choices.threads;
    analyses.classes = ClassifyHeads(tensor, dump.query_tokens, dump.key_tokens, options);
  });
  const bool causal = !analyses.classes.empty() && analyses.classes.front().causal;
  analyses.rollout_row = RolloutRow(dump, causal);
  Timed(timings, "rollout", [&] {
    AnalyseRollout(dump, analyses);
    StopIdleBlasThreads();  // not to spin on the cores the distances need
  });
  Timed(timings, "distances", [&] { AnalyseDistances(dump, choices, analyses); });
  Timed(timings, "check", [&] { analyses.checks = Checks(dump, choices, analyses); });
  return analyses;
}

std::vector<ReportSection> ReportSections(const Dump& dump, const ReportAnalyses& analyses,
                                          const ReportChoices& choices) {
  const bool causal = !analyses.classes.empty() && analyses.classes.front().causal;
  std::vector<ReportSection> sections;
  sections.push_back(FindingsSection(dump, analyses));
  sections.push_back(SummarySection(dump, analyses.summary));
  sections.push_back(StatsTableSection(dump, analyses.stats));
  sections.push_back(StatsMapsSection(dump, analyses.stats, choices.color));
  sections.push_back(GridSection(dump, analyses.classes, choices));
  sections.push_back(RolloutSection(dump, analyses, causal));
  for (ReportSection& section : ClusterSections(dump, analyses, choices.theme)) {
    sections.push_back(std::move(section));
  }
  sections.push_back(CheckSection(analyses.checks));
  return sections;
}

}  // namespace attnviz::cli
