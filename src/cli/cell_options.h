// The options that say which cells a figure shows and how they are coloured: --queries --keys
// --mask --row-normalize --pool, and --cmap --norm --vmin --vmax.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/io/dump.h"
#include "attnviz/render/cell_raster.h"
#include "attnviz/render/color_scale.h"
#include "attnviz/render/matrix.h"

namespace attnviz::cli {

// How each head becomes the matrix a figure draws: masked (on the whole head, where the causal
// diagonal and padding are), then cropped, then renormalised when asked.
struct CellSelection {
  IndexRange queries;
  IndexRange keys;
  MaskMode mask = MaskMode::kDetect;
  bool row_normalize = false;
  // The real positions of a dump whose padding is kept (--keep-padding): the rest is masked
  // unless --mask none. Empty ranges: nothing known.
  IndexRange real_queries{};
  IndexRange real_keys{};

  // The whole head with its mask, before cropping.
  Matrix ReadMasked(const AttentionTensor& tensor, int64_t layer, int64_t head) const;
  // Masks the cells outside the real positions, when the padding is kept.
  void MaskPadding(Matrix& matrix) const;
  // The same for a matrix whose row i is query `rows[i]` over every key (rollout rows).
  void MaskPaddingOfRows(Matrix& matrix, const std::vector<int64_t>& rows) const;
  // A masked head (or a fusion of them) cropped and, when asked, renormalised.
  Matrix Shown(Matrix masked) const;
  // The tokens of a whole axis cropped like the matrix; empty when there are none.
  std::vector<std::string> QueryTokens(const Dump& dump, bool clean) const;
  std::vector<std::string> KeyTokens(const Dump& dump, bool clean) const;
};

// Whole heads masked as `heatmap --mask auto` masks them: the causal triangle and padded rows or
// columns the zeros show, and the positions outside a kept padding's real ones. Figures that draw
// what is computed from heads (diff, attribute) mask their cells alike.
CellSelection WholeHeads(const Dump& dump);

struct CellOptions {
  std::string queries;
  std::string keys;
  std::string mask = "auto";
  bool row_normalize = false;
  std::string pool = "max";

  void AddTo(CLI::App& command);
  // Resolves the ranges against the dump (usage Errors name the option).
  CellSelection Resolve(const Dump& dump) const;
  Pooling Pool() const;
};

struct ColorOptions {
  std::string cmap;  // empty: viridis, or RdBu_r for --norm centered
  std::string norm = "linear";
  std::optional<double> vmin;
  std::optional<double> vmax;

  void AddTo(CLI::App& command);
  // Throws a usage Error for a malformed --norm.
  ScaleRequest Request() const;
};

// "linear", "log", "power:GAMMA" (e.g. power:0.5) or "centered".
Norm ParseNorm(std::string_view text);

}  // namespace attnviz::cli
