// `attnviz highlight FILE -o OUT`: the tokens as running text, each shaded by one query's
// attention to it (one head, or a fusion of heads).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string_view>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/render/highlight.h"
#include "attnviz/render/token_text.h"
#include "cli/batch.h"
#include "cli/cell_options.h"
#include "cli/commands.h"
#include "cli/dump_names.h"
#include "cli/dump_options.h"
#include "cli/figure_options.h"
#include "cli/messages.h"
#include "cli/output_template.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

struct HighlightOptions {
  DumpOptions dump;
  FigureOptions figure;
  ColorOptions color;
  CLI::Option* cmap_option = nullptr;
  std::string layers;  // default 0
  std::string heads;   // default 0, or all with --fuse
  std::string fuse;
  std::string query = "-1";
  bool clean_tokens = false;
  std::string title;
};

// One query row of the chosen heads: read masked (so a causal model's future tokens are not
// mistaken for weights of 0), fused when there are several.
struct QueryRow {
  int64_t query = 0;
  std::vector<int64_t> layers;
  std::vector<int64_t> heads;
  Matrix row;  // 1 x keys
};

Matrix ReadRow(const AttentionTensor& tensor, int64_t layer, int64_t head, int64_t query) {
  CellSelection whole{{0, tensor.queries()}, {0, tensor.keys()}, MaskMode::kDetect, false};
  return Crop(whole.ReadMasked(tensor, layer, head), {query, query + 1}, {0, tensor.keys()});
}

QueryRow ReadQueryRow(const Dump& dump, const HighlightOptions& options) {
  const AttentionTensor& tensor = dump.attention;
  const std::string& path = dump.metadata.path;
  QueryRow result;
  std::vector<int64_t> query =
      ParseSelection(options.query, {"--query", "query", tensor.queries(), path});
  if (query.size() != 1)
    ThrowUsageError(path + ": --query takes one index, found " + options.query);
  result.query = query[0];
  FigureHeads chosen = ChooseFigureHeads(dump, options.layers, options.heads, options.fuse);
  result.layers = std::move(chosen.layers);
  result.heads = std::move(chosen.heads);
  const std::optional<Fusion> fusion = chosen.fusion;
  if (!fusion) {
    result.row = ReadRow(tensor, result.layers[0], result.heads[0], result.query);
    return result;
  }
  HeadFusion fused(*fusion);
  for (int64_t layer : result.layers) {
    for (int64_t head : result.heads) fused.Add(ReadRow(tensor, layer, head, result.query));
  }
  result.row = fused.Result();
  return result;
}

std::vector<std::string> KeyTokens(const Dump& dump, bool clean) {
  if (!dump.key_tokens) {
    std::vector<std::string> indices;
    for (int64_t i = 0; i < dump.attention.keys(); ++i) indices.push_back(std::to_string(i));
    return indices;
  }
  return clean ? CleanSubwordMarkers(*dump.key_tokens) : *dump.key_tokens;
}

bool IsSpecialToken(std::string_view token) {
  return token.size() >= 2 && ((token.front() == '<' && token.back() == '>') ||
                               (token.front() == '[' && token.back() == ']'));
}

bool StartsWord(std::string_view token) { return token.starts_with("Ġ") || token.starts_with("▁"); }

// The word pieces that continue the previous token, as tokenizers mark them: WordPiece's "##"
// prefix; and in byte-level BPE or SentencePiece text (where words start with "Ġ" or "▁"), every
// piece without that marker. Special tokens ("[CLS]", "<s>") neither attach nor take attachments.
std::vector<uint8_t> AttachedPieces(const std::vector<std::string>& tokens) {
  bool marked_starts = std::any_of(tokens.begin(), tokens.end(),
                                   [](const std::string& token) { return StartsWord(token); });
  std::vector<uint8_t> attached(tokens.size(), 0);
  for (size_t i = 1; i < tokens.size(); ++i) {
    std::string_view token = tokens[i];
    if (IsSpecialToken(token) || IsSpecialToken(tokens[i - 1])) continue;
    attached[i] = token.starts_with("##") || (marked_starts && !StartsWord(token));
  }
  return attached;
}

// The query is outlined among the keys when both axes are the same token list.
std::optional<int64_t> MarkedKey(const Dump& dump, int64_t query) {
  const AttentionTensor& tensor = dump.attention;
  if (tensor.queries() != tensor.keys() || dump.query_tokens != dump.key_tokens) {
    return std::nullopt;
  }
  return query;
}

// "finbert · layer 11 · head 0 · query 5 “by”", "model · layer 1 · mean of all heads · query 40".
std::string DefaultTitle(const Dump& dump, const QueryRow& row, const std::string& fuse,
                         bool clean) {
  std::string title = HeadsTitle(dump, row.layers, row.heads, fuse.empty() ? "" : fuse + " of ");
  title += " · query " + std::to_string(row.query);
  if (dump.query_tokens) {
    const std::string& token = (*dump.query_tokens)[row.query];
    title += " “" + (clean ? CleanSubwordMarkers(token) : token) + "”";
  }
  return title;
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

HighlightSpec MakeSpec(const Dump& dump, const HighlightOptions& options, QueryRow row) {
  HighlightSpec spec;
  spec.tokens = KeyTokens(dump, options.clean_tokens);
  // Cleaned pieces of one word read as one word; as written, every marker stays visible.
  if (options.clean_tokens && dump.key_tokens) spec.attached = AttachedPieces(*dump.key_tokens);
  spec.weights = std::move(row.row.values);
  spec.masked = std::move(row.row.masked);
  spec.marked = MarkedKey(dump, row.query);
  spec.title = options.title.empty() ? DefaultTitle(dump, row, options.fuse, options.clean_tokens)
                                     : options.title;
  spec.scale_title = options.fuse.empty() ? "attention" : options.fuse + " attention";
  spec.scale = options.color.Request();
  // Text on a near-white background reads as plain text where nothing is attended.
  if (options.cmap_option->count() == 0 && spec.scale.norm.kind != NormKind::kCentered) {
    spec.scale.colormap = "Reds";
  }
  return spec;
}

BatchFigure PlanFile(const HighlightOptions& options, const DumpSource& source, Dump loaded,
                     ImageFormat format, const RenderOptions& render) {
  auto dump = std::make_shared<const Dump>(std::move(loaded));
  PrintNotes(*dump);
  auto row = std::make_shared<const QueryRow>(ReadQueryRow(*dump, options));
  TemplateFields fields = OutputFields(*dump, format, row->layers, row->heads, options.fuse);
  AddBatchField(fields, source);
  return {fields, [dump, row, &options, format, render] {
            return RenderHighlight(MakeSpec(*dump, options, *row), format, render);
          }};
}

void RunHighlight(const HighlightOptions& options) {
  const ImageFormat format = options.figure.Format();
  const RenderOptions render = options.figure.Render();
  if (render.height_pt > 0) {
    ThrowUsageError(
        "--size: a highlight figure takes a width only (e.g. --size 5in); its "
        "height follows the text");
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

void AddRowOptions(CLI::App& command, HighlightOptions& options) {
  command.add_option("--layer,--layers", options.layers,
                     "layer: an index (default 0); with --fuse also A:B, a list, or all");
  command.add_option("--head,--heads", options.heads,
                     "head, as --layer (default 0; with --fuse, all)");
  command
      .add_option("--fuse", options.fuse,
                  "combine the selected heads' rows token by token: mean, max or min")
      ->check(CLI::IsMember({"mean", "max", "min"}));
  command.add_option("--query", options.query,
                     "the query whose attention shades the tokens; negative counts from the end "
                     "(default -1, the last, which in a causal model sees the whole text)");
  command.add_flag("--clean-tokens", options.clean_tokens,
                   "drop subword markers (##ing -> ing, Ġthe -> the, ▁the -> the) and set the "
                   "pieces of a word together");
  command.add_option("--title", options.title, "figure title (default: model, layer, head, query)");
}

}  // namespace

void AddHighlightCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<HighlightOptions>();
  CLI::App* command = app.add_subcommand(
      "highlight", "The tokens as wrapped text, each shaded by one query's attention to it");
  options->dump.AddTo(*command, true);
  options->figure.AddTo(*command);
  AddShardOption(*command, options->figure.shard);
  AddRowOptions(*command, *options);
  options->color.AddTo(*command);
  options->cmap_option = command->get_option("--cmap");
  options->cmap_option->description(
      "colormap: Reds (default) Blues Greys Purples viridis magma inferno plasma cividis RdBu "
      "coolwarm, each also NAME_r");
  command->footer(
      "Examples:\n"
      "  attnviz highlight data/induction.npy --layer 1 --head 0 --query 30 -o row30.png\n"
      "  attnviz highlight data/induction.npy --layer 1 --fuse mean -o last_query.pdf\n"
      "  attnviz highlight long.npy --query 0 --size 5in --clean-tokens -o cls_row.pdf");
  command->callback([options, &exit_code] {
    RunHighlight(*options);
    exit_code = 0;
  });
}

}  // namespace attnviz::cli
