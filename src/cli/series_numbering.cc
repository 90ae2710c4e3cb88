// The numbering of a series of inputs: the first input's.
#include "cli/series_numbering.h"

#include "cli/dump_names.h"

namespace attnviz::cli {

void SeriesNumbering::Take(const Dump& dump) {
  if (known) return;
  known = true;
  layer_offset = LayerOffset(dump);
  head_offset = HeadOffset(dump);
}

std::vector<std::string> IndexLabels(const char* prefix, int64_t count, int64_t offset) {
  std::vector<std::string> labels;
  for (int64_t i = 0; i < count; ++i) labels.push_back(prefix + std::to_string(i + offset));
  return labels;
}

}  // namespace attnviz::cli
