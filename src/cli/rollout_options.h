// What `rollout` and `flow` share: how each layer becomes Â_l, which rows, and how a result
// matrix is printed or drawn.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/analysis/rollout.h"
#include "attnviz/error.h"
#include "attnviz/io/dump.h"
#include "cli/cell_options.h"
#include "cli/figure_options.h"

namespace attnviz::cli {

// --fuse --residual-weight --no-residual --discard --start-layer --end-layer --rows
struct LayerGraphFlags {
  std::string fuse = "mean";
  std::optional<double> residual_weight;
  bool no_residual = false;
  double discard = 0;
  std::optional<int64_t> start_layer;
  std::optional<int64_t> end_layer;
  std::vector<int64_t> rows;

  void AddTo(CLI::App& command);
  // The options for `dump`, layers and rows checked against it (usage Errors name the flag).
  LayerGraphOptions Resolve(const Dump& dump) const;
};

// What a result matrix is, for its JSON key, its title and its rows.
struct ResultDescription {
  std::string key;   // "rollout", "flow"
  std::string what;  // "rollout", "attention flow": the title names it
  LayerGraphOptions graph;
  bool all_rows = true;  // no --rows: JSON "rows" is null
};

// The result of `rollout` or `flow` on stdout (a table, --csv or --json) and, with -o, drawn:
// a heatmap of the rows computed, or one row as a highlight of the tokens or as an overlay on
// the picture a vision transformer saw.
struct TokenRowsOutput {
  bool json = false;
  bool csv = false;
  FigureOptions figure;
  ColorOptions color;
  std::string title;
  std::string draw;   // "heatmap", "highlight", "overlay"; empty: heatmap
  std::string image;  // --draw overlay: the picture, and how its patches lie
  std::string image_fit = "crop";
  std::string grid;
  bool drop_cls = false;
  double alpha = 0.5;

  void AddTo(CLI::App& command);
  // Checks -o before any work is done.
  void CheckOutput(const std::string& input) const;
  // Prints (unless -o was given without --json or --csv) and draws (with -o).
  void Write(const Dump& dump, const TokenRows& result, const ResultDescription& about) const;
};

// Runs `compute`, turning an input Error of the analysis into one that names the dump.
template <typename Compute>
auto NamingDump(const Dump& dump, Compute compute) {
  try {
    return compute();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kInput) throw;
    ThrowInputError(dump.metadata.path, error.what());
  }
}

}  // namespace attnviz::cli
