// How figures and outputs name a dump, its model and its layers and heads.
#include "cli/dump_names.h"

#include <filesystem>

namespace attnviz::cli {

std::string Stem(const std::string& path) {
  return path == "-" ? "stdin" : std::filesystem::path(path).stem().string();
}

std::string Stem(const Dump& dump) { return Stem(dump.metadata.path); }

std::string ModelName(const Dump& dump) {
  return dump.metadata.model.empty() ? Stem(dump) : dump.metadata.model;
}

std::vector<int64_t> Shifted(const std::vector<int64_t>& positions, int64_t offset) {
  std::vector<int64_t> shifted;
  for (int64_t position : positions) shifted.push_back(position + offset);
  return shifted;
}

std::optional<Fusion> ParseFusion(const std::string& name) {
  if (name.empty()) return std::nullopt;
  return name == "max" ? Fusion::kMax : name == "min" ? Fusion::kMin : Fusion::kMean;
}

}  // namespace attnviz::cli
