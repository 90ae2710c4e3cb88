// How commands over many inputs (positional, sinks) number layers and heads: as the first input
// that loads does, in the model's numbers when it states them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attnviz/io/dump.h"

namespace attnviz::cli {

struct SeriesNumbering {
  bool known = false;
  int64_t layer_offset = 0;
  int64_t head_offset = 0;

  // Takes the numbering of `dump` when none is known yet.
  void Take(const Dump& dump);

  // Gives per-head results (structs with `layer` and `head`, dump indexes) the model's numbers.
  template <typename PerHead>
  void Renumber(std::vector<PerHead>& rows) const {
    for (PerHead& row : rows) {
      row.layer += layer_offset;
      row.head += head_offset;
    }
  }
};

// "L0", "L1", ... (`prefix` then offset, offset + 1, ...): axis labels of layers x heads maps.
std::vector<std::string> IndexLabels(const char* prefix, int64_t count, int64_t offset);

}  // namespace attnviz::cli
