// Attention rollout: fused, residual-adjusted layer matrices multiplied with BLAS in double.
#include "attnviz/analysis/rollout.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>

#include "attnviz/analysis/blas.h"
#include "attnviz/error.h"
#include "attnviz/parallel.h"
#include "simd/kernels.h"

namespace attnviz {

namespace {

std::string Range(const char* what, int64_t count) {
  return std::to_string(count) + " " + what +
         (count == 1 ? " (0)" : "s (0.." + std::to_string(count - 1) + ")");
}

// Rollout of at most this many rows streams each layer row by row instead of building Â_l.
constexpr size_t kMaxStreamedRows = 32;
// The streamed product is summed over this many bands of rows (fewer when their products would
// pass kStreamProductBytes), whatever the thread count, so the result does not depend on the
// machine's cores either.
constexpr int64_t kStreamBands = 16;
constexpr int64_t kStreamProductBytes = 1 << 24;
// Cells of each head fused together: a tile of rows, its doubles kept in cache.
constexpr int64_t kTileCells = 1 << 14;

void CheckFinite(std::span<const float> head, int64_t layer, int64_t h, int64_t keys) {
  for (size_t cell = 0; cell < head.size(); ++cell) {
    if (std::isfinite(head[cell])) continue;
    throw Error(ErrorKind::kInput,
                "expected finite attention weights, found " +
                    std::string(std::isnan(head[cell]) ? "NaN" : "infinity") + " at layer " +
                    std::to_string(layer) + ", head " + std::to_string(h) + ", query " +
                    std::to_string(cell / keys) + ", key " + std::to_string(cell % keys));
  }
}

// 1 for a NaN or an infinity, else 0: a test of the exponent bits, which compilers vectorise,
// unlike std::isfinite. Always inlined, also into FuseCells' builds for other targets.
[[gnu::always_inline]] inline uint32_t NonFinite(float value) {
  return static_cast<uint32_t>((std::bit_cast<uint32_t>(value) & 0x7f800000u) == 0x7f800000u);
}

// Whether `values` holds a NaN or an infinity.
bool HasNonFinite(std::span<const float> values) {
  uint32_t non_finite = 0;
  for (float value : values) non_finite |= NonFinite(value);
  return non_finite != 0;
}

// Throws for the first NaN or infinity of `layer`, its heads in order, once a band found one:
// the same cell whichever band or thread came across it first.
[[noreturn]] void ThrowFirstNonFinite(const AttentionTensor& tensor, int64_t layer) {
  std::vector<float> scratch;
  for (int64_t h = 0; h < tensor.heads(); ++h) {
    const std::span<const float> head = tensor.HeadValues(layer, h, scratch);
    if (HasNonFinite(head)) CheckFinite(head, layer, h, tensor.keys());
  }
  throw Error(ErrorKind::kInput, "expected finite attention weights at layer " +
                                     std::to_string(layer) + ", found them changed while read");
}

// The heads of one layer as float32 spans. Other dtypes are converted a head at a time (on
// demand, `heads` empty), so that only one head's copy is held.
struct LayerHeads {
  std::vector<std::span<const float>> heads;
  std::vector<std::vector<float>> scratch;
};

LayerHeads ReadLayer(const AttentionTensor& tensor, int64_t layer) {
  LayerHeads read;
  if (tensor.dtype() != DType::kF32) return read;
  read.scratch.resize(static_cast<size_t>(tensor.heads()));
  for (int64_t h = 0; h < tensor.heads(); ++h) {
    read.heads.push_back(tensor.HeadValues(layer, h, read.scratch[static_cast<size_t>(h)]));
  }
  return read;
}

// Cells [begin, begin + count) of `heads` combined into out[0, count): started from the first
// head when `first`, else combined with what `out` holds; the mean is left as a sum, in double.
// Returns false for a NaN or an infinity (`out` then holds garbage). A head's cells are read in
// one stretch, which the hardware prefetches (a row alone is one page, and no prefetch runs
// across a page), checked and combined in the same pass, a vector at a time (src/simd); adds and
// comparisons only, so every instruction set gives the same bits.
bool FuseCells(std::span<const std::span<const float>> heads, bool first, HeadFuse fuse,
               int64_t begin, int64_t count, double* out) {
  const simd::Combine combine = fuse == HeadFuse::kMean  ? simd::Combine::kAdd
                                : fuse == HeadFuse::kMax ? simd::Combine::kMax
                                                         : simd::Combine::kMin;
  for (size_t h = 0; h < heads.size(); ++h) {
    if (!simd::CombineCells(heads[h].data() + begin, static_cast<size_t>(count),
                            first && h == 0 ? simd::Combine::kCopy : combine, out)) {
      return false;
    }
  }
  return true;
}

// Whether cells [begin, begin + count) of any of `heads` hold a NaN or an infinity.
bool HasNonFinite(std::span<const std::span<const float>> heads, int64_t begin, int64_t count) {
  return std::any_of(heads.begin(), heads.end(), [&](std::span<const float> head) {
    return HasNonFinite(head.subspan(static_cast<size_t>(begin), static_cast<size_t>(count)));
  });
}

// Rows taken together by FuseCells: about kTileCells cells of each head, at least one row.
int64_t TileRows(int64_t n) { return std::max<int64_t>(1, kTileCells / std::max<int64_t>(1, n)); }

// Σ values, in eight interleaved partial sums (which compilers vectorise, unlike one running
// sum) added in a fixed order.
double Sum(const double* values, int64_t count) {
  double partial[8] = {};
  int64_t j = 0;
  for (; j + 8 <= count; j += 8) {
    for (int lane = 0; lane < 8; ++lane) partial[lane] += values[j + lane];
  }
  for (int lane = 0; j < count; ++j, ++lane) partial[lane] += values[j];
  return ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
         ((partial[4] + partial[5]) + (partial[6] + partial[7]));
}

// Row i of Â: (a·F_i + b·e_i) divided by its sum, left as it is when that sums to 0.
void AddResidualToRow(double* row, int64_t i, int64_t n, double a, double b) {
  for (int64_t j = 0; j < n; ++j) row[j] *= a;
  row[i] += b;
  const double sum = Sum(row, n);
  if (sum == 0) return;
  for (int64_t j = 0; j < n; ++j) row[j] /= sum;
}

// Rows [begin, end) of matrix (n x n), which hold the heads combined by FuseCells, made rows of
// F (of Â when `add_residual`): the mean divided by the number of heads, the residual added.
void FinishRows(const LayerGraphOptions& options, double heads, bool add_residual, int64_t n,
                int64_t begin, int64_t end, double* matrix) {
  for (int64_t i = begin; i < end; ++i) {
    double* row = matrix + i * n;
    if (options.fuse == HeadFuse::kMean) {
      for (int64_t j = 0; j < n; ++j) row[j] /= heads;
    }
    if (add_residual) {
      AddResidualToRow(row, i, n, options.attention_weight, options.identity_weight);
    }
  }
}

// Rows [begin, end) of F (of Â when `add_residual`) into matrix[begin * n, end * n): for
// float32 a tile of rows of all heads at a time, finished while in cache; otherwise head by
// head, one converted head at a time. Returns whether a NaN or an infinity was met.
bool FuseRows(const AttentionTensor& tensor, int64_t layer, const LayerGraphOptions& options,
              bool add_residual, const LayerHeads& read, int64_t begin, int64_t end,
              double* matrix) {
  const int64_t n = tensor.keys();
  const auto heads = static_cast<double>(tensor.heads());
  if (!read.heads.empty()) {
    for (int64_t row = begin; row < end; row += TileRows(n)) {
      const int64_t rows = std::min(TileRows(n), end - row);
      if (!FuseCells(read.heads, true, options.fuse, row * n, rows * n, matrix + row * n)) {
        return true;
      }
      FinishRows(options, heads, add_residual, n, row, row + rows, matrix);
    }
    return false;
  }
  std::vector<float> scratch;
  for (int64_t h = 0; h < tensor.heads(); ++h) {
    const std::span<const float> head[] = {tensor.HeadValues(layer, h, scratch)};
    if (!FuseCells(head, h == 0, options.fuse, begin * n, (end - begin) * n, matrix + begin * n)) {
      return true;
    }
  }
  FinishRows(options, heads, add_residual, n, begin, end, matrix);
  return false;
}

// Runs band(b) for b = 0..bands-1 on `workers` threads of RunInParallel, each taking the next
// band when done with one (page faults make equal bands take unequal times); returns whether any
// band returned true. An exception (an allocation failure) is that of the lowest band.
template <typename Band>
bool ForEachBand(int64_t bands, int64_t workers, Band band) {
  std::vector<char> found(static_cast<size_t>(bands), 0);
  RunInParallel(static_cast<size_t>(bands), static_cast<int>(workers),
                [&](size_t b) { found[b] = band(static_cast<int64_t>(b)) ? 1 : 0; });
  return std::find(found.begin(), found.end(), 1) != found.end();
}

// One thread per core for `bands` bands of a layer of n x n cells; one for small layers, whose
// threads would cost more than they save.
int64_t Workers(int64_t bands, int64_t n) {
  if (n * n < (1 << 16)) return 1;
  return ThreadsFor(0, static_cast<size_t>(bands));
}

// F of `layer` (Â when `add_residual`), n x n; the mean sums in double, then divides. Each core
// fuses its own band of rows (between GEMMs, so no thread competes with OpenBLAS's).
void FuseLayer(const AttentionTensor& tensor, int64_t layer, const LayerGraphOptions& options,
               bool add_residual, std::vector<double>& matrix) {
  const int64_t n = tensor.keys();
  matrix.resize(static_cast<size_t>(n * n));
  const LayerHeads read = ReadLayer(tensor, layer);
  // Other dtypes are converted a whole head at a time: one band, or each core would convert all.
  const int64_t bands = read.heads.empty() ? 1 : Workers(n, n);
  const bool found = ForEachBand(bands, bands, [&](int64_t b) {
    return FuseRows(tensor, layer, options, add_residual, read, n * b / bands, n * (b + 1) / bands,
                    matrix.data());
  });
  if (found) ThrowFirstNonFinite(tensor, layer);
}

// vit-explain's discard_ratio: the floor(R·n²) smallest entries (ties in row-major order) are
// zeroed, except F[0, 0], which stays even when it is among them.
void DiscardSmallest(std::vector<double>& fused, double ratio) {
  const auto count = static_cast<size_t>(std::floor(ratio * static_cast<double>(fused.size())));
  if (count == 0) return;
  std::vector<size_t> order(fused.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::nth_element(
      order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count - 1), order.end(),
      [&](size_t a, size_t b) { return fused[a] < fused[b] || (fused[a] == fused[b] && a < b); });
  for (size_t k = 0; k < count; ++k) {
    if (order[k] != 0) fused[order[k]] = 0;
  }
}

// Â_l into `matrix`: without a discard, the residual is added to each row as it is fused.
void AdjustedLayer(const AttentionTensor& tensor, int64_t layer, const LayerGraphOptions& options,
                   std::vector<double>& matrix) {
  const bool add_while_fusing = options.residual && options.discard == 0;
  FuseLayer(tensor, layer, options, add_while_fusing, matrix);
  DiscardSmallest(matrix, options.discard);
  if (options.residual && !add_while_fusing) {
    const int64_t n = tensor.keys();
    for (int64_t i = 0; i < n; ++i) {
      AddResidualToRow(matrix.data() + i * n, i, n, options.attention_weight,
                       options.identity_weight);
    }
  }
}

std::vector<double> SelectRows(const std::vector<double>& matrix, std::span<const int64_t> rows,
                               int64_t n) {
  std::vector<double> selected;
  selected.reserve(rows.size() * static_cast<size_t>(n));
  for (int64_t row : rows) {
    selected.insert(selected.end(), matrix.begin() + row * n, matrix.begin() + (row + 1) * n);
  }
  return selected;
}

// product = left (k x n) · right (n x n).
void Multiply(const std::vector<double>& left, const std::vector<double>& right, int64_t n,
              std::vector<double>& product) {
  const auto k = static_cast<blasint>(left.size() / static_cast<size_t>(n));
  const auto m = static_cast<blasint>(n);
  product.resize(left.size());
  if (k == 0 || m == 0) return;
  LoadedBlas().dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, m, m, 1.0, left.data(), m,
                     right.data(), m, 0.0, product.data(), m);
}

// The chain of products with every Â_l built whole: k x n times n x n per layer, by BLAS.
std::vector<double> RolloutByMatrices(const AttentionTensor& tensor,
                                      const LayerGraphOptions& options, LayerSpan span,
                                      std::span<const int64_t> rows) {
  const int64_t n = tensor.keys();
  std::vector<double> matrix;
  AdjustedLayer(tensor, span.last, options, matrix);
  std::vector<double> values = SelectRows(matrix, rows, n);
  std::vector<double> product;
  for (int64_t layer = span.last - 1; layer >= span.first; --layer) {
    AdjustedLayer(tensor, layer, options, matrix);
    Multiply(values, matrix, n, product);
    values.swap(product);
  }
  return values;
}

// product (k x n) += values[:, i] · Â_i for one row i of a layer, `fused` its heads combined by
// FuseCells, folded in as values[:, i] · scale · fused + values[:, i] · diagonal · e_i.
void AddRowProduct(const LayerGraphOptions& options, double heads, int64_t i, const double* fused,
                   const std::vector<double>& values, int64_t n, double* product) {
  double scale = 1 / heads;
  double diagonal = 0;
  if (options.residual) {
    const double sum = options.attention_weight * (Sum(fused, n) / heads) + options.identity_weight;
    const double divisor = sum == 0 ? 1 : sum;  // a row that sums to 0 is left as it is
    scale = options.attention_weight / heads / divisor;
    diagonal = options.identity_weight / divisor;
  }
  for (size_t r = 0; r < values.size() / static_cast<size_t>(n); ++r) {
    const double weight = values[r * n + i];
    if (weight == 0) continue;
    double* out = product + r * n;
    const double factor = weight * scale;
    for (int64_t j = 0; j < n; ++j) out[j] += factor * fused[j];
    out[i] += weight * diagonal;
  }
}

// Whether any of the k rows of `values` (k x n) is nonzero in a column of [begin, end).
bool AnyNonzero(const std::vector<double>& values, int64_t n, int64_t begin, int64_t end) {
  for (size_t r = 0; r < values.size() / static_cast<size_t>(n); ++r) {
    const double* row = values.data() + r * n;
    if (std::any_of(row + begin, row + end, [](double v) { return v != 0; })) return true;
  }
  return false;
}

// product (k x n) += values[:, i] · Â_i for the rows i in [begin, end) of a layer, a tile of
// rows at a time; tiles whose values are all 0 are only checked. Returns whether a NaN or an
// infinity was met.
bool StreamRows(const LayerHeads& read, const LayerGraphOptions& options, int64_t n,
                const std::vector<double>& values, int64_t begin, int64_t end, double* product) {
  const double heads = options.fuse == HeadFuse::kMean ? static_cast<double>(read.heads.size()) : 1;
  std::vector<double> fused(static_cast<size_t>(TileRows(n) * n));
  for (int64_t row = begin; row < end; row += TileRows(n)) {
    const int64_t rows = std::min(TileRows(n), end - row);
    if (!AnyNonzero(values, n, row, row + rows)) {
      if (HasNonFinite(read.heads, row * n, rows * n)) return true;
      continue;
    }
    if (!FuseCells(read.heads, true, options.fuse, row * n, rows * n, fused.data())) return true;
    for (int64_t i = row; i < row + rows; ++i) {
      AddRowProduct(options, heads, i, fused.data() + (i - row) * n, values, n, product);
    }
  }
  return false;
}

// values (k x n) · Â_layer without building Â_layer: a fixed number of bands of rows, each
// summed into its own product, the bands' products added in order.
std::vector<double> StreamLayer(const AttentionTensor& tensor, int64_t layer,
                                const LayerGraphOptions& options,
                                const std::vector<double>& values) {
  const int64_t n = tensor.keys();
  const LayerHeads read = ReadLayer(tensor, layer);
  const auto product_bytes = static_cast<int64_t>(values.size() * sizeof(double));
  const int64_t bands = std::clamp<int64_t>(
      std::min(n, kStreamProductBytes / std::max<int64_t>(1, product_bytes)), 1, kStreamBands);
  std::vector<std::vector<double>> products(static_cast<size_t>(bands));
  const bool found = ForEachBand(bands, Workers(bands, n), [&](int64_t b) {
    std::vector<double>& product = products[static_cast<size_t>(b)];
    product.assign(values.size(), 0.0);
    return StreamRows(read, options, n, values, n * b / bands, n * (b + 1) / bands, product.data());
  });
  if (found) ThrowFirstNonFinite(tensor, layer);
  std::vector<double> total = std::move(products[0]);
  for (size_t b = 1; b < products.size(); ++b) {
    for (size_t j = 0; j < total.size(); ++j) total[j] += products[b][j];
  }
  return total;
}

// The chain of products for a few rows of float32 attention, every layer streamed: rows picks
// its rows out of the last layer as the product of a 0/1 matrix with Â_last.
std::vector<double> RolloutByRows(const AttentionTensor& tensor, const LayerGraphOptions& options,
                                  LayerSpan span, std::span<const int64_t> rows) {
  const int64_t n = tensor.keys();
  std::vector<double> values(rows.size() * static_cast<size_t>(n), 0.0);
  for (size_t r = 0; r < rows.size(); ++r) values[r * static_cast<size_t>(n) + rows[r]] = 1;
  for (int64_t layer = span.last; layer >= span.first; --layer) {
    values = StreamLayer(tensor, layer, options, values);
  }
  return values;
}

}  // namespace

std::vector<int64_t> SelectedRows(std::span<const int64_t> rows, int64_t tokens) {
  for (int64_t row : rows) {
    if (row < 0 || row >= tokens) {
      ThrowUsageError("row " + std::to_string(row) + " is out of range: there are " +
                      Range("token", tokens));
    }
  }
  if (!rows.empty()) return {rows.begin(), rows.end()};
  std::vector<int64_t> all(static_cast<size_t>(tokens));
  std::iota(all.begin(), all.end(), int64_t{0});
  return all;
}

LayerSpan CheckLayerGraph(const AttentionTensor& tensor, const LayerGraphOptions& options) {
  if (tensor.queries() != tensor.keys()) {
    throw Error(ErrorKind::kInput, "expected self-attention with as many queries as keys, found " +
                                       std::to_string(tensor.queries()) + " queries x " +
                                       std::to_string(tensor.keys()) + " keys");
  }
  const LayerSpan span{options.first_layer, options.last_layer.value_or(tensor.layers() - 1)};
  for (int64_t layer : {span.first, span.last}) {
    if (layer < 0 || layer >= tensor.layers()) {
      ThrowUsageError("layer " + std::to_string(layer) + " is out of range: there are " +
                      Range("layer", tensor.layers()));
    }
  }
  if (span.first > span.last) {
    ThrowUsageError("the first layer " + std::to_string(span.first) + " is above the last layer " +
                    std::to_string(span.last));
  }
  if (!(options.discard >= 0 && options.discard < 1)) {
    ThrowUsageError("expected a discard ratio in [0, 1), found " + std::to_string(options.discard));
  }
  if (!(options.attention_weight >= 0 && options.identity_weight >= 0)) {
    ThrowUsageError("expected non-negative residual weights");
  }
  return span;
}

std::vector<double> ResidualAdjustedLayer(const AttentionTensor& tensor, int64_t layer,
                                          const LayerGraphOptions& options) {
  std::vector<double> matrix;
  AdjustedLayer(tensor, layer, options, matrix);
  return matrix;
}

TokenRows Rollout(const AttentionTensor& tensor, const LayerGraphOptions& options,
                  std::span<const int64_t> rows) {
  const LayerSpan span = CheckLayerGraph(tensor, options);
  const int64_t n = tensor.keys();
  TokenRows result{SelectedRows(rows, n), n, {}};
  const bool stream = result.rows.size() <= kMaxStreamedRows && options.discard == 0 &&
                      tensor.dtype() == DType::kF32;
  result.values = stream ? RolloutByRows(tensor, options, span, result.rows)
                         : RolloutByMatrices(tensor, options, span, result.rows);
  return result;
}

}  // namespace attnviz
