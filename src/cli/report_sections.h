// The sections of `attnviz report`: each analysis of a dump as text, a table or figures.
#pragma once

#include <vector>

#include "attnviz/analysis/check.h"
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

struct ReportChoices {
  ScaleRequest color;  // the stats maps and the grid
  CheckRules rules;
  Theme theme = Theme::kLight;
  int threads = 1;
};

// Summary, statistics table, statistics maps, grid with classify labels, rollout highlight,
// dendrogram, MDS map and check results, in that order. An analysis that does not apply to the
// dump (rollout of cross-attention, clustering one head) or cannot run on it (NaN weights) leaves
// a section that says why instead of figures. `dump` must outlive the sections (grid panels
// read it while the report is drawn).
std::vector<ReportSection> ReportSections(const Dump& dump, const ReportChoices& choices);

}  // namespace attnviz::cli
