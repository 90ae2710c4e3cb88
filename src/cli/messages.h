// What the cli tells the user besides results: notes on stderr, quiet off a terminal.
#pragma once

#include "attnviz/io/dump.h"

namespace attnviz::cli {

// Prints the dump's notes ("batch has 4 items ...") to stderr when stderr is a terminal.
void PrintNotes(const Dump& dump);

}  // namespace attnviz::cli
