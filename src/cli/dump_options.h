// The options every command that reads a dump shares: --key, --axes, --batch and the tokens.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/io/load.h"

namespace attnviz::cli {

struct DumpOptions {
  std::string input;
  std::string key;
  std::string axes;
  int64_t batch = 0;
  std::string tokens;
  std::string query_tokens;
  std::string key_tokens;

  // Adds the positional FILE and the loading options to `command`.
  void AddTo(CLI::App& command);

  // Loads the dump these options describe.
  Dump Load() const;
};

// Checks a --layer / --head index against the dump; a usage Error names the range.
void CheckIndex(const Dump& dump, const char* option, int64_t value, int64_t count);

}  // namespace attnviz::cli
