// CLI11's parse failures in attnviz's words: help as a command, the nearest name for a mistyped
// command or option, values quoted as typed.
#include "cli/parse_errors.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "attnviz/error.h"
#include "cli/suggestions.h"

namespace attnviz::cli {
namespace {

std::string DidYouMean(const std::string& typed, const std::vector<std::string>& names) {
  const std::optional<std::string> nearest = NearestName(typed, names);
  return nearest ? "; did you mean " + *nearest + "?" : " (see attnviz --help)";
}

std::vector<std::string> OptionNames(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

}  // namespace

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::vector<char*> WithHelpCommand(int argc, char** argv) {
  static char help_flag[] = "--help";
  std::vector<char*> args(argv, argv + argc);
  if (args.size() < 2 || std::string(args[1]) != "help") return args;
  if (args.size() == 2 || std::string(args[2]) == "help") return {args[0], help_flag};
  return {args[0], args[2], help_flag};
}

void RequireKnownCommand(const CLI::App& app, const std::vector<char*>& args) {
  if (args.size() < 2 || args[1][0] == '-') return;
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  const std::string typed = args[1];
  if (std::find(names.begin(), names.end(), typed) != names.end()) return;
  throw attnviz::Error(attnviz::ErrorKind::kUsage,
                       "unknown command '" + typed + "'" + DidYouMean(typed, names));
}

std::string UnknownOptionMessage(const CLI::App& app, const CLI::ParseError& error) {
  const std::vector<CLI::App*> commands = app.get_subcommands();
  const std::string as_cli11 = OneLine(error.what()) + " (see attnviz --help)";
  if (commands.empty()) return as_cli11;
  for (const std::string& extra : app.remaining(true)) {
    if (extra.size() < 2 || extra[0] != '-' || std::isdigit(static_cast<unsigned char>(extra[1])))
      continue;
    const std::string typed = extra.substr(0, extra.find('='));
    const std::string& command = commands[0]->get_name();
    const std::optional<std::string> nearest = NearestName(typed, OptionNames(*commands[0]));
    return command + ": unknown option '" + typed + "'" +
           (nearest ? "; did you mean " + *nearest + "?" : " (see attnviz help " + command + ")");
  }
  return as_cli11;
}

std::string ConversionMessage(const CLI::App& app, const CLI::ConversionError& error) {
  const std::string text = OneLine(error.what());
  const std::string prefix = "Could not convert: ";
  const size_t equals = text.find(" = ");
  const std::vector<CLI::App*> commands = app.get_subcommands();
  if (!text.starts_with(prefix) || equals == std::string::npos || commands.empty()) {
    return text + " (see attnviz --help)";
  }
  const std::string name = text.substr(prefix.size(), equals - prefix.size());
  const CLI::Option* option = commands[0]->get_option_no_throw(name);
  const std::string type = option ? option->get_type_name() : "";
  const std::string expected = type.starts_with("INT") || type.starts_with("UINT")
                                   ? "a whole number"
                               : type.starts_with("FLOAT") ? "a number"
                                                           : "";
  if (expected.empty()) return text + " (see attnviz --help)";
  return name + ": expected " + expected + ", found '" + text.substr(equals + 3) +
         "' (see attnviz --help)";
}

}  // namespace attnviz::cli
