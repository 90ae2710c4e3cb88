// The sections of `attnviz report`: each analysis of a dump as text, a table or figures.
#pragma once

#include <chrono>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/analysis/check.h"
#include "attnviz/analysis/classify.h"
#include "attnviz/analysis/head_distance.h"
#include "attnviz/analysis/head_stats.h"
#include "attnviz/analysis/rollout.h"
#include "attnviz/analysis/summary.h"
#include "attnviz/io/dump.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/render_options.h"
#include "attnviz/render/report.h"

namespace attnviz::cli {

// Grid panels are max-pooled to at most this many cells a side, so a report of a dump with long
// sequences stays a few megabytes (a spike still shows).
inline constexpr int64_t kReportPanelCells = 64;

// Up to this many heads, the dendrogram and the MDS map share a page; beyond, each has one.
inline constexpr size_t kReportHeadsWithMap = 24;

// Failing check results listed one per row; beyond this many, the rest are counted.
inline constexpr size_t kReportMaxFailures = 200;

// The findings page lists at most this many heads a finding, and calls a head whose first-token
// share is at least kReportSinkShare a sink.
inline constexpr size_t kReportFindingHeads = 6;
inline constexpr double kReportSinkShare = 0.5;

struct ReportChoices {
  ScaleRequest color;  // the stats maps and the grid
  CheckRules rules;
  Theme theme = Theme::kLight;
  int threads = 1;
};

// Seconds each part of a report took, in the order they ran (report --timings): on the clock,
// and of processor time summed over the process's threads (which a busy machine inflates less).
struct ReportTiming {
  std::string part;
  double wall = 0;
  double cpu = 0;
};
using ReportTimings = std::vector<ReportTiming>;

// The processor seconds this process has used so far, over all its threads.
double ProcessCpuSeconds();

// Runs `step`, and appends its seconds on the clock and of processor to `timings` as `part`.
template <typename Step>
void Timed(ReportTimings& timings, const char* part, Step step) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu = ProcessCpuSeconds();
  step();
  const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
  timings.push_back({part, spent.count(), ProcessCpuSeconds() - cpu});
}

// Every analysis the report shows, each run once and shared by the sections: the JS distances
// serve both the clustering and the check, the statistics both their pages and the check.
struct ReportAnalyses {
  TensorSummary summary;
  std::vector<HeadStats> stats;
  std::vector<HeadClass> classes;
  int64_t rollout_row = 0;
  std::optional<TokenRows> rollout;  // nullopt: `rollout_note` says why not
  std::string rollout_note;
  std::optional<HeadDistances> distances;  // mean JS over queries; nullopt: see the note
  std::string distances_note;
  std::vector<CheckResult> checks;
};

// Runs the analyses, adding the seconds of each to `timings`.
ReportAnalyses AnalyseForReport(const Dump& dump, const ReportChoices& choices,
                                ReportTimings& timings);

// A first page of findings (notable heads and failed rules with page references), the summary
// of the dump, statistics table, statistics maps, grid with classify labels, rollout highlight,
// dendrogram, MDS map and check results, in that order. An analysis that does not apply to the
// dump (rollout of cross-attention or of one layer, clustering one head) or cannot run on it
// (NaN weights) leaves a sentence that says why instead of figures. `dump` must outlive the
// sections (grid panels read it while the report is drawn).
std::vector<ReportSection> ReportSections(const Dump& dump, const ReportAnalyses& analyses,
                                          const ReportChoices& choices);

}  // namespace attnviz::cli
