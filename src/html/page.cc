// The explorer page: the template with its style, script and data filled in.
#include "attnviz/html/page.h"

#include <cmath>
#include <string_view>

#include <nlohmann/json.hpp>

#include "attnviz/error.h"
#include "attnviz/html/payload.h"
#include "attnviz/parallel.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/matrix.h"
#include "html/page_assets.h"

namespace attnviz::html {

namespace {

using nlohmann::json;

// One head as the page carries it: its codes and thumbnail, each a base64 zlib stream.
struct EncodedHead {
  Quantized codes;  // bytes emptied once compressed
  std::string data;
  std::string thumbnail;
  int64_t thumb_rows = 0;
  int64_t thumb_cols = 0;
  std::string mask;  // one byte per cell, 1 where MaskCells finds no weight; empty: none
};

// The cells that are no weights (a causal upper triangle, padded rows and columns), as the
// figures find them, one byte per cell in a zlib stream; empty when there are none.
std::string MaskBlock(std::span<const float> values, int64_t rows, int64_t cols, int level) {
  const Matrix matrix(rows, cols, std::vector<float>(values.begin(), values.end()));
  const std::vector<uint8_t> mask = MaskCells(matrix, MaskMode::kDetect);
  if (mask.empty()) return "";
  return Base64(ZlibCompress(
      std::string_view(reinterpret_cast<const char*>(mask.data()), mask.size()), level));
}

// A thumbnail is drawn relative to its own maximum: 8 bits are plenty for a picture.
std::string ThumbnailCodes(std::span<const float> pooled) {
  const Quantized q = Quantize(pooled, 8);
  return std::string(q.bytes.begin(), q.bytes.end());
}

EncodedHead EncodeValues(std::span<const float> values, int64_t rows, int64_t cols,
                         const PageOptions& options) {
  EncodedHead head;
  head.codes = Quantize(values, options.bits);
  std::string_view bytes(reinterpret_cast<const char*>(head.codes.bytes.data()),
                         head.codes.bytes.size());
  head.data = Base64(ZlibCompress(bytes, options.level));
  head.codes.bytes = {};
  const std::vector<float> pooled =
      MaxPool(values, rows, cols, options.thumbnail_side, head.thumb_rows, head.thumb_cols);
  head.thumbnail = Base64(ZlibCompress(ThumbnailCodes(pooled), options.level));
  head.mask = MaskBlock(values, rows, cols, options.level);
  return head;
}

std::vector<EncodedHead> EncodeHeads(const PageInput& input, const PageOptions& options) {
  const AttentionTensor& tensor = *input.tensor;
  std::vector<EncodedHead> heads(input.heads.size());
  RunInParallel(heads.size(), options.threads, [&](size_t i) {
    std::vector<float> scratch;
    auto [layer, head] = input.heads[i];
    heads[i] = EncodeValues(tensor.HeadValues(layer, head, scratch), tensor.queries(),
                            tensor.keys(), options);
    if (options.head_encoded) options.head_encoded();
  });
  return heads;
}

json NumberOrNull(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json Tokens(const std::optional<std::vector<std::string>>& tokens) {
  return tokens ? json(*tokens) : json(nullptr);
}

// The statistics in StatFields order (a JSON object would sort its keys); "stat_names" names them.
json StatsJson(const HeadStats& stats) {
  json values = json::array();
  for (const StatField& field : StatFields()) values.push_back(NumberOrNull(stats.*field.member));
  return values;
}

json StatNames() {
  json names = json::array();
  for (const StatField& field : StatFields()) names.push_back(field.name);
  return names;
}

json ClassJson(const HeadClass& head) {
  json scores = json::object();
  for (Pattern p : AllPatterns()) scores[std::string(PatternName(p))] = NumberOrNull(head.score(p));
  return {{"label", LabelText(head)},
          {"confidence", NumberOrNull(head.confidence)},
          {"scores", scores}};
}

template <typename Result>
const Result* FindHead(const std::vector<Result>& results, int64_t layer, int64_t head) {
  for (const Result& result : results) {
    if (result.layer == layer && result.head == head) return &result;
  }
  return nullptr;
}

json HeadJson(const PageInput& input, size_t i, const EncodedHead& encoded) {
  auto [layer, head] = input.heads[i];
  json object = {{"layer", layer},
                 {"head", head},
                 {"offset", encoded.codes.offset},
                 {"scale", encoded.codes.scale},
                 {"nonfinite", encoded.codes.nonfinite},
                 {"masked", !encoded.mask.empty()},
                 {"thumb", {encoded.thumb_rows, encoded.thumb_cols}},
                 {"stats", nullptr},
                 {"class", nullptr}};
  if (const HeadStats* stats = FindHead(input.stats, layer, head)) {
    object["stats"] = StatsJson(*stats);
  }
  if (const HeadClass* head_class = FindHead(input.classes, layer, head)) {
    object["class"] = ClassJson(*head_class);
  }
  return object;
}

// Every colormap as hex "rrggbb" x 256, straight from the tables the figures use.
json ColormapsJson() {
  json maps = json::object();
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::string_view name : ColormapNames()) {
    std::string hex;
    for (const Rgba& c : FindColormap(name)->colors) {
      for (uint8_t v : {c.r, c.g, c.b}) {
        hex.push_back(kHex[v >> 4]);
        hex.push_back(kHex[v & 15]);
      }
    }
    maps[std::string(name)] = hex;
  }
  return maps;
}

json MetaJson(const PageInput& input, const PageOptions& options,
              const std::vector<EncodedHead>& encoded) {
  const AttentionTensor& tensor = *input.tensor;
  json heads = json::array();
  for (size_t i = 0; i < encoded.size(); ++i) heads.push_back(HeadJson(input, i, encoded[i]));
  json meta = {{"version", 1},
               {"title", input.title},
               {"source", input.source},
               {"layers", tensor.layers()},
               {"heads_per_layer", tensor.heads()},
               {"layer_offset", input.layer_offset},
               {"head_offset", input.head_offset},
               {"queries", tensor.queries()},
               {"keys", tensor.keys()},
               {"query_tokens", Tokens(input.query_tokens)},
               {"key_tokens", Tokens(input.key_tokens)},
               {"bits", options.bits},
               {"colormap", options.colormap},
               {"theme", options.theme},
               {"colormaps", ColormapsJson()},
               {"stat_names", StatNames()},
               {"heads", heads},
               {"rollout", nullptr},
               {"flow", nullptr}};
  return meta;
}

// JSON inside <script> must never contain "</script" or "<!--": '<' only occurs inside strings,
// where \u003c means the same character.
std::string ScriptSafe(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string HtmlEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// <script type="application/x-attnviz" data-part="NAME">BASE64</script>: read lazily by the page.
std::string DataBlock(std::string_view name, std::string_view base64) {
  return "<script type=\"application/x-attnviz\" data-part=\"" + std::string(name) + "\">" +
         std::string(base64) + "</script>\n";
}

// Every row of a rollout or flow result as the data block NAME, its codes described in meta[NAME].
std::string RowsBlock(const std::string& name, const TokenRows& rows, const PageOptions& options,
                      json& meta) {
  std::vector<float> values(rows.values.begin(), rows.values.end());
  const int64_t n = static_cast<int64_t>(rows.rows.size());
  EncodedHead encoded = EncodeValues(values, n, rows.tokens, options);
  meta[name] = {{"offset", encoded.codes.offset},
                {"scale", encoded.codes.scale},
                {"rows", n},
                {"cols", rows.tokens}};
  return DataBlock(name, encoded.data);
}

std::string DataBlocks(const PageInput& input, const PageOptions& options,
                       const std::vector<EncodedHead>& encoded, json& meta) {
  std::string blocks;
  for (size_t i = 0; i < encoded.size(); ++i) {
    blocks += DataBlock("head-" + std::to_string(i), encoded[i].data);
    blocks += DataBlock("thumb-" + std::to_string(i), encoded[i].thumbnail);
    if (!encoded[i].mask.empty()) blocks += DataBlock("mask-" + std::to_string(i), encoded[i].mask);
  }
  if (input.rollout) blocks += RowsBlock("rollout", *input.rollout, options, meta);
  if (input.flow) blocks += RowsBlock("flow", *input.flow, options, meta);
  return blocks;
}

void ReplaceOnce(std::string& text, std::string_view marker, std::string_view with) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) throw std::logic_error("page template lacks its marker");
  text.replace(at, marker.size(), with);
}

void CheckOptions(const PageOptions& options) {
  if (options.bits != 8 && options.bits != 16) {
    ThrowUsageError("--bits: expected 8 or 16, found " + std::to_string(options.bits));
  }
  if (!FindColormap(options.colormap)) {
    ThrowUsageError("--cmap: unknown colormap '" + options.colormap +
                    "' (attnviz colormaps lists them)");
  }
}

}  // namespace

std::string RenderPage(const PageInput& input, const PageOptions& options) {
  CheckOptions(options);
  const std::vector<EncodedHead> encoded = EncodeHeads(input, options);
  json meta = MetaJson(input, options, encoded);
  const std::string blocks = DataBlocks(input, options, encoded, meta);
  // From the last marker to the first, so no inserted text can be mistaken for a marker.
  std::string page(kPageTemplate);
  ReplaceOnce(page, "/*ATTNVIZ_SCRIPT*/", kPageScript);
  ReplaceOnce(page, "<!--ATTNVIZ_DATA-->",
              "<script type=\"application/json\" id=\"attnviz-meta\">" + ScriptSafe(meta.dump()) +
                  "</script>\n" + blocks);
  ReplaceOnce(page, "/*ATTNVIZ_STYLE*/", kPageStyle);
  ReplaceOnce(page, "<!--ATTNVIZ_TITLE-->", HtmlEscaped(input.title));
  return page;
}

}  // namespace attnviz::html
