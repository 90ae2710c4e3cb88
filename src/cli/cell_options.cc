// Reading, masking and cropping heads for figures, and the colour options.
#include "cli/cell_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "attnviz/error.h"
#include "attnviz/render/token_text.h"
#include "cli/number_checks.h"
#include "cli/selection.h"

namespace attnviz::cli {

namespace {

std::vector<std::string> CroppedTokens(const std::optional<std::vector<std::string>>& tokens,
                                       IndexRange range, bool clean) {
  if (!tokens) return {};
  std::vector<std::string> cropped(tokens->begin() + range.begin, tokens->begin() + range.end);
  return clean ? CleanSubwordMarkers(cropped) : cropped;
}

}  // namespace

Matrix CellSelection::ReadMasked(const AttentionTensor& tensor, int64_t layer, int64_t head) const {
  Matrix matrix{tensor.queries(), tensor.keys(), tensor.ReadHead(layer, head), {}};
  matrix.masked = MaskCells(matrix, mask);
  if (mask != MaskMode::kNone) MaskPadding(matrix);
  return matrix;
}

void CellSelection::MaskPadding(Matrix& matrix) const {
  std::vector<int64_t> rows(matrix.rows);
  for (int64_t row = 0; row < matrix.rows; ++row) rows[row] = row;
  MaskPaddingOfRows(matrix, rows);
}

void CellSelection::MaskPaddingOfRows(Matrix& matrix, const std::vector<int64_t>& rows) const {
  const auto padded = [&](int64_t row) {
    return row < real_queries.begin || row >= real_queries.end;
  };
  if (real_queries.size() == 0 ||
      (real_keys.size() == matrix.cols && std::none_of(rows.begin(), rows.end(), padded))) {
    return;
  }
  if (matrix.masked.empty()) matrix.masked.assign(matrix.values.size(), 0);
  for (int64_t row = 0; row < matrix.rows; ++row) {
    const bool real_row = !padded(rows[row]);
    for (int64_t col = 0; col < matrix.cols; ++col) {
      if (!real_row || col < real_keys.begin || col >= real_keys.end) {
        matrix.masked[row * matrix.cols + col] = 1;
      }
    }
  }
}

Matrix CellSelection::Shown(Matrix masked) const {
  bool whole = queries.begin == 0 && queries.end == masked.rows && keys.begin == 0 &&
               keys.end == masked.cols;
  // The whole head moves through: a 16k x 16k head is 1 GB, never copied.
  Matrix shown = whole ? std::move(masked) : Crop(masked, queries, keys);
  if (row_normalize) return RowNormalized(std::move(shown));
  return shown;
}

std::vector<std::string> CellSelection::QueryTokens(const Dump& dump, bool clean) const {
  return CroppedTokens(dump.query_tokens, queries, clean);
}

std::vector<std::string> CellSelection::KeyTokens(const Dump& dump, bool clean) const {
  return CroppedTokens(dump.key_tokens, keys, clean);
}

void CellOptions::AddTo(CLI::App& command) {
  command.add_option("--queries", queries,
                     "query rows to show: A:B (half-open, as in Python: 0:16 is the first 16)");
  command.add_option("--keys", keys, "key columns to show: A:B");
  command
      .add_option("--mask", mask,
                  "auto (default: hatch a causal upper triangle and padded rows or columns "
                  "when their zeros say so), causal, or none")
      ->check(CLI::IsMember({"auto", "causal", "none"}));
  command.add_flag(
      "--row-normalize", row_normalize,
      "divide each shown row by its sum (off by default: weights are drawn as stored)");
  command
      .add_option("--pool", pool,
                  "when there are more cells than pixels: max (default, a single spike stays "
                  "visible) or mean")
      ->check(CLI::IsMember({"max", "mean"}));
}

CellSelection WholeHeads(const Dump& dump) {
  CellSelection selection;
  selection.queries = {0, dump.attention.queries()};
  selection.keys = {0, dump.attention.keys()};
  const Padding& padding = dump.padding;
  if (padding.source != PaddingSource::kNone && !padding.trimmed) {
    selection.real_queries = {padding.query_first, padding.query_end};
    selection.real_keys = {padding.key_first, padding.key_end};
  }
  return selection;
}

CellSelection CellOptions::Resolve(const Dump& dump) const {
  const AttentionTensor& tensor = dump.attention;
  const std::string& path = dump.metadata.path;
  CellSelection selection = WholeHeads(dump);
  selection.queries = ParseRange(queries, {"--queries", "query", tensor.queries(), path});
  selection.keys = ParseRange(keys, {"--keys", "key", tensor.keys(), path});
  selection.mask = mask == "causal" ? MaskMode::kCausal
                   : mask == "none" ? MaskMode::kNone
                                    : MaskMode::kDetect;
  selection.row_normalize = row_normalize;
  return selection;
}

Pooling CellOptions::Pool() const { return pool == "mean" ? Pooling::kMean : Pooling::kMax; }

void ColorOptions::AddTo(CLI::App& command) {
  command.add_option("--cmap", cmap,
                     "colormap: viridis (default) magma inferno plasma cividis Blues Reds Greys "
                     "Purples RdBu coolwarm, each also NAME_r");
  command.add_option("--norm", norm,
                     "linear (default), log, power:GAMMA (e.g. power:0.5 lifts small weights), or "
                     "centered (around 0, for signed data; default colormap RdBu_r)");
  command
      .add_option(
          "--vmin", vmin,
          "value at the bottom of the colormap (default 0, or the smallest value when negative)")
      ->check(FiniteNumber());
  command.add_option("--vmax", vmax, "value at the top (default: the largest shown)")
      ->check(FiniteNumber());
}

ScaleRequest ColorOptions::Request() const {
  ScaleRequest request;
  request.norm = ParseNorm(norm);
  request.colormap = !cmap.empty()                              ? cmap
                     : request.norm.kind == NormKind::kCentered ? "RdBu_r"
                                                                : "viridis";
  request.vmin = vmin;
  request.vmax = vmax;
  return request;
}

Norm ParseNorm(std::string_view text) {
  if (text == "linear") return {NormKind::kLinear, 1};
  if (text == "log") return {NormKind::kLog, 1};
  if (text == "centered") return {NormKind::kCentered, 1};
  if (text.starts_with("power:")) {
    std::string_view number = text.substr(6);
    double gamma = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), gamma);
    if (error == std::errc() && end == number.data() + number.size() && gamma > 0 &&
        std::isfinite(gamma)) {
      return {NormKind::kPower, gamma};
    }
  }
  ThrowUsageError("--norm: expected linear, log, power:GAMMA with GAMMA > 0, or centered; found '" +
                  std::string(text) + "'");
}

}  // namespace attnviz::cli
