// `attnviz html FILE -o view.html`: the interactive explorer, one self-contained offline page.
#include <filesystem>
#include <iostream>
#include <memory>

#include "attnviz/analysis/classify.h"
#include "attnviz/analysis/flow.h"
#include "attnviz/analysis/head_stats.h"
#include "attnviz/analysis/rollout.h"
#include "attnviz/error.h"
#include "attnviz/html/page.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/token_text.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_path.h"
#include "cli/progress.h"
#include "cli/rollout_options.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct HtmlOptions {
  DumpOptions dump;
  std::string output;
  std::string layers = "all";
  std::string heads = "all";
  html::PageOptions page;
  bool rollout = false;
  bool flow = false;
  bool clean_tokens = false;
  std::string title;
  int jobs = 0;
};

// An output that is a file must end in .html or .htm; "-" and devices (/dev/stdout) are written
// as they are.
void CheckOutput(const HtmlOptions& options) {
  const std::string& output = options.output;
  if (output == "-" || output.starts_with("/dev/")) return;
  const std::string ext = std::filesystem::path(output).extension().string();
  if (ext != ".html" && ext != ".htm") {
    ThrowUsageError(output + ": expected an .html output file, found extension '" + ext + "'");
  }
  CheckNotInput(output, options.dump.input);
}

std::vector<std::pair<int64_t, int64_t>> ChooseHeads(const Dump& dump, const HtmlOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  const std::string& path = dump.metadata.path;
  std::vector<std::pair<int64_t, int64_t>> chosen;
  for (int64_t layer : ParseSelection(options.layers, {"--layers", "layer", tensor.layers(), path},
                                      LayerOffset(dump))) {
    for (int64_t head : ParseSelection(options.heads, {"--heads", "head", tensor.heads(), path},
                                       HeadOffset(dump))) {
      chosen.push_back({layer, head});
    }
  }
  return chosen;
}

std::optional<std::vector<std::string>> Shown(const std::optional<std::vector<std::string>>& tokens,
                                              bool clean) {
  if (!tokens || !clean) return tokens;
  return CleanSubwordMarkers(*tokens);
}

// "3 layers", "1 layer", "2 queries".
std::string Count(int64_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "finbert · 12 layers × 12 heads · 512 tokens".
std::string DefaultTitle(const Dump& dump) {
  const AttentionTensor& tensor = dump.attention;
  std::string tokens = tensor.queries() == tensor.keys()
                           ? Count(tensor.queries(), "token", "tokens")
                           : Count(tensor.queries(), "query", "queries") + " × " +
                                 Count(tensor.keys(), "key", "keys");
  return ModelName(dump) + " · " + Count(tensor.layers(), "layer", "layers") + " × " +
         Count(tensor.heads(), "head", "heads") + " · " + tokens;
}

html::PageInput MakeInput(const Dump& dump, const HtmlOptions& options) {
  html::PageInput input;
  input.tensor = &dump.attention;
  input.heads = ChooseHeads(dump, options);
  input.title = options.title.empty() ? DefaultTitle(dump) : options.title;
  input.source = dump.metadata.path;
  input.layer_offset = LayerOffset(dump);
  input.head_offset = HeadOffset(dump);
  input.query_tokens = Shown(dump.query_tokens, options.clean_tokens);
  input.key_tokens = Shown(dump.key_tokens, options.clean_tokens);
  StatsOptions stats;
  stats.threads = options.page.threads;
  input.stats = ComputeHeadStats(dump.attention, dump.query_tokens, dump.key_tokens, stats);
  ClassifyOptions classify;
  classify.threads = options.page.threads;
  input.classes = ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens, classify);
  if (options.rollout) {
    input.rollout = NamingDump(dump, [&] { return Rollout(dump.attention, LayerGraphOptions{}); });
  }
  if (options.flow) {
    // What `attnviz flow FILE` computes: every row, divided by its sum, all layers.
    FlowOptions flow;
    flow.threads = options.page.threads;
    input.flow = NamingDump(dump, [&] { return AttentionFlow(dump.attention, flow); });
  }
  return input;
}

// On a terminal, says when a page is big enough to make browsers slow to open it.
void NoteLargePage(size_t bytes) {
  constexpr size_t kLargePage = 100'000'000;
  if (bytes < kLargePage || !NotesWanted()) return;
  std::cerr << "note: the page is " << bytes / 1'000'000
            << " MB; browsers open it slowly: embed fewer heads (--layers, --heads) or use "
               "--bits 8\n";
}

void RunHtml(HtmlOptions options) {
  CheckOutput(options);
  options.page.threads = ThreadCount(options.jobs);
  const Dump dump = options.dump.Load();
  PrintNotes(dump);
  const html::PageInput input = MakeInput(dump, options);
  ProgressBar progress(input.heads.size(), "heads");
  options.page.head_encoded = [&progress] { progress.Advance(); };
  const std::string page = html::RenderPage(input, options.page);
  if (options.output == "-") {
    std::cout << page << std::flush;
    if (!std::cout) ThrowOutputError("-", "could not write the page to standard output");
    return;
  }
  WriteFileAtomically(options.output, page);
  NoteLargePage(page.size());
}

void AddPageOptions(CLI::App& command, HtmlOptions& options) {
  command
      .add_option("-o,--output", options.output, "the page to write: view.html, or - for stdout")
      ->required();
  command.add_option("--layer,--layers", options.layers,
                     "layers to embed: an index, A:B, a list such as 0,2,5, or all (default all)");
  command.add_option("--head,--heads", options.heads, "heads to embed, as --layers (default all)");
  command
      .add_option("--bits", options.page.bits,
                  "bits per embedded weight: 8 (default; error at most 1/508 of the head's "
                  "range) or 16 (1/131070)")
      ->check(CLI::IsMember({8, 16}));
  command.add_option("--cmap", options.page.colormap,
                     "the colormap the page opens with (default viridis; any of "
                     "`attnviz colormaps`, switchable in the page)");
  command
      .add_option("--theme", options.page.theme, "light (default) or dark; switchable in the page")
      ->check(CLI::IsMember({"light", "dark"}));
  command.add_flag("--rollout", options.rollout,
                   "add attention rollout (mean of heads, residual added) to the text view");
  command.add_flag("--flow", options.flow,
                   "add attention flow (as `attnviz flow`, every row) to the text view; exact, "
                   "so slow beyond a few hundred tokens");
  command.add_flag("--clean-tokens", options.clean_tokens,
                   "drop subword markers: ##ing -> ing, Ġthe -> the, ▁the -> the");
  command.add_option("--title", options.title,
                     "page title (default: model, layers, heads, tokens)");
  command
      .add_option("-j,--jobs", options.jobs, "threads (default: every core); the page is the same")
      ->check(NonNegativeNumber());
}

}  // namespace

void AddHtmlCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<HtmlOptions>();
  CLI::App* command = app.add_subcommand(
      "html",
      "An interactive explorer in one offline HTML file: model, head, heatmap, text and table "
      "views");
  options->dump.AddTo(*command);
  AddPageOptions(*command, *options);
  command->footer(
      "Examples:\n"
      "  attnviz html data/induction.npy -o induction.html\n"
      "  attnviz html bert.npy --layers 10:12 --bits 16 --clean-tokens -o bert.html\n"
      "  attnviz html vit.npy --rollout --theme dark -o vit.html\n"
      "  attnviz html data/induction.npy --rollout --flow -o induction.html\n"
      "The page needs no network and no server: open it from disk (docs/html.md).");
  command->callback([options, &exit_code] {
    RunHtml(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
