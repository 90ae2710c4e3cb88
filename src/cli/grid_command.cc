// Placeholder until the command lands: registers nothing.
#include "cli/commands.h"

namespace attnviz::cli {

void AddGridCommand(CLI::App&, int&) {}

}  // namespace attnviz::cli
