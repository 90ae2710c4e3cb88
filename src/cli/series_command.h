// What the commands over many inputs (positional, sinks) share: numbering layers and heads as the
// first input does, table cells, and the checks of --json, --csv and -o.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/io/dump.h"
#include "attnviz/render/image_format.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"

namespace attnviz::cli {

// The numbering of the first input that loads (the model's numbers when it states them), and
// the heads --layer and --head keep, read in that numbering.
struct SeriesNumbering {
  std::string layer_text;  // --layer, --head as written; empty: all
  std::string head_text;
  bool known = false;
  int64_t layer_offset = 0;
  int64_t head_offset = 0;
  std::vector<int64_t> kept_layers;  // dump indexes; empty: all
  std::vector<int64_t> kept_heads;

  // Takes the numbering of `dump` and reads the selection when none is known yet: a usage Error
  // for a layer or head beyond it.
  void Take(const Dump& dump);

  // Gives per-head results (structs with `layer` and `head`, dump indexes) the model's numbers.
  template <typename PerHead>
  void Renumber(std::vector<PerHead>& rows) const {
    for (PerHead& row : rows) {
      row.layer += layer_offset;
      row.head += head_offset;
    }
  }

  // The rows (in the model's numbers) of the heads --layer and --head keep.
  template <typename PerHead>
  std::vector<PerHead> Selected(const std::vector<PerHead>& rows) const {
    std::vector<PerHead> kept;
    for (const PerHead& row : rows) {
      if (Keeps(kept_layers, row.layer - layer_offset) && Keeps(kept_heads, row.head - head_offset))
        kept.push_back(row);
    }
    return kept;
  }

 private:
  static bool Keeps(const std::vector<int64_t>& chosen, int64_t index);
};

// "L0", "L1", ... (`prefix` then offset, offset + 1, ...): axis labels of layers x heads figures.
std::vector<std::string> IndexLabels(const char* prefix, int64_t count, int64_t offset);

// A number in a table: three decimals in text, six significant digits in CSV; NaN (does not
// apply) is "-" in text and empty in CSV.
std::string SeriesCell(double value, bool csv);

// "40 inputs", "1 input".
std::string InputCount(int64_t inputs);

// The figure format of -o, or none without -o, after the usage checks: one of --json and --csv,
// neither with -o - (standard output holds the figure), and -o naming no input.
std::optional<ImageFormat> CheckSeriesOutputs(bool json, bool csv, const FigureOptions& figure,
                                              const DumpOptions& dump);

}  // namespace attnviz::cli
