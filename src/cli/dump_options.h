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
  std::string batch;  // --batch as typed: N, or all for every item; empty reads item 0
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

  // Whether --batch all asks for every batch item (see DumpSeries in cli/batch.h).
  bool EveryBatchItem() const { return batch == "all"; }

  // Loads the dump these options describe. A usage Error for --batch all: a command that
  // reads one dump reads one batch item.
  Dump Load() const;

  // Loads batch item `item` of the input, whatever --batch says.
  Dump LoadItem(int64_t item) const;
};

// The batch item --batch N names (0 when empty). A usage Error quoting the value as typed for
// anything but a number in range (and for "all", which only commands over batches take).
int64_t ParseBatchItem(const std::string& text);

// Checks a --layer / --head index against the dump; a usage Error names the range.
void CheckIndex(const Dump& dump, const char* option, int64_t value, int64_t count);

}  // namespace attnviz::cli
