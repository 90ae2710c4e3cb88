// Placeholder until the command lands: registers nothing.
#include "cli/commands.h"

namespace attnviz::cli {

void AddOverlayCommand(CLI::App&, int&) {}

}  // namespace attnviz::cli
