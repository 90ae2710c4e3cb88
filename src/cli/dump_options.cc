// Shared input options and their translation into LoadOptions.
#include "cli/dump_options.h"

#include <charconv>
#include <sstream>

#include "attnviz/error.h"
#include "cli/batch.h"
#include "cli/progress.h"

namespace attnviz::cli {

namespace {

std::vector<Axis> ParseAxesOption(const std::string& text) {
  std::vector<Axis> axes;
  std::stringstream stream(text);
  for (std::string name; std::getline(stream, name, ',');) {
    const std::optional<Axis> axis = ParseAxis(name);
    if (!axis) {
      ThrowUsageError("--axes: expected names from layer, batch, head, query, key, found '" + name +
                      "'");
    }
    axes.push_back(*axis);
  }
  return axes;
}

std::optional<std::string> NonEmpty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

void DumpOptions::AddTo(CLI::App& command, bool several_files) {
  if (several_files) {
    command
        .add_option("FILE", inputs,
                    "attention dumps: .npy .npz .json .safetensors, or - for stdin; several files "
                    "and quoted glob patterns such as 'dumps/*.npy' make a batch")
        ->required();
  } else {
    command
        .add_option("FILE", input, "attention dump: .npy .npz .json .safetensors, or - for stdin")
        ->required();
  }
  // After the command's own options in --help, which stay in CLI11's default group.
  command.option_defaults()->group("Dump options");
  command.add_option("--key", key,
                     "what to read from a file of several: npz member, safetensors tensor, .pt or "
                     "JSON key");
  command.add_option("--axes", axes,
                     "names of the stored dimensions in order, e.g. head,layer,query,key");
  command
      .add_option("--batch", batch,
                  several_files ? "batch item to read (default 0), or all: every item in turn"
                                : "batch item to read (default 0)")
      ->type_name(several_files ? "N|all" : "N");
  command.add_option("--tokens", tokens,
                     "tokens for queries and keys: one per line, or a JSON list");
  command.add_option("--query-tokens", query_tokens, "tokens for the queries only");
  command.add_option("--key-tokens", key_tokens, "tokens for the keys only");
  AddPaddingOptions(command);
  AddTerminalOptions(command);
  command.option_defaults()->group("Options");
}

void DumpOptions::AddPaddingOptions(CLI::App& command) {
  command.add_flag("--no-tokens", no_tokens,
                   "ignore the tokens inside the dump and a STEM.tokens.txt/.json beside it");
  command.add_flag("--keep-padding", keep_padding,
                   "show padded positions too (default: only the real tokens, padding known from "
                   "an attention_mask, pad tokens or all-zero key columns)");
  command.add_option("--pad-token", pad_token,
                     "the padding token (default [PAD], <pad> and <|pad|>)");
  command.add_flag("--softmax", softmax,
                   "the dump holds pre-softmax scores: read softmax(scores) along the keys "
                   "(masks of -inf or <= -1e30 give 0)");
}

std::vector<std::string> DumpOptions::Files() const {
  return ExpandInputs(inputs.empty() ? std::vector<std::string>{input} : inputs);
}

DumpOptions DumpOptions::For(const std::string& file) const {
  DumpOptions options = *this;
  options.input = file;
  options.inputs = {file};
  return options;
}

int64_t ParseBatchItem(const std::string& text) {
  if (text.empty()) return 0;
  int64_t item = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), item);
  if (error != std::errc() || end != text.data() + text.size() || item < 0) {
    ThrowUsageError("--batch: expected a batch item number such as 0" +
                    std::string(text == "all" ? " (this command reads one item)" : " or all") +
                    ", found '" + text + "'");
  }
  return item;
}

Dump DumpOptions::Load() const { return LoadItem(ParseBatchItem(batch)); }

Dump DumpOptions::LoadItem(int64_t item) const {
  LoadOptions options;
  options.key = NonEmpty(key);
  if (!axes.empty()) options.axes = ParseAxesOption(axes);
  options.batch = item;
  options.tokens_path = NonEmpty(tokens);
  options.query_tokens_path = NonEmpty(query_tokens);
  options.key_tokens_path = NonEmpty(key_tokens);
  options.no_tokens = no_tokens;
  options.keep_padding = keep_padding;
  if (!pad_token.empty()) options.pad_tokens = {pad_token};
  options.softmax = softmax;
  return LoadDump(input, options);
}

void CheckIndex(const Dump& dump, const char* option, int64_t value, int64_t count) {
  if (value >= 0 && value < count) return;
  const std::string noun = std::string(option).substr(2);
  ThrowUsageError(dump.metadata.path + ": " + option + " " + std::to_string(value) +
                  " is out of range: the dump has " + std::to_string(count) + " " + noun +
                  (count == 1 ? " (0)" : "s (0.." + std::to_string(count - 1) + ")"));
}

}  // namespace attnviz::cli
