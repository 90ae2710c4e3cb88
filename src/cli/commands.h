// The subcommands: each adds itself to the app and runs from its callback.
#pragma once

#include <CLI/CLI.hpp>

namespace attnviz::cli {

// Each Add*Command registers a subcommand whose callback does the work and sets `exit_code`
// (0, or 1 for a failed check). Library Errors propagate to main, which maps them to 2, 3 or 4.
void AddInfoCommand(CLI::App& app, int& exit_code);
void AddHeatmapCommand(CLI::App& app, int& exit_code);
void AddGridCommand(CLI::App& app, int& exit_code);
void AddArrowsCommand(CLI::App& app, int& exit_code);
void AddHighlightCommand(CLI::App& app, int& exit_code);
void AddOverlayCommand(CLI::App& app, int& exit_code);
void AddColormapsCommand(CLI::App& app, int& exit_code);
void AddStatsCommand(CLI::App& app, int& exit_code);
void AddClassifyCommand(CLI::App& app, int& exit_code);
void AddRolloutCommand(CLI::App& app, int& exit_code);
void AddFlowCommand(CLI::App& app, int& exit_code);
void AddClusterCommand(CLI::App& app, int& exit_code);
void AddAttributeCommand(CLI::App& app, int& exit_code);
void AddDiffCommand(CLI::App& app, int& exit_code);
void AddCheckCommand(CLI::App& app, int& exit_code);
void AddReportCommand(CLI::App& app, int& exit_code);
void AddHtmlCommand(CLI::App& app, int& exit_code);
void AddPositionalCommand(CLI::App& app, int& exit_code);
void AddSinksCommand(CLI::App& app, int& exit_code);
void AddSpeechCommand(CLI::App& app, int& exit_code);
void AddAlignCommand(CLI::App& app, int& exit_code);

}  // namespace attnviz::cli
