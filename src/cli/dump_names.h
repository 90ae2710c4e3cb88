// How figures and outputs name a dump, its model and its layers and heads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attnviz/io/dump.h"
#include "attnviz/render/matrix.h"

namespace attnviz::cli {

// The file name without folder and extension ("stdin" for -): the {stem} of output templates.
std::string Stem(const std::string& path);
std::string Stem(const Dump& dump);

// The model the dump names, else its stem: the first words of default titles.
std::string ModelName(const Dump& dump);

// 0-based positions in the dump as the model numbers them (layer and head offsets).
std::vector<int64_t> Shifted(const std::vector<int64_t>& positions, int64_t offset);

// --fuse mean|max|min, or none when the flag was not given.
std::optional<Fusion> ParseFusion(const std::string& name);

}  // namespace attnviz::cli
