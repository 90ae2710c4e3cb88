// Choosing layers, heads and positions on the command line: "3", "2:5", "0,4,8", "-1", "all".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attnviz/render/matrix.h"

namespace attnviz::cli {

// What a selection picks from, for its error messages: "--layer" over the 12 layers of attn.npy.
struct SelectionAxis {
  std::string option;  // "--layer"
  std::string noun;    // "layer"
  int64_t count = 0;   // positions 0..count-1 exist
  std::string path;    // the dump; may be empty
};

// The positions `text` names, in the order given, each once. Items are separated by commas:
// an index ("3"; negative counts from the end, "-1" is the last), a half-open range as in
// Python ("2:5" is 2, 3, 4; "4:" runs to the end, ":3" starts at 0), or "all". Throws a usage
// Error naming the option for anything else, an index or range end outside the axis, or an
// empty result.
//
// `first` is the number written for position 0: the model's number of the dump's first layer or
// head when the dump states it (docs/formats.md "Layer and head numbers"), so --layer 11 picks the
// one layer of a dump of layer 11. Negative indexes still count from the end.
std::vector<int64_t> ParseSelection(std::string_view text, const SelectionAxis& axis,
                                    int64_t first = 0);

// One contiguous range for a crop: "A:B" as above, or a single index A (the range A:A+1);
// empty text is the whole axis. Throws like ParseSelection, and for an empty range.
IndexRange ParseRange(std::string_view text, const SelectionAxis& axis);

// A short name for a selection in file names and titles: "3", "2-4", "0+4+8", "all".
std::string DescribeSelection(const std::vector<int64_t>& positions, int64_t count);

// The same for titles, in the model's numbering (positions + offset): "layer 3", "layers 0–3",
// "heads 0, 4, 8", "all layers".
std::string DescribeForTitle(const std::vector<int64_t>& positions, int64_t count, int64_t offset,
                             const std::string& noun);

}  // namespace attnviz::cli
