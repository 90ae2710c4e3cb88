// The flags rollout and flow share, and the table, CSV, JSON and heatmap of their results.
#include "cli/rollout_options.h"
#include "cli/dump_names.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "attnviz/io/atomic_file.h"
#include "attnviz/io/image.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/highlight.h"
#include "attnviz/render/overlay.h"
#include "attnviz/render/token_text.h"
#include "cli/cell_options.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/patch_grid.h"
#include "cli/table.h"

namespace attnviz::cli {

namespace {

void CheckInRange(const Dump& dump, const char* option, int64_t value, int64_t count,
                  const std::string& noun) {
  if (value >= 0 && value < count) return;
  ThrowUsageError(dump.metadata.path + ": " + option + " " + std::to_string(value) +
                  " is out of range: the dump has " + std::to_string(count) + " " + noun +
                  (count == 1 ? " (0)" : "s (0.." + std::to_string(count - 1) + ")"));
}

HeadFuse ParseFuse(const std::string& name) {
  return name == "max" ? HeadFuse::kMax : name == "min" ? HeadFuse::kMin : HeadFuse::kMean;
}

// Four decimals: the table is for reading; --csv and --json carry the precision.
std::string FourDecimals(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

// A token as one table cell: line breaks and tabs written as escapes.
std::string CellText(const std::string& token) {
  std::string text;
  for (char c : token) {
    text += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
  }
  return text;
}

Table ResultTable(const Dump& dump, const TokenRows& result, bool readable) {
  Table table;
  table.columns.push_back("query");
  if (dump.query_tokens) table.columns.push_back("token");
  for (int64_t j = 0; j < result.tokens; ++j) table.columns.push_back(std::to_string(j));
  for (size_t r = 0; r < result.rows.size(); ++r) {
    std::vector<std::string> cells{std::to_string(result.rows[r])};
    if (dump.query_tokens) cells.push_back(CellText((*dump.query_tokens)[result.rows[r]]));
    for (int64_t j = 0; j < result.tokens; ++j) {
      cells.push_back(readable ? FourDecimals(result.at(r, j)) : FormatNumber(result.at(r, j)));
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

nlohmann::json ResultJson(const TokenRows& result, const ResultDescription& about) {
  nlohmann::json matrix = nlohmann::json::array();
  for (size_t r = 0; r < result.rows.size(); ++r) {
    const auto begin = result.values.begin() + static_cast<std::ptrdiff_t>(r * result.tokens);
    matrix.push_back(std::vector<double>(begin, begin + result.tokens));
  }
  // The schemas of docs/analyses.md: rollout's "rows" is a list or null; flow names its rows only
  // when --rows chose them.
  nlohmann::json object = {{about.key, std::move(matrix)}};
  if (!about.all_rows) {
    object["rows"] = result.rows;
  } else if (about.key == "rollout") {
    object["rows"] = nullptr;
  }
  return object;
}

// "induction · rollout · layers 0–1", in the model's layer numbering; "max of heads" when the
// heads are not averaged.
std::string DefaultTitle(const Dump& dump, const ResultDescription& about) {
  const int64_t first = ModelLayer(dump, about.graph.first_layer);
  const int64_t last = ModelLayer(dump, about.graph.last_layer.value_or(about.graph.first_layer));
  std::string title =
      ModelName(dump) + " · " + about.what + " · " +
      (first == last ? "layer " + std::to_string(first)
                     : "layers " + std::to_string(first) + "–" + std::to_string(last));
  if (about.graph.fuse == HeadFuse::kMax) title += " · max of heads";
  if (about.graph.fuse == HeadFuse::kMin) title += " · min of heads";
  return title;
}

HeatmapSpec ResultSpec(const Dump& dump, const TokenRows& result, const ResultDescription& about,
                       const TokenRowsOutput& output) {
  HeatmapSpec spec;
  spec.matrix.rows = static_cast<int64_t>(result.rows.size());
  spec.matrix.cols = result.tokens;
  spec.matrix.values.assign(result.values.begin(), result.values.end());
  // A causal model's rollout keeps its triangle: hatched, as heatmap hatches a head's.
  if (dump.attention.queries() == dump.attention.keys()) {
    spec.matrix.masked = DetectCausalRows(spec.matrix, result.rows);
  }
  // Kept padding (--keep-padding): padded output rows and input columns, as heatmap masks them.
  WholeHeads(dump).MaskPaddingOfRows(spec.matrix, result.rows);
  for (int64_t row : result.rows) {
    if (dump.query_tokens) {
      spec.row_labels.push_back((*dump.query_tokens)[row]);
    } else if (!about.all_rows) {
      spec.row_labels.push_back(std::to_string(row));
    }
  }
  if (dump.key_tokens) spec.col_labels = *dump.key_tokens;
  spec.title = output.title.empty() ? DefaultTitle(dump, about) : output.title;
  // A title beside a strip of a few rows would stand out above and below it.
  spec.row_axis_title = result.rows.size() >= 6 ? "output token" : "";
  spec.col_axis_title = "input token";
  const ScaleRequest request = output.color.Request();
  spec.colormap = request.colormap;
  spec.norm = request.norm;
  spec.vmin = request.vmin;
  spec.vmax = request.vmax;
  return spec;
}

// The one row that --draw highlight or overlay shows; a usage Error names the flag otherwise.
std::vector<float> OnlyRow(const Dump& dump, const TokenRows& result, const std::string& draw) {
  if (result.rows.size() != 1) {
    ThrowUsageError(dump.metadata.path + ": --draw " + draw +
                    " shows one output token: give it with --rows, e.g. --rows 0 (found " +
                    std::to_string(result.rows.size()) + " rows)");
  }
  return {result.values.begin(), result.values.begin() + result.tokens};
}

// "induction · rollout · layers 0–1 · token 40 “B”": the title of one row.
std::string RowTitle(const Dump& dump, const TokenRows& result, const ResultDescription& about) {
  const int64_t row = result.rows[0];
  std::string title = DefaultTitle(dump, about) + " · token " + std::to_string(row);
  if (dump.query_tokens) title += " “" + CleanSubwordMarkers((*dump.query_tokens)[row]) + "”";
  return title;
}

std::string DrawHighlight(const Dump& dump, const TokenRows& result, const ResultDescription& about,
                          const TokenRowsOutput& output) {
  HighlightSpec spec;
  spec.weights = OnlyRow(dump, result, "highlight");
  for (int64_t key = 0; key < result.tokens; ++key) {
    spec.tokens.push_back(dump.key_tokens ? (*dump.key_tokens)[key] : std::to_string(key));
  }
  // The row's own token is outlined when queries and keys are the same tokens.
  if (dump.attention.queries() == dump.attention.keys()) spec.marked = result.rows[0];
  spec.title = output.title.empty() ? RowTitle(dump, result, about) : output.title;
  spec.scale_title = about.key;
  spec.scale = output.color.Request();
  if (output.color.cmap.empty() && spec.scale.norm.kind != NormKind::kCentered) {
    spec.scale.colormap = "Reds";  // near white where nothing flows: reads as plain text
  }
  return RenderHighlight(spec, output.figure.Format(), output.figure.Render());
}

std::string DrawOverlay(const Dump& dump, const TokenRows& result, const ResultDescription& about,
                        const TokenRowsOutput& output) {
  const PatchGrid grid = ParsePatchGrid(output.grid);
  CheckPatchGrid(dump, grid, output.drop_cls);
  std::vector<float> row = OnlyRow(dump, result, "overlay");
  RgbaImage image = ReadImage(output.image);
  OverlaySpec spec;
  spec.picture = {image.width, image.height, std::move(image.rgba)};
  spec.grid_rows = grid.rows;
  spec.grid_cols = grid.cols;
  spec.patches.assign(row.begin() + (output.drop_cls ? 1 : 0), row.end());
  spec.title = output.title.empty() ? RowTitle(dump, result, about) : output.title;
  spec.scale = output.color.Request();
  spec.alpha = output.alpha;
  spec.fit = ParseImageFit(output.image_fit);
  return RenderOverlay(spec, output.figure.Format(), output.figure.Render());
}

}  // namespace

void LayerGraphFlags::AddTo(CLI::App& command) {
  command.add_option("--fuse", fuse, "how a layer's heads combine: mean (default), max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
  CLI::Option* weight =
      command
          .add_option("--residual-weight", residual_weight,
                      "A = a·F + (1-a)·I with rows renormalised (default: (F + I) renormalised, "
                      "the same as 0.5)")
          ->check(NumberFrom(0, 1));
  command
      .add_flag("--no-residual", no_residual,
                "the fused heads as they are: no identity added, no renormalisation")
      ->excludes(weight);
  command
      .add_option("--discard", discard,
                  "before the residual, zero the floor(R·n²) smallest entries of each fused layer, "
                  "never [0, 0] (vit-explain's discard_ratio; default 0)")
      ->check(NumberFrom(0, 1));
  command.add_option("--start-layer", start_layer,
                     "lowest layer taken, numbered as --layer (default: the first)");
  command.add_option("--end-layer", end_layer,
                     "highest layer taken, inclusive (default: the last)");
  command
      .add_option("--rows", rows, "only these output tokens, e.g. 0 or 3,7 (default: every row)")
      ->delimiter(',');
}

LayerGraphOptions LayerGraphFlags::Resolve(const Dump& dump) const {
  const int64_t layers = dump.attention.layers();
  // Layers in the model's numbers, as --layer takes them (docs/formats.md).
  auto index = [&](const char* option, int64_t number) {
    return ParseLayers(std::to_string(number), dump, option)[0];
  };
  LayerGraphOptions options;
  options.first_layer = start_layer ? index("--start-layer", *start_layer) : 0;
  options.last_layer = end_layer ? index("--end-layer", *end_layer) : layers - 1;
  if (options.first_layer > *options.last_layer) {
    ThrowUsageError(dump.metadata.path + ": --start-layer " + std::to_string(*start_layer) +
                    " is above --end-layer " + std::to_string(*end_layer));
  }
  if (discard >= 1) ThrowUsageError("--discard: expected a ratio in [0, 1), found 1");
  for (int64_t row : rows) CheckInRange(dump, "--rows", row, dump.attention.queries(), "token");
  options.fuse = ParseFuse(fuse);
  options.discard = discard;
  options.residual = !no_residual;
  if (residual_weight) {
    options.attention_weight = *residual_weight;
    options.identity_weight = 1 - *residual_weight;
  }
  return options;
}

void TokenRowsOutput::AddTo(CLI::App& command) {
  CLI::Option* json_flag =
      command.add_flag("--json", json, "print one JSON object instead of the table");
  command.add_flag("--csv", csv, "print the table as CSV")->excludes(json_flag);
  figure.AddTo(command, /*output_required=*/false);
  command.get_option("--output")
      ->description("draw the rows computed as a heatmap: .png, .svg or .pdf");
  color.AddTo(command);
  command.add_option("--title", title, "figure title (default: model, analysis, layers)");
  command
      .add_option("--draw", draw,
                  "with -o: heatmap (default) of the rows, or one row (--rows I) as a highlight "
                  "of the tokens or an overlay on --image")
      ->check(CLI::IsMember({"heatmap", "highlight", "overlay"}));
  command.add_option("--image", image,
                     "--draw overlay: the picture the model saw, a PNG or JPEG file");
  AddImageFitOption(command, image_fit);
  command.add_option("--grid", grid, "--draw overlay: patches down x across, e.g. 14x14");
  command.add_flag("--drop-cls", drop_cls,
                   "--draw overlay: the first token is the CLS token, not a patch");
  command.add_option("--alpha", alpha, "--draw overlay: the colormap's share of each pixel")
      ->check(NumberFrom(0, 1));
}

void TokenRowsOutput::CheckOutput(const std::string& input) const {
  const bool overlay = draw == "overlay";
  if (overlay && (image.empty() || grid.empty())) {
    ThrowUsageError("--draw overlay: needs --image IMG.png and --grid ROWSxCOLS");
  }
  if (!overlay && (!image.empty() || !grid.empty() || drop_cls)) {
    ThrowUsageError("--image, --grid and --drop-cls go with --draw overlay");
  }
  if (!draw.empty() && figure.output.empty()) {
    ThrowUsageError("--draw " + draw + ": needs -o OUT, the file to draw into");
  }
  if (figure.output.empty()) return;
  if (overlay) CheckNotInput(figure.output, image);
  figure.Format();
  figure.Render();
  color.Request();
  CheckNotInput(figure.output, input);
}

void TokenRowsOutput::Write(const Dump& dump, const TokenRows& result,
                            const ResultDescription& about) const {
  const bool drawing = !figure.output.empty();
  if (json) {
    std::cout << ResultJson(result, about).dump() << "\n";
  } else if (csv) {
    ResultTable(dump, result, /*readable=*/false).PrintCsv(std::cout);
  } else if (!drawing) {
    ResultTable(dump, result, /*readable=*/true).PrintText(std::cout);
  }
  if (!drawing) return;
  const std::string bytes =
      draw == "highlight" ? DrawHighlight(dump, result, about, *this)
      : draw == "overlay"
          ? DrawOverlay(dump, result, about, *this)
          : RenderHeatmap(ResultSpec(dump, result, about, *this), figure.Format(), figure.Render());
  WriteFileAtomically(figure.output, bytes);
}

}  // namespace attnviz::cli
