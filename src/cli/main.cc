// attnviz: load attention dumps, analyse them, draw them. Maps every failure to its exit code.
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/analysis/blas_threads.h"
#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/load.h"
#include "cli/commands.h"
#include "cli/suggestions.h"

namespace {

// Exit codes, the same for every command (docs/cli.md).
constexpr int kUsageExit = 2;
constexpr int kInputExit = 3;
constexpr int kOutputExit = 4;

int ExitCodeFor(attnviz::ErrorKind kind) {
  switch (kind) {
    case attnviz::ErrorKind::kUsage:
      return kUsageExit;
    case attnviz::ErrorKind::kInput:
      return kInputExit;
    case attnviz::ErrorKind::kOutput:
      return kOutputExit;
  }
  return kInputExit;
}

// CLI11 messages can span lines; a user sees one.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// `attnviz help` is `attnviz --help`, `attnviz help COMMAND` is `attnviz COMMAND --help`.
std::vector<char*> WithHelpCommand(int argc, char** argv) {
  static char help_flag[] = "--help";
  std::vector<char*> args(argv, argv + argc);
  if (args.size() < 2 || std::string(args[1]) != "help") return args;
  if (args.size() == 2 || std::string(args[2]) == "help") return {args[0], help_flag};
  return {args[0], args[2], help_flag};
}

std::string DidYouMean(const std::string& typed, const std::vector<std::string>& names) {
  const std::optional<std::string> nearest = attnviz::cli::NearestName(typed, names);
  return nearest ? "; did you mean " + *nearest + "?" : " (see attnviz --help)";
}

// The command named first, when it is no command of `app`: a usage error naming the nearest.
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

std::vector<std::string> OptionNames(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

// CLI11's "The following argument was not expected: --layr" as the option a user meant.
std::string UnknownOptionMessage(const CLI::App& app, const CLI::ParseError& error) {
  const std::vector<CLI::App*> commands = app.get_subcommands();
  const std::string as_cli11 = OneLine(error.what()) + " (see attnviz --help)";
  if (commands.empty()) return as_cli11;
  for (const std::string& extra : app.remaining(true)) {
    if (extra.size() < 2 || extra[0] != '-' || std::isdigit(static_cast<unsigned char>(extra[1])))
      continue;
    const std::string typed = extra.substr(0, extra.find('='));
    const std::string& command = commands[0]->get_name();
    const std::optional<std::string> nearest =
        attnviz::cli::NearestName(typed, OptionNames(*commands[0]));
    return command + ": unknown option '" + typed + "'" +
           (nearest ? "; did you mean " + *nearest + "?" : " (see attnviz help " + command + ")");
  }
  return as_cli11;
}

// CLI11's "Could not convert: --vmax = abc" in attnviz's words, the value quoted as typed:
// "--vmax: expected a number, found 'abc'".
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

// Interrupted runs leave no temporary files: remove them, then die of the same signal.
void RemoveTemporariesAndReraise(int signal_number) {
  attnviz::RemoveTemporariesInFlight();
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

void InstallSignalCleanup() {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
    signal(signal_number, RemoveTemporariesAndReraise);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("attnviz: attention tensors from transformer models, analysed and drawn", "attnviz");
  app.set_version_flag("--version", std::string("attnviz ") + ATTNVIZ_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 a check failed, 2 usage, 3 bad input, 4 output not written.\n"
      "Run 'attnviz help COMMAND' (or 'attnviz COMMAND --help') for the options and an example "
      "of each command.");
  attnviz::StopIdleBlasThreads();
  InstallSignalCleanup();
  int exit_code = 0;
  namespace cli = attnviz::cli;
  for (auto add :
       {cli::AddInfoCommand, cli::AddHeatmapCommand, cli::AddGridCommand, cli::AddArrowsCommand,
        cli::AddHighlightCommand, cli::AddOverlayCommand, cli::AddColormapsCommand,
        cli::AddStatsCommand, cli::AddClassifyCommand, cli::AddRolloutCommand, cli::AddFlowCommand,
        cli::AddClusterCommand, cli::AddAttributeCommand, cli::AddDiffCommand, cli::AddCheckCommand,
        cli::AddReportCommand, cli::AddHtmlCommand}) {
    add(app, exit_code);
  }
  std::vector<char*> args = WithHelpCommand(argc, argv);
  try {
    RequireKnownCommand(app, args);
    app.parse(static_cast<int>(args.size()), args.data());
    attnviz::ThrowIfInputShrank();  // results read from a file that shrank are no results
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ConversionError& e) {
    std::cerr << "attnviz: " << ConversionMessage(app, e) << "\n";
    return kUsageExit;
  } catch (const CLI::ExtrasError& e) {
    std::cerr << "attnviz: " << UnknownOptionMessage(app, e) << "\n";
    return kUsageExit;
  } catch (const CLI::ParseError& e) {
    std::cerr << "attnviz: " << OneLine(e.what()) << " (see attnviz --help)\n";
    return kUsageExit;
  } catch (const attnviz::Error& e) {
    std::cerr << "attnviz: " << OneLine(e.what()) << "\n";
    return ExitCodeFor(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "attnviz: out of memory\n";
    return kInputExit;
  }
  return exit_code;
}
