// Notes go to stderr only on a terminal: success is silent in CI logs and Makefiles.
#include "cli/messages.h"

#include <unistd.h>

#include <iostream>

namespace attnviz::cli {

void PrintNotes(const Dump& dump) {
  if (!isatty(STDERR_FILENO)) return;
  for (const std::string& note : dump.notes) std::cerr << "note: " << note << "\n";
}

}  // namespace attnviz::cli
