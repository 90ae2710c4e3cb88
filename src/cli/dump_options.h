// The options every command that reads a dump shares: --key, --axes, --batch, the tokens, the
// padding and --softmax.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/io/load.h"

namespace attnviz::cli {

struct DumpOptions {
  std::string input;                // the file Load() reads
  std::vector<std::string> inputs;  // every FILE argument, for commands that take several
  std::string key;
  std::string axes;
  int64_t batch = 0;
  std::string tokens;
  std::string query_tokens;
  std::string key_tokens;
  bool no_tokens = false;
  bool keep_padding = false;
  std::string pad_token;
  bool softmax = false;

  // Adds the positional FILE (several with `several_files`: files and glob patterns), the
  // loading options, and --quiet and --progress to `command`.
  void AddTo(CLI::App& command, bool several_files = false);

  // --no-tokens, --keep-padding, --pad-token and --softmax (AddTo adds them too).
  void AddPaddingOptions(CLI::App& command);

  // The input files, patterns expanded, sorted, each once (see ExpandInputs).
  std::vector<std::string> Files() const;

  // These options reading `file`.
  DumpOptions For(const std::string& file) const;

  // Loads the dump these options describe.
  Dump Load() const;
};

// Checks a --layer / --head index against the dump; a usage Error names the range.
void CheckIndex(const Dump& dump, const char* option, int64_t value, int64_t count);

}  // namespace attnviz::cli
