// `attnviz rollout FILE`: attention rollout across layers, as numbers or a heatmap.
#include "attnviz/analysis/rollout.h"
#include "cli/commands.h"
#include "cli/dump_options.h"
#include "cli/messages.h"
#include "cli/rollout_options.h"

namespace attnviz::cli {

namespace {

struct RolloutCommandOptions {
  DumpOptions dump;
  LayerGraphFlags graph;
  TokenRowsOutput output;
};

void RunRollout(const RolloutCommandOptions& options) {
  options.output.CheckOutput(options.dump.input);
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  const LayerGraphOptions graph = options.graph.Resolve(dump);
  const TokenRows result =
      NamingDump(dump, [&] { return Rollout(dump.attention, graph, options.graph.rows); });
  options.output.Write(dump, result, {"rollout", "rollout", graph, options.graph.rows.empty()});
}

}  // namespace

void AddRolloutCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RolloutCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "rollout",
      "Attention rollout (Abnar & Zuidema 2020): the product of the layers' fused, "
      "residual-adjusted attention, as a table, CSV, JSON or heatmap");
  options->dump.AddTo(*command);
  options->graph.AddTo(*command);
  options->output.AddTo(*command);
  command->remove_option(command->get_option("--jobs"));  // OpenBLAS uses every core already
  command->footer(
      "Examples:\n"
      "  attnviz rollout data/induction.npy\n"
      "  attnviz rollout data/induction.npy --rows 40 --json | jq '.rollout[0]'\n"
      "  attnviz rollout vit.npy --fuse max --discard 0.9 --rows 0 --csv > cls.csv\n"
      "  attnviz rollout finbert.json --start-layer 6 -o rollout.pdf");
  command->callback([options, &exit_code] {
    RunRollout(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
