// The subcommands: each adds itself to the app and runs from its callback.
#pragma once

#include <CLI/CLI.hpp>

namespace attnviz::cli {

// Each Add*Command registers a subcommand whose callback does the work and sets `exit_code`
// (0, or 1 for a failed check). Library Errors propagate to main, which maps them to 2, 3 or 4.
void AddInfoCommand(CLI::App& app, int& exit_code);
void AddHeatmapCommand(CLI::App& app, int& exit_code);

}  // namespace attnviz::cli
