// The parts positional and sinks share.
#include "cli/series_command.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnviz/error.h"
#include "cli/dump_names.h"
#include "cli/output_path.h"
#include "cli/table.h"

namespace attnviz::cli {

void SeriesNumbering::Take(const Dump& dump) {
  if (known) return;
  known = true;
  layer_offset = LayerOffset(dump);
  head_offset = HeadOffset(dump);
  if (!layer_text.empty()) kept_layers = ParseLayers(layer_text, dump, "--layer");
  if (!head_text.empty()) kept_heads = ParseHeads(head_text, dump, "--head");
}

bool SeriesNumbering::Keeps(const std::vector<int64_t>& chosen, int64_t index) {
  return chosen.empty() || std::find(chosen.begin(), chosen.end(), index) != chosen.end();
}

std::vector<std::string> IndexLabels(const char* prefix, int64_t count, int64_t offset) {
  std::vector<std::string> labels;
  for (int64_t i = 0; i < count; ++i) labels.push_back(prefix + std::to_string(i + offset));
  return labels;
}

std::string SeriesCell(double value, bool csv) {
  if (std::isnan(value)) return csv ? "" : "-";
  if (csv) return FormatNumber(value);
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

std::string InputCount(int64_t inputs) {
  return std::to_string(inputs) + (inputs == 1 ? " input" : " inputs");
}

std::optional<ImageFormat> CheckSeriesOutputs(bool json, bool csv, const FigureOptions& figure,
                                              const DumpOptions& dump) {
  if (json && csv) ThrowUsageError("--json and --csv: expected one of them");
  if ((json || csv) && figure.output == "-") {
    ThrowUsageError("--json and --csv print to standard output: expected -o to name a file");
  }
  if (figure.output.empty()) return std::nullopt;
  const ImageFormat format = figure.Format();
  for (const std::string& input : dump.Files()) CheckNotInput(figure.output, input);
  return format;
}

}  // namespace attnviz::cli
