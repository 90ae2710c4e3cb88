// `attnviz arrows FILE -o OUT`: query and key tokens joined by lines weighted by attention (the
// head view), one head or several overlaid, columns or rows, sentence pairs split.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/arrows.h"
#include "attnviz/render/token_text.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/number_checks.h"
#include "cli/output_template.h"
#include "cli/progress.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct ArrowsOptions {
  DumpOptions dump;
  FigureOptions figure;
  std::string layers;  // default 0
  std::string heads;   // default 0
  std::string queries;
  std::string keys;
  int64_t split = 0;
  std::string pair = "all";
  bool horizontal = false;
  int64_t top_k = 0;
  double min_weight = 0;
  int64_t max_lines = kDefaultMaxLines;
  std::optional<double> vmax;
  bool clean_tokens = false;
  std::string title;
};

// The (layer, head) pairs drawn, in the dump's numbering.
struct HeadChoice {
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
};

// The queries and keys shown, and where sentence B starts inside them (0: no gap).
struct Window {
  IndexRange queries;
  IndexRange keys;
  int64_t query_split = 0;
  int64_t key_split = 0;
  std::string pair;  // "A → B" for a sentence-pair crop; empty otherwise
};

HeadChoice ChooseHeads(const Dump& dump, const ArrowsOptions& options) {
  const std::string& path = dump.metadata.path;
  HeadChoice choice{
      options.layers.empty() ? std::vector<int64_t>{0}
                             : ParseLayers(options.layers, dump, "--layer"),
      options.heads.empty() ? std::vector<int64_t>{0} : ParseHeads(options.heads, dump, "--head")};
  size_t count = choice.layers.size() * choice.heads.size();
  if (count > static_cast<size_t>(kMaxArrowsHeads)) {
    ThrowUsageError(path + ": --layer and --head select " + std::to_string(count) +
                    " heads; at most " + std::to_string(kMaxArrowsHeads) +
                    " can be overlaid in distinct colours");
  }
  return choice;
}

// "AB" and the like: the query sentence, then the key sentence.
std::string NormalizedPair(const std::string& pair) {
  std::string upper = pair;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "ALL" || upper == "AA" || upper == "AB" || upper == "BA" || upper == "BB") {
    return upper;
  }
  ThrowUsageError(
      "--pair: expected all, AA, AB, BA or BB (query sentence, then key sentence), "
      "found '" +
      pair + "'");
}

// Sentence A is tokens [0, split), sentence B [split, n).
Window SentencePairWindow(const Dump& dump, const ArrowsOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  const int64_t n = tensor.queries();
  if (tensor.keys() != n) {
    ThrowUsageError(dump.metadata.path + ": --split needs self-attention over one token list, " +
                    "found " + std::to_string(n) + " queries and " + std::to_string(tensor.keys()) +
                    " keys");
  }
  if (options.split < 1 || options.split >= n) {
    ThrowUsageError(dump.metadata.path + ": --split " + std::to_string(options.split) +
                    " must leave tokens on both sides: expected 1.." + std::to_string(n - 1));
  }
  const std::string pair = NormalizedPair(options.pair);
  const IndexRange a{0, options.split}, b{options.split, n};
  if (pair == "ALL") return {{0, n}, {0, n}, options.split, options.split, ""};
  return {pair[0] == 'A' ? a : b, pair[1] == 'A' ? a : b, 0, 0,
          std::string(1, pair[0]) + " → " + pair[1]};
}

Window ChooseWindow(const Dump& dump, const ArrowsOptions& options) {
  if (options.split != 0) return SentencePairWindow(dump, options);
  if (options.pair != "all") ThrowUsageError("--pair needs --split N (where sentence B starts)");
  const AttentionTensor& tensor = dump.attention;
  const std::string& path = dump.metadata.path;
  return {ParseRange(options.queries, {"--queries", "query", tensor.queries(), path}),
          ParseRange(options.keys, {"--keys", "key", tensor.keys(), path}), 0, 0, ""};
}

std::vector<std::string> WindowTokens(const std::optional<std::vector<std::string>>& tokens,
                                      IndexRange range, bool clean) {
  if (!tokens) return {};
  std::vector<std::string> shown(tokens->begin() + range.begin, tokens->begin() + range.end);
  return clean ? CleanSubwordMarkers(shown) : shown;
}

// "head 3" when one layer is shown, "L1 H3" otherwise; in the model's numbering.
std::string HeadName(const Dump& dump, const HeadChoice& choice, int64_t layer, int64_t head) {
  if (choice.layers.size() == 1) return "head " + std::to_string(ModelHead(dump, head));
  // Appended rather than "L" + std::to_string(...), where GCC 12 inlines string::insert at -O3 and
  // reports a false overlap (-Wrestrict, GCC bug 105651).
  std::string name = "L";
  name.append(std::to_string(ModelLayer(dump, layer))).append(" H");
  return name.append(std::to_string(ModelHead(dump, head)));
}

std::vector<ArrowsHead> ReadHeads(const Dump& dump, const HeadChoice& choice,
                                  const Window& window) {
  const AttentionTensor& tensor = dump.attention;
  std::vector<ArrowsHead> heads;
  for (int64_t layer : choice.layers) {
    for (int64_t head : choice.heads) {
      Matrix whole{tensor.queries(), tensor.keys(), tensor.ReadHead(layer, head), {}};
      bool cropped = window.queries.size() < whole.rows || window.keys.size() < whole.cols;
      heads.push_back({HeadName(dump, choice, layer, head),
                       cropped ? Crop(whole, window.queries, window.keys) : std::move(whole)});
    }
  }
  return heads;
}

// "finbert · layer 11 · head 0", "model · layer 1 · heads 0–3 · A → B".
std::string DefaultTitle(const Dump& dump, const HeadChoice& choice, const Window& window) {
  const std::string title = HeadsTitle(dump, choice.layers, choice.heads);
  return window.pair.empty() ? title : title + " · " + window.pair;
}

// The -o template's fields: {layer} and {head} are numbers when one is chosen (so {layer:02}
// pads), else the selection's short name, or for a fusion its kind.
TemplateFields OutputFields(const Dump& dump, ImageFormat format,
                            const std::vector<int64_t>& layers, const std::vector<int64_t>& heads,
                            const std::string& fuse) {
  auto field = [](const std::vector<int64_t>& positions, int64_t count) {
    return positions.size() == 1 ? TemplateFields::mapped_type(positions[0])
                                 : TemplateFields::mapped_type(DescribeSelection(positions, count));
  };
  return {{"stem", Stem(dump)},
          {"ext", ExtensionOf(format)},
          {"layer", field(Shifted(layers, LayerOffset(dump)), dump.attention.layers())},
          {"head", fuse.empty() ? field(Shifted(heads, HeadOffset(dump)), dump.attention.heads())
                                : TemplateFields::mapped_type(fuse)}};
}

ArrowsSpec MakeSpec(const Dump& dump, const ArrowsOptions& options, const HeadChoice& choice) {
  const Window window = ChooseWindow(dump, options);
  ArrowsSpec spec;
  spec.query_tokens = WindowTokens(dump.query_tokens, window.queries, options.clean_tokens);
  spec.key_tokens = WindowTokens(dump.key_tokens, window.keys, options.clean_tokens);
  spec.first_query_index = window.queries.begin;
  spec.first_key_index = window.keys.begin;
  spec.heads = ReadHeads(dump, choice, window);
  spec.title = options.title.empty() ? DefaultTitle(dump, choice, window) : options.title;
  spec.horizontal = options.horizontal;
  spec.top_k = options.top_k;
  spec.min_weight = options.min_weight;
  spec.max_lines = options.max_lines;
  spec.vmax = options.vmax;
  spec.query_split = window.query_split;
  spec.key_split = window.key_split;
  return spec;
}

// On a terminal, says when lines were left out or weights could not be drawn.
void PrintLineNotes(const ArrowsSpec& spec, const RenderOptions& render) {
  if (!NotesWanted()) return;
  const ArrowsLayout layout = LayoutArrows(spec, render);
  const int64_t drawn = static_cast<int64_t>(layout.lines.size());
  if (drawn < layout.selected_lines) {
    std::cerr << "note: drew the " << drawn << " strongest of " << layout.selected_lines
              << " lines; narrow with --top-k or --min-weight, or raise --max-lines\n";
  }
  if (layout.selected_lines == 0) {
    std::cerr << "note: no line to draw: every weight shown is 0 or below --min-weight\n";
  }
  if (layout.nonfinite_weights > 0) {
    std::cerr << "note: " << layout.nonfinite_weights << " NaN or infinite weights have no line\n";
  }
}

BatchFigure PlanFile(const ArrowsOptions& options, const DumpSource& source, Dump loaded,
                     ImageFormat format, const RenderOptions& render) {
  auto dump = std::make_shared<const Dump>(std::move(loaded));
  PrintNotes(*dump);
  const HeadChoice choice = ChooseHeads(*dump, options);
  ChooseWindow(*dump, options);  // a bad window fails before any figure is written
  TemplateFields fields = OutputFields(*dump, format, choice.layers, choice.heads, "");
  AddBatchField(fields, source);
  return {fields, [dump, choice, &options, format, render] {
            const ArrowsSpec spec = MakeSpec(*dump, options, choice);
            std::string bytes = RenderArrows(spec, format, render);
            PrintLineNotes(spec, render);
            return bytes;
          }};
}

void RunArrows(const ArrowsOptions& options) {
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  if (render.width_pt > 0 || render.height_pt > 0) {
    ThrowUsageError("--size: an arrows figure takes its size from its tokens");
  }
  DumpSeries dumps(options.dump);
  FigureBatch batch;
  dumps.ForEach([&](const DumpSource& source, Dump dump) {
    batch.figures.push_back(PlanFile(options, source, std::move(dump), format, render));
    dumps.Guard(batch.figures.back(), source);
  });
  WriteFigureBatch(batch, options.figure, format, dumps.files());
  dumps.Finish();
}

void AddSelectionOptions(CLI::App& command, ArrowsOptions& options) {
  command.add_option("--layer,--layers", options.layers,
                     "layers: an index, A:B, a list such as 0,2, or all (default 0)");
  command.add_option("--head,--heads", options.heads,
                     "heads, as --layer (default 0); several are overlaid in distinct colours, "
                     "at most 10 in all");
  CLI::Option* split = command.add_option(
      "--split", options.split, "sentence pairs: the index of the first token of sentence B");
  command.add_option("--pair", options.pair,
                     "with --split: all (default, a gap between the sentences), AB (sentence A's "
                     "queries to B's keys only), BA, AA or BB");
  command.add_option("--queries", options.queries, "queries to show: A:B (half-open)")
      ->excludes(split);
  command.add_option("--keys", options.keys, "keys to show: A:B (half-open)")->excludes(split);
}

void AddLineOptions(CLI::App& command, ArrowsOptions& options) {
  command.add_flag("--horizontal", options.horizontal,
                   "queries along the top, keys along the bottom (seq2seq alignment)");
  command
      .add_option("--top-k", options.top_k,
                  "draw only each query's K strongest lines per head (default: all)")
      ->check(NonNegativeNumber());
  command
      .add_option("--min-weight", options.min_weight,
                  "draw only lines of at least this weight (default 0; lines fainter than "
                  "1/256 of --vmax are never drawn)")
      ->check(NonNegativeNumber());
  command
      .add_option("--max-lines", options.max_lines,
                  "draw at most this many lines, the strongest (default 20000; 0: no limit)")
      ->check(NonNegativeNumber());
  command
      .add_option("--vmax", options.vmax,
                  "the weight drawn opaque and widest (default: the largest shown)")
      ->check(PositiveNumber());
  command.add_flag("--clean-tokens", options.clean_tokens,
                   "drop subword markers: ##ing -> ing, Ġthe -> the, ▁the -> the");
  command.add_option("--title", options.title, "figure title (default: model, layer, heads)");
}

}  // namespace

void AddArrowsCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ArrowsOptions>();
  CLI::App* command = app.add_subcommand(
      "arrows", "Query and key tokens joined by lines weighted by attention (head view)");
  options->dump.AddTo(*command, true);
  options->figure.AddTo(*command);
  AddShardOption(*command, options->figure.shard);
  AddSelectionOptions(*command, *options);
  AddLineOptions(*command, *options);
  command->footer(
      "Examples:\n"
      "  attnviz arrows data/induction.npy --layer 1 --head 0 -o induction_arrows.png\n"
      "  attnviz arrows data/reverse.json --layer 0 --head 0:4 --top-k 2 -o heads.pdf\n"
      "  attnviz arrows data/seq2seq_cross.json --horizontal --head 2 -o alignment.svg\n"
      "  attnviz arrows bert.json --split 9 --pair AB --clean-tokens -o a_to_b.png");
  command->callback([options, &exit_code] {
    RunArrows(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
