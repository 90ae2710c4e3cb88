// Colouring and pooling matrix cells into pixels.
#include "attnviz/render/cell_raster.h"

#include <immintrin.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>

namespace attnviz {
namespace {

constexpr float kBad = std::numeric_limits<float>::quiet_NaN();

// What one block has seen of its unmasked cells; `finite` counts them unless `bad`.
struct BlockSummary {
  double sum = 0;
  int64_t finite = 0;
  float max = -std::numeric_limits<float>::infinity();
  bool bad = false;
  bool unmasked = false;

  float Value(Pooling pooling) const {
    if (bad) return kBad;
    if (!unmasked) return 0;
    return pooling == Pooling::kMax ? max : static_cast<float>(sum / static_cast<double>(finite));
  }
};

// Block k of `blocks` over `count` cells is [BlockStart(k), BlockStart(k + 1)).
int64_t BlockStart(int64_t k, int64_t count, int64_t blocks) { return k * count / blocks; }

// What each column of a band of rows has seen of its unmasked cells, gathered row by row with
// element-wise operations (vectorised) before the columns are summarised block by block.
struct ColumnBand {
  explicit ColumnBand(int64_t cols) : max(cols), probe(cols), sum(cols), count(cols) {}

  std::vector<float> max;      // -inf while no cell came
  std::vector<float> probe;    // Σ 0 · value: NaN once a NaN or an infinity came
  std::vector<double> sum;     // for mean pooling
  std::vector<int32_t> count;  // unmasked cells

  void Clear() {
    std::fill(max.begin(), max.end(), -std::numeric_limits<float>::infinity());
    std::fill(probe.begin(), probe.end(), 0.0f);
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(count.begin(), count.end(), 0);
  }
};

typedef float Floats __attribute__((vector_size(64)));
constexpr int64_t kLanes = 16;

// The unmasked row `values` into the band, sixteen columns at a time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void AddDenseRow(const float* values,
                                                                              int64_t cols,
                                                                              bool with_sum,
                                                                              ColumnBand& band) {
  int64_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
    Floats x, top, probe;
    std::memcpy(&x, values + j, sizeof x);
    std::memcpy(&top, band.max.data() + j, sizeof top);
    std::memcpy(&probe, band.probe.data() + j, sizeof probe);
    top = x > top ? x : top;
    probe += x * 0.0f;
    std::memcpy(band.max.data() + j, &top, sizeof top);
    std::memcpy(band.probe.data() + j, &probe, sizeof probe);
  }
  for (; j < cols; ++j) {
    band.max[j] = values[j] > band.max[j] ? values[j] : band.max[j];
    band.probe[j] += values[j] * 0.0f;
  }
  if (with_sum) {
    for (j = 0; j < cols; ++j) band.sum[j] += values[j];
  }
}

// A row with masked cells into the band, cell by cell.
void AddMaskedRow(const float* values, const uint8_t* masked, int64_t cols, bool with_sum,
                  ColumnBand& band) {
  for (int64_t j = 0; j < cols; ++j) {
    if (masked[j]) continue;
    band.max[j] = values[j] > band.max[j] ? values[j] : band.max[j];
    band.probe[j] += values[j] * 0.0f;
    if (with_sum) band.sum[j] += values[j];
    ++band.count[j];
  }
}

// Rows [begin, end) summarised into one BlockSummary per column block.
void SummarizeRowBlock(const Matrix& matrix, int64_t begin, int64_t end, Pooling pooling,
                       std::span<const int64_t> col_starts, ColumnBand& band,
                       std::vector<BlockSummary>& out) {
  band.Clear();
  const bool with_sum = pooling == Pooling::kMean;
  for (int64_t row = begin; row < end; ++row) {
    const float* values = matrix.values.data() + row * matrix.cols;
    if (matrix.masked.empty()) {
      AddDenseRow(values, matrix.cols, with_sum, band);
    } else {
      AddMaskedRow(values, matrix.masked.data() + row * matrix.cols, matrix.cols, with_sum, band);
    }
  }
  if (matrix.masked.empty()) std::fill(band.count.begin(), band.count.end(), end - begin);
  for (size_t k = 0; k < out.size(); ++k) {
    // Built in place: a summary built aside and copied in stalled on its byte-sized fields (store
    // forwarding), half the time of pooling a grid's panels.
    BlockSummary& summary = out[k];
    summary = BlockSummary{};
    for (int64_t col = col_starts[k]; col < col_starts[k + 1]; ++col) {
      if (band.count[col] == 0) continue;
      summary.unmasked = true;
      summary.bad = summary.bad || std::isnan(band.probe[col]);
      summary.max = std::max(summary.max, band.max[col]);
      summary.sum += band.sum[col];
      summary.finite += band.count[col];
    }
  }
}

// The scale's colours as ARGB32 pixels, converted once rather than per cell.
struct PixelTable {
  std::array<uint32_t, Colormap::kSize> entries;
  uint32_t bad;
  uint32_t masked;
  bool linear;
  double entries_per_unit;  // linear scales: 256 / (vmax - vmin)

  PixelTable(const ColorScale& scale, Rgba masked_color)
      : bad(PremultipliedArgb(kBadColor)),
        masked(PremultipliedArgb(masked_color)),
        linear(scale.norm.kind == NormKind::kLinear || scale.norm.kind == NormKind::kCentered),
        entries_per_unit(Colormap::kSize / (scale.vmax - scale.vmin)) {
    for (int i = 0; i < Colormap::kSize; ++i) {
      entries[i] = PremultipliedArgb(scale.colormap->colors[i]);
    }
  }

  // Exactly PremultipliedArgb(scale.Lookup(value)).
  uint32_t Pixel(const ColorScale& scale, float value) const {
    if (!std::isfinite(value)) return bad;
    if (!(scale.vmax > scale.vmin)) return entries[0];
    return entries[linear ? LinearIndex(scale, value) : ColormapIndex(scale.Normalize(value))];
  }

  // A multiplication instead of matplotlib's division, which differs from it only in the last
  // bits: near an entry boundary, where that could matter, the exact formula decides. Zero is
  // no such boundary (both formulas have the sign of value - vmin), and attention maps are
  // mostly values just above it.
  int LinearIndex(const ColorScale& scale, double value) const {
    double position = (value - scale.vmin) * entries_per_unit;
    if (!(position > 0)) return 0;
    if (position >= Colormap::kSize) return Colormap::kSize - 1;
    double entry = std::floor(position);
    if ((entry > 0 && position - entry < 1e-9) || entry + 1 - position < 1e-9) {
      return ColormapIndex(scale.Normalize(value));
    }
    return static_cast<int>(entry);
  }
};

// Pixels of eight cells of a linear scale with vmax > vmin at once, as PixelTable::Pixel gives
// them; false, writing nothing, when a lane needs the slow path: a value that is not finite, or
// one next to an entry boundary, where matplotlib's division decides.
[[gnu::target("avx512f,avx512vl,avx2")]] inline bool ColourEightAvx512(const PixelTable& table,
                                                                       double vmin,
                                                                       const float* values,
                                                                       uint32_t* out) {
  // The maskz forms: GCC 12 warns of an uninitialised register inside the plain ones.
  const __m512d value = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(values));
  const __m512d position = _mm512_mul_pd(_mm512_sub_pd(value, _mm512_set1_pd(vmin)),
                                         _mm512_set1_pd(table.entries_per_unit));
  const __m512d zero = _mm512_setzero_pd(), size = _mm512_set1_pd(Colormap::kSize);
  const __mmask8 finite = _mm512_cmp_pd_mask(_mm512_sub_pd(value, value), zero, _CMP_EQ_OQ);
  const __mmask8 above = _mm512_cmp_pd_mask(position, zero, _CMP_GT_OQ);
  const __mmask8 inside = above & _mm512_cmp_pd_mask(position, size, _CMP_LT_OQ);
  const __m256i entry = _mm512_maskz_cvttpd_epi32(inside, position);  // floor there, else 0
  const __m512d floor = _mm512_maskz_cvtepi32_pd(0xff, entry);
  const __m512d tiny = _mm512_set1_pd(1e-9);
  const __mmask8 just_above = _mm512_cmp_pd_mask(_mm512_sub_pd(position, floor), tiny, _CMP_LT_OQ) &
                              _mm256_cmpgt_epi32_mask(entry, _mm256_setzero_si256());
  const __mmask8 just_below = _mm512_cmp_pd_mask(
      _mm512_sub_pd(_mm512_add_pd(floor, _mm512_set1_pd(1)), position), tiny, _CMP_LT_OQ);
  if ((inside & (just_above | just_below)) != 0 || finite != 0xff) return false;
  const __mmask8 beyond = _mm512_cmp_pd_mask(position, size, _CMP_GE_OQ);
  const __m256i index =
      _mm256_mask_mov_epi32(entry, beyond, _mm256_set1_epi32(Colormap::kSize - 1));
  const __m256i pixels = _mm256_i32gather_epi32(reinterpret_cast<const int*>(table.entries.data()),
                                                index, sizeof(uint32_t));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), pixels);
  return true;
}

// `values` to pixels, eight at a time with AVX-512 where the scale is linear: a sixth of the time
// of a heatmap of 512 x 512 went to colouring its cells one by one.
[[gnu::target("avx512f,avx512vl,avx2")]] void ColourCellsAvx512(const PixelTable& table,
                                                                const ColorScale& scale,
                                                                std::span<const float> values,
                                                                uint32_t* out) {
  size_t i = 0;
  if (table.linear && scale.vmax > scale.vmin) {
    for (; i + 8 <= values.size(); i += 8) {
      if (ColourEightAvx512(table, scale.vmin, values.data() + i, out + i)) continue;
      for (size_t j = i; j < i + 8; ++j) out[j] = table.Pixel(scale, values[j]);
    }
  }
  for (; i < values.size(); ++i) out[i] = table.Pixel(scale, values[i]);
}

void ColourCells(const PixelTable& table, const ColorScale& scale, std::span<const float> values,
                 uint32_t* out) {
  static const bool avx512 =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  if (avx512) return ColourCellsAvx512(table, scale, values, out);
  for (size_t i = 0; i < values.size(); ++i) out[i] = table.Pixel(scale, values[i]);
}

}  // namespace

uint32_t PremultipliedArgb(Rgba color) {
  auto premultiply = [&](uint32_t channel) { return (channel * color.a + 127) / 255; };
  return (uint32_t{color.a} << 24) | (premultiply(color.r) << 16) | (premultiply(color.g) << 8) |
         premultiply(color.b);
}

Matrix Pool(const Matrix& matrix, int64_t max_rows, int64_t max_cols, Pooling pooling) {
  int64_t rows = std::min(matrix.rows, std::max<int64_t>(max_rows, 1));
  int64_t cols = std::min(matrix.cols, std::max<int64_t>(max_cols, 1));
  if (rows == matrix.rows && cols == matrix.cols) return matrix;
  Matrix pooled{rows, cols, std::vector<float>(rows * cols), {}};
  if (!matrix.masked.empty()) pooled.masked.assign(rows * cols, 0);
  ColumnBand band(matrix.cols);
  std::vector<BlockSummary> blocks(cols);
  std::vector<int64_t> col_starts(cols + 1);  // once: a division each took most of the time
  for (int64_t k = 0; k <= cols; ++k) col_starts[k] = BlockStart(k, matrix.cols, cols);
  for (int64_t k = 0; k < rows; ++k) {
    SummarizeRowBlock(matrix, BlockStart(k, matrix.rows, rows),
                      BlockStart(k + 1, matrix.rows, rows), pooling, col_starts, band, blocks);
    for (int64_t col = 0; col < cols; ++col) {
      pooled.values[k * cols + col] = blocks[col].Value(pooling);
      if (!pooled.masked.empty()) pooled.masked[k * cols + col] = !blocks[col].unmasked;
    }
  }
  return pooled;
}

Matrix PoolMax(const Matrix& matrix, int64_t max_rows, int64_t max_cols) {
  return Pool(matrix, max_rows, max_cols, Pooling::kMax);
}

CellImage RasterizeCells(const Matrix& matrix, const ColorScale& scale, Rgba masked_color,
                         int max_width, int max_height, Pooling pooling) {
  bool fits = matrix.rows <= max_height && matrix.cols <= max_width;
  Matrix pooled = fits ? Matrix{} : Pool(matrix, max_height, max_width, pooling);
  const Matrix& cells = fits ? matrix : pooled;  // no copy of a large matrix that fits
  CellImage image{static_cast<int>(cells.cols), static_cast<int>(cells.rows), {}};
  image.argb.resize(cells.values.size());
  PixelTable table(scale, masked_color);
  ColourCells(table, scale, cells.values, image.argb.data());
  if (!cells.masked.empty()) {
    for (size_t i = 0; i < cells.values.size(); ++i) {
      if (cells.masked[i]) image.argb[i] = table.masked;
    }
  }
  return image;
}

CellImage RasterizeCells(const Matrix& matrix, const Colormap& colormap, double vmin, double vmax,
                         int max_width, int max_height) {
  return RasterizeCells(matrix, ColorScale{&colormap, vmin, vmax, {}}, kBadColor, max_width,
                        max_height);
}

CellImage Magnify(const CellImage& image, int factor) {
  CellImage magnified{image.width * factor, image.height * factor, {}};
  magnified.argb.reserve(static_cast<size_t>(magnified.width) * magnified.height);
  for (int y = 0; y < magnified.height; ++y) {
    const uint32_t* row = &image.argb[static_cast<size_t>(y / factor) * image.width];
    for (int x = 0; x < magnified.width; ++x) magnified.argb.push_back(row[x / factor]);
  }
  return magnified;
}

}  // namespace attnviz
