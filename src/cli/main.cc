// attnviz: load attention dumps, analyse them, draw them. Maps every failure to its exit code.
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/load.h"
#include "cli/commands.h"
#include "cli/parse_errors.h"
#include "simd/dispatch.h"

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

// Every command, by the name it is invoked with.
struct Command {
  std::string_view name;
  void (*add)(CLI::App& app, int& exit_code);
};

namespace cli = attnviz::cli;
constexpr Command kCommands[] = {
    {"info", cli::AddInfoCommand},           {"heatmap", cli::AddHeatmapCommand},
    {"grid", cli::AddGridCommand},           {"arrows", cli::AddArrowsCommand},
    {"highlight", cli::AddHighlightCommand}, {"overlay", cli::AddOverlayCommand},
    {"colormaps", cli::AddColormapsCommand}, {"stats", cli::AddStatsCommand},
    {"classify", cli::AddClassifyCommand},   {"rollout", cli::AddRolloutCommand},
    {"flow", cli::AddFlowCommand},           {"cluster", cli::AddClusterCommand},
    {"attribute", cli::AddAttributeCommand}, {"diff", cli::AddDiffCommand},
    {"check", cli::AddCheckCommand},         {"report", cli::AddReportCommand},
    {"html", cli::AddHtmlCommand},           {"positional", cli::AddPositionalCommand},
    {"sinks", cli::AddSinksCommand},         {"align", cli::AddAlignCommand},
    {"speech", cli::AddSpeechCommand},       {"vlm", cli::AddVlmCommand},
    {"graph", cli::AddGraphCommand},         {"video", cli::AddVideoCommand},
};

// Registers the invoked command alone when the first argument names one, every command
// otherwise (for the command list of --help and the nearest name to a mistyped one).
// Registering all 24 with their options took 3 ms of every run's start-up.
void AddCommands(CLI::App& app, const std::vector<char*>& args, int& exit_code) {
  const std::string_view invoked = args.size() > 1 ? args[1] : "";
  const bool known = std::any_of(std::begin(kCommands), std::end(kCommands),
                                 [&](const Command& command) { return command.name == invoked; });
  for (const Command& command : kCommands) {
    if (!known || command.name == invoked) command.add(app, exit_code);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("attnviz: attention tensors from transformer models, analysed and drawn", "attnviz");
  app.set_version_flag("--version", [] {
    std::string cpu;
    for (const std::string& isa : attnviz::IsasOfThisCpu()) cpu += (cpu.empty() ? "" : " ") + isa;
    return std::string("attnviz ") + ATTNVIZ_VERSION +
           "\nvectorised kernels: " + attnviz::CurrentIsa() + " (this CPU: " + cpu +
           "; ATTNVIZ_ISA chooses)";
  });
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 a check failed, 2 usage, 3 bad input, 4 output not written.\n"
      "Run 'attnviz help COMMAND' (or 'attnviz COMMAND --help') for the options and an example "
      "of each command.");
  InstallSignalCleanup();
  int exit_code = 0;
  std::vector<char*> args = cli::WithHelpCommand(argc, argv);
  AddCommands(app, args, exit_code);
  try {
    attnviz::ApplyIsaFromEnvironment();  // ATTNVIZ_ISA: before any kernel runs
    cli::RequireKnownCommand(app, args);
    app.parse(static_cast<int>(args.size()), args.data());
    attnviz::ThrowIfInputShrank();  // results read from a file that shrank are no results
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ConversionError& e) {
    std::cerr << "attnviz: " << cli::ConversionMessage(app, e) << "\n";
    return kUsageExit;
  } catch (const CLI::ExtrasError& e) {
    std::cerr << "attnviz: " << cli::UnknownOptionMessage(app, e) << "\n";
    return kUsageExit;
  } catch (const CLI::ParseError& e) {
    std::cerr << "attnviz: " << cli::OneLine(e.what()) << " (see attnviz --help)\n";
    return kUsageExit;
  } catch (const attnviz::Error& e) {
    std::cerr << "attnviz: " << cli::OneLine(e.what()) << "\n";
    return ExitCodeFor(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "attnviz: out of memory\n";
    return kInputExit;
  }
  return exit_code;
}
