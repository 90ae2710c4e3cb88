// `attnviz flow FILE`: attention flow, the maximum flow through the layers, as numbers or a
// heatmap.
#include "attnviz/analysis/flow.h"
#include "cli/commands.h"
#include "cli/dump_options.h"
#include "cli/messages.h"
#include "cli/rollout_options.h"

namespace attnviz::cli {

namespace {

struct FlowCommandOptions {
  DumpOptions dump;
  LayerGraphFlags graph;
  TokenRowsOutput output;
  bool raw = false;
};

void RunFlow(const FlowCommandOptions& options) {
  options.output.CheckOutput(options.dump.input);
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  FlowOptions flow;
  flow.graph = options.graph.Resolve(dump);
  flow.rows = options.graph.rows;
  flow.raw = options.raw;
  flow.threads = ThreadCount(options.output.figure.jobs);
  const TokenRows result = NamingDump(dump, [&] { return AttentionFlow(dump.attention, flow); });
  options.output.Write(dump, result,
                       {"flow", "attention flow", flow.graph, options.graph.rows.empty()});
}

}  // namespace

void AddFlowCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<FlowCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "flow",
      "Attention flow (Abnar & Zuidema 2020): the maximum flow from each output token down to "
      "each input token through the layers, as a table, CSV, JSON or heatmap");
  options->dump.AddTo(*command);
  options->graph.AddTo(*command);
  command->add_flag("--raw", options->raw,
                    "the maximum flows as they are (default: each row divided by its sum)");
  options->output.AddTo(*command);
  command->get_option("--jobs")->description(
      "threads computing the maximum flows (default: every core); the result is the same");
  command->footer(
      "Examples:\n"
      "  attnviz flow data/induction.npy\n"
      "  attnviz flow data/induction.npy --rows 40 --raw --json | jq '.flow[0]'\n"
      "  attnviz flow attn.npy -j 2 --csv > flow.csv\n"
      "  attnviz flow finbert.json -o flow.pdf");
  command->callback([options, &exit_code] {
    RunFlow(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
