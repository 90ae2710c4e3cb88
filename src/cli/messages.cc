// Notes go to stderr only on a terminal: success is silent in CI logs and Makefiles.
#include "cli/messages.h"

#include <iostream>

#include "cli/progress.h"

namespace attnviz::cli {

void PrintNotes(const Dump& dump) {
  if (!NotesWanted()) return;
  for (const std::string& note : dump.notes) std::cerr << "note: " << note << "\n";
}

}  // namespace attnviz::cli
