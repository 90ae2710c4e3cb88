// How figures and outputs name a dump, its model and its layers and heads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/io/dump.h"
#include "attnviz/render/matrix.h"
#include "cli/selection.h"

namespace attnviz::cli {

// The file name without folder and extension ("stdin" for -): the {stem} of output templates.
std::string Stem(const std::string& path);
std::string Stem(const Dump& dump);

// The model the dump names, else its stem: the first words of default titles.
std::string ModelName(const Dump& dump);

// 0-based positions in the dump as the model numbers them (layer and head offsets).
std::vector<int64_t> Shifted(const std::vector<int64_t>& positions, int64_t offset);

// The model's numbering of a dump (docs/formats.md "Layer and head numbers"): when the file says
// which layers and heads it holds, their numbers in the model; else the dump's own indexes.
int64_t LayerOffset(const Dump& dump);
int64_t HeadOffset(const Dump& dump);
int64_t ModelLayer(const Dump& dump, int64_t layer);  // `layer`: an index in the dump
int64_t ModelHead(const Dump& dump, int64_t head);

// Whether titles name the layer (the head): the dump has that axis, or says which it holds. A 2-D
// matrix with nothing said is no "layer 0 · head 0".
bool TitlesLayer(const Dump& dump);
bool TitlesHead(const Dump& dump);

// "L11H0": a head in tables, messages and axis labels.
std::string HeadLabel(const Dump& dump, int64_t layer, int64_t head);

// The layers (heads) `text` selects, as indexes in the dump: ParseSelection in the model's
// numbers, `option` ("--layer") naming the option in errors.
std::vector<int64_t> ParseLayers(std::string_view text, const Dump& dump,
                                 const std::string& option);
std::vector<int64_t> ParseHeads(std::string_view text, const Dump& dump, const std::string& option);

// "finbert · layer 11 · head 0" without the parts TitlesLayer/TitlesHead leave out: the title of
// the heads selected by (dump indexes) `layers` x `heads`; `head_prefix` ("mean of ") goes before
// the head part.
std::string HeadsTitle(const Dump& dump, const std::vector<int64_t>& layers,
                       const std::vector<int64_t>& heads, const std::string& head_prefix = "");
// The same without the model: " · layer 11 · head 0", or "" for a bare matrix.
std::string HeadsPlace(const Dump& dump, const std::vector<int64_t>& layers,
                       const std::vector<int64_t>& heads, const std::string& head_prefix = "");

// Keeps the per-head results (structs with `layer` and `head`, indexes in the dump) that
// `layers` and `heads` (--layer and --head as written; empty: all) select, and gives them the
// model's numbers: what classify, stats and cluster print.
template <typename PerHead>
void SelectHeads(const Dump& dump, const std::string& layers, const std::string& heads,
                 std::vector<PerHead>& rows) {
  const std::vector<int64_t> kept_layers =
      layers.empty() ? std::vector<int64_t>{} : ParseLayers(layers, dump, "--layer");
  const std::vector<int64_t> kept_heads =
      heads.empty() ? std::vector<int64_t>{} : ParseHeads(heads, dump, "--head");
  auto kept = [](const std::vector<int64_t>& chosen, int64_t index) {
    return chosen.empty() || std::find(chosen.begin(), chosen.end(), index) != chosen.end();
  };
  std::erase_if(rows, [&](const PerHead& row) {
    return !kept(kept_layers, row.layer) || !kept(kept_heads, row.head);
  });
  for (PerHead& row : rows) {
    row.layer = ModelLayer(dump, row.layer);
    if (row.head >= 0) row.head = ModelHead(dump, row.head);
  }
}

// Adds --layer and --head (which heads an analysis reports) to `command`.
void AddHeadSelectionOptions(CLI::App& command, std::string& layers, std::string& heads);

// Adds --special TOKENS, comma-separated ('[SEP],[CLS]' names those tokens: brackets are not
// read as CLI11's list syntax), to `command`; `help` ends the option's help text.
void AddSpecialTokensOption(CLI::App& command, std::vector<std::string>& special,
                            const std::string& help = "");

// --fuse mean|max|min, or none when the flag was not given.
std::optional<Fusion> ParseFusion(const std::string& name);

// What --layer, --head and --fuse select for a figure of one head or of a fusion: by default the
// dump's first layer and its first head (every head when fusing), as indexes in the dump.
struct FigureHeads {
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  std::optional<Fusion> fusion;
};
// Throws a usage error naming the dump when several heads are selected without --fuse.
FigureHeads ChooseFigureHeads(const Dump& dump, const std::string& layers, const std::string& heads,
                              const std::string& fuse);

}  // namespace attnviz::cli
