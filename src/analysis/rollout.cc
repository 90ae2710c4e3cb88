// Attention rollout: fused, residual-adjusted layer matrices multiplied with BLAS in double.
#include "attnviz/analysis/rollout.h"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <numeric>
#include <string>
#include <thread>

#include "attnviz/error.h"

namespace attnviz {

namespace {

std::string Range(const char* what, int64_t count) {
  return std::to_string(count) + " " + what +
         (count == 1 ? " (0)" : "s (0.." + std::to_string(count - 1) + ")");
}

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

// Whether `values` holds a NaN or an infinity: a test of the exponent bits, which compilers
// vectorise, unlike std::isfinite.
bool HasNonFinite(std::span<const float> values) {
  uint32_t all_ones = 0;
  for (float value : values) {
    const auto bits = std::bit_cast<uint32_t>(value);
    all_ones |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return all_ones != 0;
}

// Cells [begin, end) of every head of `layer` combined into fused[begin, end).
void FuseCells(const AttentionTensor& tensor, int64_t layer, HeadFuse fuse, size_t begin,
               size_t end, std::vector<double>& fused) {
  std::vector<float> scratch;  // stays empty when the dump holds float32 rows
  double* out = fused.data() + begin;
  const size_t count = end - begin;
  for (int64_t h = 0; h < tensor.heads(); ++h) {
    const std::span<const float> head = tensor.HeadValues(layer, h, scratch).subspan(begin, count);
    if (HasNonFinite(head))
      CheckFinite(tensor.HeadValues(layer, h, scratch), layer, h, tensor.keys());
    if (h == 0) {
      std::copy(head.begin(), head.end(), out);
    } else if (fuse == HeadFuse::kMean) {
      for (size_t c = 0; c < count; ++c) out[c] += head[c];
    } else if (fuse == HeadFuse::kMax) {
      for (size_t c = 0; c < count; ++c) out[c] = std::max(out[c], double{head[c]});
    } else {
      for (size_t c = 0; c < count; ++c) out[c] = std::min(out[c], double{head[c]});
    }
  }
  if (fuse == HeadFuse::kMean) {
    for (size_t c = 0; c < count; ++c) out[c] /= static_cast<double>(tensor.heads());
  }
}

// F: the heads of `layer` combined cell by cell; the mean sums in double, then divides. Each core
// fuses its own band of cells (between GEMMs, so no thread competes with OpenBLAS's).
std::vector<double> FusedHeads(const AttentionTensor& tensor, int64_t layer, HeadFuse fuse) {
  std::vector<double> fused(static_cast<size_t>(tensor.HeadSize()));
  const size_t cells = fused.size();
  // Other dtypes are converted a whole head at a time: one band, or each core would convert all.
  const size_t workers = tensor.dtype() != DType::kF32
                             ? 1
                             : std::clamp<size_t>(std::thread::hardware_concurrency(), 1,
                                                  std::max<size_t>(1, cells / (1 << 16)));
  std::vector<std::exception_ptr> failures(workers);
  auto band = [&](size_t w) {
    try {
      FuseCells(tensor, layer, fuse, cells * w / workers, cells * (w + 1) / workers, fused);
    } catch (...) {
      failures[w] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(band, w);
  band(0);
  for (std::thread& thread : pool) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return fused;
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

// Â = (a·F + b·I) with each row divided by its sum; a row that sums to 0 is left as it is.
void AddResidual(std::vector<double>& matrix, int64_t n, double a, double b) {
  for (int64_t i = 0; i < n; ++i) {
    double* row = matrix.data() + i * n;
    for (int64_t j = 0; j < n; ++j) row[j] *= a;
    row[i] += b;
    double sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += row[j];
    if (sum == 0) continue;
    for (int64_t j = 0; j < n; ++j) row[j] /= sum;
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
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, m, m, 1.0, left.data(), m, right.data(),
              m, 0.0, product.data(), m);
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
  std::vector<double> matrix = FusedHeads(tensor, layer, options.fuse);
  DiscardSmallest(matrix, options.discard);
  if (options.residual) {
    AddResidual(matrix, tensor.keys(), options.attention_weight, options.identity_weight);
  }
  return matrix;
}

TokenRows Rollout(const AttentionTensor& tensor, const LayerGraphOptions& options,
                  std::span<const int64_t> rows) {
  const LayerSpan span = CheckLayerGraph(tensor, options);
  const int64_t n = tensor.keys();
  TokenRows result{SelectedRows(rows, n), n, {}};
  result.values = SelectRows(ResidualAdjustedLayer(tensor, span.last, options), result.rows, n);
  std::vector<double> product;
  for (int64_t layer = span.last - 1; layer >= span.first; --layer) {
    Multiply(result.values, ResidualAdjustedLayer(tensor, layer, options), n, product);
    result.values.swap(product);
  }
  return result;
}

}  // namespace attnviz
