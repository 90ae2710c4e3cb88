// Placeholder until the command lands: registers nothing.
#include "cli/commands.h"

namespace attnviz::cli {

void AddClassifyCommand(CLI::App&, int&) {}

}  // namespace attnviz::cli
