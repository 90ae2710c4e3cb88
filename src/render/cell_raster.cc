// Colouring and pooling matrix cells into pixels.
#include "attnviz/render/cell_raster.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>

#include "row_cursor.h"
#include "simd/kernels.h"

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

// The unmasked row `values` into the band, a vector of columns at a time (src/simd).
void AddDenseRow(const float* values, int64_t cols, bool with_sum, ColumnBand& band) {
  simd::AddToColumnMaxima(values, static_cast<size_t>(cols), band.max.data(), band.probe.data());
  if (with_sum) {
    for (int64_t j = 0; j < cols; ++j) band.sum[j] += values[j];
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
void SummarizeRowBlock(RowCursor& rows, int64_t begin, int64_t end, Pooling pooling,
                       std::span<const int64_t> col_starts, ColumnBand& band,
                       std::vector<BlockSummary>& out) {
  band.Clear();
  const bool with_sum = pooling == Pooling::kMean;
  const int64_t cols = rows.cols();
  for (int64_t row = begin; row < end; ++row) {
    const float* values = rows.Values(row);
    if (!rows.masked()) {
      AddDenseRow(values, cols, with_sum, band);
    } else {
      AddMaskedRow(values, rows.Flags(row), cols, with_sum, band);
    }
  }
  if (!rows.masked()) std::fill(band.count.begin(), band.count.end(), end - begin);
  for (size_t k = 0; k < out.size(); ++k) {
    // Summed in locals and stored field by field: a summary built in place kept its fields in
    // memory (a fifth of a grid's pooling), and one built aside and copied in whole stalled on its
    // byte-sized fields (store forwarding).
    double sum = 0;
    int64_t finite = 0;
    float max = -std::numeric_limits<float>::infinity();
    bool bad = false, unmasked = false;
    for (int64_t col = col_starts[k]; col < col_starts[k + 1]; ++col) {
      if (band.count[col] == 0) continue;
      unmasked = true;
      bad = bad || std::isnan(band.probe[col]);
      max = std::max(max, band.max[col]);
      sum += band.sum[col];
      finite += band.count[col];
    }
    BlockSummary& summary = out[k];
    summary.sum = sum;
    summary.finite = finite;
    summary.max = max;
    summary.bad = bad;
    summary.unmasked = unmasked;
  }
}

// The rows of `rows` pooled into rows x cols blocks (rows and cols at most the matrix's).
Matrix PoolRows(RowCursor& source, int64_t rows, int64_t cols, Pooling pooling) {
  Matrix pooled{rows, cols, std::vector<float>(rows * cols), {}};
  if (source.masked()) pooled.masked.assign(rows * cols, 0);
  ColumnBand band(source.cols());
  std::vector<BlockSummary> blocks(cols);
  std::vector<int64_t> col_starts(cols + 1);  // once: a division each took most of the time
  for (int64_t k = 0; k <= cols; ++k) col_starts[k] = BlockStart(k, source.cols(), cols);
  for (int64_t k = 0; k < rows; ++k) {
    SummarizeRowBlock(source, BlockStart(k, source.rows(), rows),
                      BlockStart(k + 1, source.rows(), rows), pooling, col_starts, band, blocks);
    for (int64_t col = 0; col < cols; ++col) {
      pooled.values[k * cols + col] = blocks[col].Value(pooling);
      if (!pooled.masked.empty()) pooled.masked[k * cols + col] = !blocks[col].unmasked;
    }
  }
  return pooled;
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

// `values` to pixels, a vector at a time where the scale is linear (a sixth of the time of a
// heatmap of 512 x 512 went to colouring its cells one by one); cells next to an entry boundary or
// not finite one by one, as PixelTable::Pixel gives them.
void ColourCells(const PixelTable& table, const ColorScale& scale, std::span<const float> values,
                 uint32_t* out) {
  struct OneByOne {
    const PixelTable& table;
    const ColorScale& scale;
    std::span<const float> values;
    uint32_t* out;
  } one_by_one{table, scale, values, out};
  auto exactly = [](void* context, size_t begin, size_t end) {
    const auto& c = *static_cast<const OneByOne*>(context);
    for (size_t i = begin; i < end; ++i) c.out[i] = c.table.Pixel(c.scale, c.values[i]);
  };
  if (!table.linear || !(scale.vmax > scale.vmin)) return exactly(&one_by_one, 0, values.size());
  const simd::LinearLookup lookup{table.entries.data(), Colormap::kSize, scale.vmin,
                                  table.entries_per_unit};
  simd::ColourLinear(lookup, values.data(), values.size(), out, exactly, &one_by_one);
}

// The cells of `cells` as pixels into out, masked cells in the table's masked colour.
void ColourInto(std::span<const float> values, std::span<const uint8_t> flags,
                const PixelTable& table, const ColorScale& scale, uint32_t* out) {
  ColourCells(table, scale, values, out);
  for (size_t i = 0; i < flags.size(); ++i) {
    if (flags[i]) out[i] = table.masked;
  }
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
  RowCursor source(matrix);
  return PoolRows(source, rows, cols, pooling);
}

Matrix Pool(const MatrixBands& bands, int64_t max_rows, int64_t max_cols, Pooling pooling) {
  int64_t rows = std::min(bands.rows(), std::max<int64_t>(max_rows, 1));
  int64_t cols = std::min(bands.cols(), std::max<int64_t>(max_cols, 1));
  if (rows == bands.rows() && cols == bands.cols()) return ReadWhole(bands);
  RowCursor source(bands);
  return PoolRows(source, rows, cols, pooling);
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
  ColourInto(cells.values, cells.masked, PixelTable(scale, masked_color), scale, image.argb.data());
  return image;
}

CellImage RasterizeCells(const MatrixBands& bands, const ColorScale& scale, Rgba masked_color,
                         int max_width, int max_height, Pooling pooling) {
  if (bands.rows() > max_height || bands.cols() > max_width) {
    return RasterizeCells(Pool(bands, max_height, max_width, pooling), scale, masked_color,
                          max_width, max_height, pooling);
  }
  // One pixel per cell: coloured a band at a time, never holding the values whole.
  CellImage image{static_cast<int>(bands.cols()), static_cast<int>(bands.rows()), {}};
  image.argb.resize(static_cast<size_t>(bands.rows() * bands.cols()));
  const PixelTable table(scale, masked_color);
  ForEachBand(bands,
              [&](int64_t first, std::span<const float> values, std::span<const uint8_t> flags) {
                ColourInto(values, flags, table, scale, image.argb.data() + first * bands.cols());
              });
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
