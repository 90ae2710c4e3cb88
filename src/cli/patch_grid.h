// The --grid ROWSxCOLS of a vision transformer's patches, shared by overlay, rollout and flow.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "attnviz/io/dump.h"
#include "attnviz/render/overlay.h"

namespace attnviz::cli {

struct PatchGrid {
  int64_t rows = 0;
  int64_t cols = 0;
};

// "14x14", or "14" for a square. Throws a usage Error for anything else.
PatchGrid ParsePatchGrid(const std::string& text);

// The keys of `dump` must be the patches row by row, after the CLS key when `drop_cls`. Throws
// a usage Error that says how the counts differ and, when it would fit, suggests --drop-cls.
void CheckPatchGrid(const Dump& dump, const PatchGrid& grid, bool drop_cls);

// Adds --image-fit crop|pad|stretch (how the picture became the model's square input) to
// `command`, stored in `fit` ("crop" unless given).
void AddImageFitOption(CLI::App& command, std::string& fit);

// The ImageFit of an --image-fit value AddImageFitOption accepted.
ImageFit ParseImageFit(const std::string& fit);

}  // namespace attnviz::cli
