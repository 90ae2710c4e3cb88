// The nearest of a few known names to one a user mistyped ("heatmp": did you mean heatmap?).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz::cli {

// Edits (insertions, deletions, substitutions, swaps of two neighbours) that turn `a` into `b`.
size_t EditDistance(std::string_view a, std::string_view b);

// The name in `names` closest to `typed`, when close enough to be what was meant: at most
// max(1, |typed| / 3) edits away (ties go to the first listed), or else the shortest name that
// starts with `typed`. Nothing for `typed` shorter than 3 characters. "heatmp" -> heatmap,
// "--layr" -> --layer, "--out" -> --output; "xyz" -> nothing.
std::optional<std::string> NearestName(std::string_view typed,
                                       const std::vector<std::string>& names);

}  // namespace attnviz::cli
