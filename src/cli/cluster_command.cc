// `attnviz cluster FILE`: JS distances between heads, scipy-style linkage, a dendrogram and an
// MDS map of the heads, and the pairs too alike to tell apart.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/cluster.h"
#include "attnviz/analysis/head_groups.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/dendrogram.h"
#include "attnviz/render/scatter.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/json_number.h"
#include "cli/kv_groups.h"
#include "cli/messages.h"
#include "cli/output_path.h"
#include "cli/output_template.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

struct ClusterOptions {
  DumpOptions dump;
  FigureOptions figure;  // -o: the dendrogram
  std::string map;       // the MDS map
  std::string js_reduce = "mean";
  std::string linkage = "average";
  std::optional<double> threshold;
  std::string title;
  bool json = false;
  bool csv = false;
  std::string layers;  // --layer, --head: the heads clustered
  std::string heads;
  std::optional<int64_t> kv_heads;
};

struct ClusterResult {
  HeadDistances distances;
  std::vector<Merge> merges;
  std::vector<MapPoint> map;
  std::vector<HeadPair> redundant;
  // Grouped-query attention: each head's key/value head and the within/between statistic.
  std::optional<KvGrouping> grouping;
  std::vector<int64_t> groups;
  GroupSimilarity similarity;
  std::vector<GroupSpread> spreads;
};

Linkage ParseLinkage(const std::string& name) {
  if (name == "complete") return Linkage::kComplete;
  if (name == "ward") return Linkage::kWard;
  return Linkage::kAverage;
}

// Heads keep their indexes in the dump (for colours); names and JSON give the model's numbers.
std::string HeadName(const Dump& dump, const HeadId& id) {
  return HeadLabel(dump, id.layer, id.head);
}

nlohmann::json HeadJson(const Dump& dump, const HeadId& id) {
  return {ModelLayer(dump, id.layer), ModelHead(dump, id.head)};
}

// The distances between the heads --layer and --head select.
HeadDistances SelectedDistances(const Dump& dump, const HeadDistances& all,
                                const ClusterOptions& options) {
  if (options.layers.empty() && options.heads.empty()) return all;
  std::vector<HeadId> kept = all.heads;
  SelectHeads(dump, options.layers, options.heads, kept);
  std::vector<size_t> index;
  for (size_t a = 0; a < all.size(); ++a) {
    const HeadId& id = all.heads[a];
    const bool chosen = std::any_of(kept.begin(), kept.end(), [&](const HeadId& k) {
      return k.layer == ModelLayer(dump, id.layer) && k.head == ModelHead(dump, id.head);
    });
    if (chosen) index.push_back(a);
  }
  HeadDistances selected;
  for (size_t a : index) {
    selected.heads.push_back(all.heads[a]);
    for (size_t b : index) selected.values.push_back(all.at(a, b));
  }
  return selected;
}

// LayerLegend's "layer N" in the model's numbers.
std::vector<LegendEntry> ModelLayerLegend(const Dump& dump, Theme theme) {
  std::vector<LegendEntry> legend = LayerLegend(dump.attention.layers(), theme);
  for (LegendEntry& entry : legend) {
    const int64_t layer = std::stoll(entry.label.substr(entry.label.find(' ') + 1));
    entry.label = "layer " + std::to_string(ModelLayer(dump, layer));
  }
  return legend;
}

// Library errors about the data name no file; the user needs to know which one.
[[noreturn]] void RethrowWithPath(const Error& error, const std::string& path) {
  if (error.kind() != ErrorKind::kInput) throw error;
  throw Error(ErrorKind::kInput, path + ": " + error.what());
}

// One head makes no groups (an empty dendrogram, a map of one point): a usage error naming it.
void RequireTwoHeads(const Dump& dump, const HeadDistances& distances,
                     const ClusterOptions& options) {
  if (distances.size() >= 2) return;
  const bool selected = !options.layers.empty() || !options.heads.empty();
  std::string found = (selected ? "--layer and --head select " : "the dump has ") +
                      std::to_string(distances.size()) +
                      (distances.size() == 1 ? " head" : " heads");
  if (distances.size() == 1) found += ", " + HeadName(dump, distances.heads[0]);
  ThrowUsageError(dump.metadata.path + ": cluster groups heads and needs at least 2; " + found);
}

void AddKvGroups(const Dump& dump, const ClusterOptions& options, ClusterResult& result) {
  result.grouping = ResolveKvGrouping(dump, options.kv_heads);
  if (!result.grouping) return;
  for (const HeadId& id : result.distances.heads) {
    result.groups.push_back(KvGroupOf(dump, *result.grouping, id.head));
  }
  result.similarity = CompareGroups(result.distances, result.groups);
  result.spreads = SpreadOfGroups(result.distances, result.groups);
}

ClusterResult Cluster(const Dump& dump, const ClusterOptions& options) {
  ClusterResult result;
  const JsReduce reduce = options.js_reduce == "sum" ? JsReduce::kSum : JsReduce::kMean;
  try {
    result.distances = SelectedDistances(
        dump, JsDistances(dump.attention, reduce, ThreadCount(options.figure.jobs)), options);
  } catch (const Error& error) {
    RethrowWithPath(error, dump.metadata.path);
  }
  RequireTwoHeads(dump, result.distances, options);
  result.merges = LinkHeads(result.distances, ParseLinkage(options.linkage));
  result.map = ClassicalMds(result.distances);
  if (options.threshold) result.redundant = RedundantPairs(result.distances, *options.threshold);
  AddKvGroups(dump, options, result);
  return result;
}

nlohmann::json SpreadsJson(const std::vector<GroupSpread>& spreads) {
  nlohmann::json list = nlohmann::json::array();
  for (const GroupSpread& g : spreads) {
    list.push_back({{"group", g.group},
                    {"heads", g.heads},
                    {"within", NumberOrNull(g.within)},
                    {"between", NumberOrNull(g.between)}});
  }
  return list;
}

// null without a grouping.
nlohmann::json KvGroupsJson(const ClusterResult& r) {
  if (!r.grouping) return nullptr;
  const GroupSimilarity& s = r.similarity;
  return {{"kv_heads", r.grouping->kv_heads},
          {"query_heads", r.grouping->query_heads},
          {"group", r.groups},
          {"within", NumberOrNull(s.within)},
          {"between", NumberOrNull(s.between)},
          {"ratio", NumberOrNull(s.ratio)},
          {"p_value", NumberOrNull(s.p_value)},
          {"within_pairs", s.within_pairs},
          {"between_pairs", s.between_pairs},
          {"permutations", s.permutations},
          {"per_group", SpreadsJson(r.spreads)}};
}

nlohmann::json ClusterJson(const Dump& dump, const ClusterResult& r) {
  nlohmann::json heads = nlohmann::json::array(), distance = nlohmann::json::array(),
                 linkage = nlohmann::json::array(), mds = nlohmann::json::array(),
                 redundant = nlohmann::json::array();
  for (size_t a = 0; a < r.distances.size(); ++a) {
    heads.push_back(HeadJson(dump, r.distances.heads[a]));
    distance.push_back(
        std::vector<double>(r.distances.values.begin() + a * r.distances.size(),
                            r.distances.values.begin() + (a + 1) * r.distances.size()));
    mds.push_back({r.map[a].x, r.map[a].y});
  }
  for (const Merge& m : r.merges) linkage.push_back({m.a, m.b, m.distance, m.size});
  for (const HeadPair& p : r.redundant) {
    redundant.push_back({{"a", HeadJson(dump, r.distances.heads[p.a])},
                         {"b", HeadJson(dump, r.distances.heads[p.b])},
                         {"distance", p.distance}});
  }
  return {{"heads", heads}, {"distance", distance},   {"linkage", linkage},
          {"mds", mds},     {"redundant", redundant}, {"kv_groups", KvGroupsJson(r)}};
}

// Each head's closest other head; itself (at distance 0) when it is the only one.
size_t Nearest(const HeadDistances& d, size_t a) {
  size_t nearest = a;
  double best = std::numeric_limits<double>::infinity();
  for (size_t b = 0; b < d.size(); ++b) {
    if (b != a && d.at(a, b) < best) {
      best = d.at(a, b);
      nearest = b;
    }
  }
  return nearest;
}

Table HeadTable(const Dump& dump, const ClusterResult& r) {
  Table table{{"layer", "head", "nearest_layer", "nearest_head", "distance", "mds_x", "mds_y"}, {}};
  for (size_t a = 0; a < r.distances.size(); ++a) {
    const size_t b = Nearest(r.distances, a);
    const HeadId& id = r.distances.heads[a];
    const HeadId& near = r.distances.heads[b];
    table.rows.push_back(
        {std::to_string(ModelLayer(dump, id.layer)), std::to_string(ModelHead(dump, id.head)),
         std::to_string(ModelLayer(dump, near.layer)), std::to_string(ModelHead(dump, near.head)),
         FormatNumber(r.distances.at(a, b)), FormatNumber(r.map[a].x), FormatNumber(r.map[a].y)});
    if (r.grouping) table.rows.back().push_back(std::to_string(r.groups[a]));
  }
  if (r.grouping) table.columns.push_back("kv_group");
  return table;
}

std::string NumberOrDash(double value) { return std::isnan(value) ? "-" : FormatNumber(value); }

// "8 key/value heads (config.json): mean JS within groups 0.12 (48 pairs), between ...".
void PrintKvGroups(const Dump& dump, const ClusterResult& r, const ClusterOptions& options) {
  const GroupSimilarity& s = r.similarity;
  std::cout << "\n"
            << r.grouping->kv_heads << " key/value heads of " << r.grouping->GroupSize()
            << " query heads (" << KvGroupingSource(dump, options.kv_heads)
            << "): mean JS within groups " << NumberOrDash(s.within) << " (" << s.within_pairs
            << " pairs), between " << NumberOrDash(s.between) << " (" << s.between_pairs
            << " pairs)";
  if (s.permutations > 0) {
    std::cout << ", ratio " << FormatNumber(s.ratio)
              << ", permutation p = " << FormatNumber(s.p_value) << " (" << s.permutations
              << " permutations)";
  }
  std::cout << "\n";
  Table table{{"kv_group", "heads", "within", "between"}, {}};
  for (const GroupSpread& g : r.spreads) {
    table.rows.push_back({KvGroupName(g.group), std::to_string(g.heads), NumberOrDash(g.within),
                          NumberOrDash(g.between)});
  }
  table.PrintText(std::cout);
}

void PrintText(const Dump& dump, const ClusterResult& r, const ClusterOptions& options) {
  std::cout << dump.metadata.path << ": " << r.distances.size() << " heads, JS divergence "
            << (options.js_reduce == "sum" ? "summed" : "averaged") << " over query rows, "
            << options.linkage << " linkage, classical MDS\n\n";
  HeadTable(dump, r).PrintText(std::cout);
  std::cout << "\ndendrogram order:";
  for (int64_t leaf : DendrogramLeaves(r.merges, std::ssize(r.distances.heads))) {
    std::cout << " " << HeadName(dump, r.distances.heads[leaf]);
  }
  std::cout << "\n";
  if (r.grouping) PrintKvGroups(dump, r, options);
  if (!options.threshold) return;
  std::cout << "\nredundant pairs (distance <= " << FormatNumber(*options.threshold)
            << "): " << r.redundant.size() << "\n";
  if (r.redundant.empty()) return;
  Table pairs{{"head_a", "head_b", "distance"}, {}};
  for (const HeadPair& p : r.redundant) {
    pairs.rows.push_back({HeadName(dump, r.distances.heads[p.a]),
                          HeadName(dump, r.distances.heads[p.b]), FormatNumber(p.distance)});
  }
  pairs.PrintText(std::cout);
}

std::string FigureTitle(const Dump& dump, const ClusterOptions& options, const char* what) {
  if (!options.title.empty()) return options.title;
  return std::filesystem::path(dump.metadata.path).filename().string() + " · " + what;
}

// With a grouping, dots are coloured by key/value head instead of by layer.
std::vector<Rgba> GroupColors(const ClusterResult& r, Theme theme) {
  std::vector<Rgba> colors;
  for (int64_t group : r.groups)
    colors.push_back(CategoryColor(group, r.grouping->kv_heads, theme));
  return colors;
}

std::vector<LegendEntry> GroupLegend(const KvGrouping& grouping, Theme theme) {
  std::vector<LegendEntry> legend;
  for (int64_t g = 0; g < grouping.kv_heads; ++g) {
    legend.push_back({KvGroupName(g), CategoryColor(g, grouping.kv_heads, theme), false});
  }
  return legend;
}

void WriteDendrogram(const Dump& dump, const ClusterResult& r, const ClusterOptions& options) {
  DendrogramSpec spec;
  const int64_t layers = dump.attention.layers();
  const Theme theme = options.figure.Render().theme;
  for (const Merge& m : r.merges) spec.links.push_back({m.a, m.b, m.distance});
  spec.leaves = DendrogramLeaves(r.merges, std::ssize(r.distances.heads));
  for (const HeadId& id : r.distances.heads) {
    spec.labels.push_back(HeadName(dump, id));
    spec.leaf_colors.push_back(SequenceColor(id.layer, layers, theme));
  }
  if (layers > 1) spec.legend = ModelLayerLegend(dump, theme);
  if (r.grouping) {
    spec.leaf_colors = GroupColors(r, theme);
    spec.legend = GroupLegend(*r.grouping, theme);
  }
  spec.threshold = options.threshold;
  spec.title = FigureTitle(dump, options, (options.linkage + " linkage").c_str());
  spec.axis_title = std::string("JS divergence (") + (options.js_reduce == "sum" ? "sum" : "mean") +
                    " over queries)";
  WriteFileAtomically(options.figure.output,
                      RenderDendrogram(spec, options.figure.Format(), options.figure.Render()));
}

// The map's format from its extension; --format for --map - (standard output).
ImageFormat MapFormat(const ClusterOptions& options) {
  return FigureFormatFor(options.map, options.map == "-" ? options.figure.format : "");
}

void WriteMap(const Dump& dump, const ClusterResult& r, const ClusterOptions& options) {
  ScatterSpec spec;
  const int64_t layers = dump.attention.layers();
  const Theme theme = options.figure.Render().theme;
  const bool labelled = r.distances.size() <= 48;  // beyond that, labels would bury the dots
  const std::vector<Rgba> group_colors = r.grouping ? GroupColors(r, theme) : std::vector<Rgba>();
  for (size_t a = 0; a < r.distances.size(); ++a) {
    const HeadId& id = r.distances.heads[a];
    spec.points.push_back({r.map[a].x, r.map[a].y,
                           r.grouping ? group_colors[a] : SequenceColor(id.layer, layers, theme),
                           labelled ? HeadName(dump, id) : ""});
  }
  if (layers > 1) spec.legend = ModelLayerLegend(dump, theme);
  if (r.grouping) spec.legend = GroupLegend(*r.grouping, theme);
  spec.x.title = "MDS 1";
  spec.y.title = "MDS 2";
  spec.equal_aspect = true;
  spec.title = FigureTitle(dump, options, "heads by JS divergence (MDS)");
  WriteFileAtomically(options.map,
                      RenderScatter(spec, MapFormat(options), options.figure.Render()));
}

void CheckOutputs(const ClusterOptions& options) {
  if (!options.figure.output.empty()) {
    CheckNotInput(options.figure.output, options.dump.input);
    options.figure.Format();
  }
  if (!options.map.empty()) {
    CheckNotInput(options.map, options.dump.input);
    MapFormat(options);
  }
  if (options.threshold && !(*options.threshold >= 0)) {
    ThrowUsageError("--threshold: expected a distance >= 0");
  }
}

// With --batch all every item has its own figures: -o and --map must tell them apart.
void RequireBatchField(const std::string& pattern, const char* option) {
  if (pattern.empty() || OutputTemplate(pattern).Has("batch")) return;
  ThrowUsageError(std::string(option) + " " + pattern +
                  ": --batch all draws a figure per batch item; put {batch} in it");
}

std::string ItemPath(const std::string& pattern, const Dump& dump, const DumpSource& source) {
  if (pattern.empty()) return pattern;
  std::string path =
      OutputTemplate(pattern).Expand({{"stem", Stem(dump)}, {"batch", source.batch}});
  CheckNotInput(path, dump.metadata.path);
  return path;
}

// --batch all: each item clustered on its own, its text after "batch N: ", its CSV rows behind a
// batch column, its JSON object (with a "batch" key) in "items".
void RunClusterItems(const ClusterOptions& options) {
  RequireBatchField(options.figure.output, "-o");
  RequireBatchField(options.map, "--map");
  DumpSeries dumps(options.dump);
  nlohmann::json items = nlohmann::json::array();
  Table table;
  dumps.ForEach([&](const DumpSource& source, const Dump& dump) {
    PrintNotes(dump);
    const ClusterResult result = Cluster(dump, options);
    ClusterOptions item = options;
    item.figure.output = ItemPath(options.figure.output, dump, source);
    item.map = ItemPath(options.map, dump, source);
    if (!item.figure.output.empty()) WriteDendrogram(dump, result, item);
    if (!item.map.empty()) WriteMap(dump, result, item);
    if (options.json) {
      items.push_back(ClusterJson(dump, result));
      items.back()["batch"] = source.batch;
    } else if (options.csv) {
      AppendWithSource(table, HeadTable(dump, result), source);
    } else {
      std::cout << (source.batch == 0 ? "" : "\n") << "batch " << source.batch << ": ";
      PrintText(dump, result, item);
    }
  });
  if (options.json) std::cout << nlohmann::json{{"items", items}}.dump() << "\n";
  if (options.csv) table.PrintCsv(std::cout);
  dumps.Finish();
}

void RunCluster(const ClusterOptions& options) {
  CheckOutputs(options);
  const bool machine = options.json || options.csv;
  const bool prints_text =
      PrintsText(options.figure.output, machine) && PrintsText(options.map, machine);
  if (options.figure.output == "-" && options.map == "-") {
    ThrowUsageError("-o - and --map -: both would write to standard output; name a file");
  }
  if (options.dump.EveryBatchItem()) return RunClusterItems(options);
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  const ClusterResult result = Cluster(dump, options);
  if (!options.figure.output.empty()) WriteDendrogram(dump, result, options);
  if (!options.map.empty()) WriteMap(dump, result, options);
  if (!prints_text) return;
  if (options.json) {
    std::cout << ClusterJson(dump, result).dump() << "\n";
  } else if (options.csv) {
    HeadTable(dump, result).PrintCsv(std::cout);
  } else {
    PrintText(dump, result, options);
  }
}

}  // namespace

void AddClusterCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ClusterOptions>();
  CLI::App* command = app.add_subcommand(
      "cluster", "Heads grouped by the JS divergence of their attention (Clark et al. 2019)");
  options->dump.AddTo(*command);
  command->get_option("--batch")
      ->description("batch item to read (default 0), or all: each item clustered on its own")
      ->type_name("N|all");
  options->figure.AddTo(*command, false);
  command->get_option("-o")->description("dendrogram to write: .png, .svg or .pdf");
  command->get_option("-j")->description("threads for the distances (default: every core)");
  command->add_option("--map", options->map, "MDS map of the heads to write: .png, .svg or .pdf");
  command
      ->add_option("--js-reduce", options->js_reduce,
                   "combine the per-row divergences by mean (default) or sum (Clark et al.)")
      ->check(CLI::IsMember({"mean", "sum"}));
  command->add_option("--linkage", options->linkage, "average (default), complete or ward")
      ->check(CLI::IsMember({"average", "complete", "ward"}));
  command->add_option("--threshold", options->threshold,
                      "list the pairs of heads at most this far apart (redundant heads)");
  command->add_option("--title", options->title, "figure title (default: file and method)");
  AddHeadSelectionOptions(*command, options->layers, options->heads);
  AddKvHeadsOption(*command, options->kv_heads);
  auto* json = command->add_flag("--json", options->json, "print one JSON object");
  command->add_flag("--csv", options->csv, "print the table as CSV")->excludes(json);
  command->footer(
      "Examples:\n"
      "  attnviz cluster data/induction.npy --threshold 0.05\n"
      "  attnviz cluster attn.npy --linkage ward -o dendrogram.pdf --map heads.pdf\n"
      "  attnviz cluster attn.npy --js-reduce sum --json | jq .linkage\n"
      "  attnviz cluster llama.json --kv-heads 8 --map heads.png   # grouped-query attention");
  command->callback([options, &exit_code] {
    RunCluster(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
