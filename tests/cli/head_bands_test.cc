// A heatmap's heads read in bands hold, band by band, exactly the matrix CellSelection makes of the
// whole head: the same values bit for bit and the same mask flags, whatever the band height, with
// masks, padding, crops, renormalised rows and fused heads, on sizes no band height divides.
#include "cli/head_bands.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "support/tensors.h"

namespace attnviz::cli {
namespace {

constexpr int64_t kLayers = 2, kHeads = 3, kQueries = 13, kKeys = 11;

// Two layers of three 13 x 11 heads: noise with a NaN, where head 0 of each layer is causal-looking
// (zero right of the diagonal), head 1 has its last two rows and last key zero (padding) and
// head 2 has no zeros.
std::vector<float> HeadValues() {
  std::vector<float> values;
  uint32_t state = 7;
  for (int64_t layer = 0; layer < kLayers; ++layer) {
    for (int64_t head = 0; head < kHeads; ++head) {
      for (int64_t q = 0; q < kQueries; ++q) {
        for (int64_t k = 0; k < kKeys; ++k) {
          state = state * 1664525u + 1013904223u;
          float value = static_cast<float>(state >> 8) / 16777216.0f;
          if (head == 0 && k > q + kKeys - kQueries) value = 0;
          if (head == 1 && (q >= kQueries - 2 || k == kKeys - 1)) value = 0;
          values.push_back(value);
        }
      }
    }
  }
  values[(1 * kHeads + 2) * kQueries * kKeys + 4 * kKeys + 5] =
      std::numeric_limits<float>::quiet_NaN();
  return values;
}

bool Identical(const Matrix& a, const Matrix& b) {
  return a.rows == b.rows && a.cols == b.cols && a.masked == b.masked &&
         a.values.size() == b.values.size() &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

// What heatmap_command drew before bands: the whole head masked, fused, then cropped.
Matrix WholeWay(const AttentionTensor& tensor, const CellSelection& cells,
                const std::vector<std::pair<int64_t, int64_t>>& heads,
                std::optional<Fusion> fusion) {
  if (!fusion) return cells.Shown(cells.ReadMasked(tensor, heads[0].first, heads[0].second));
  HeadFusion fused(*fusion);
  for (auto [layer, head] : heads) fused.Add(cells.ReadMasked(tensor, layer, head));
  return cells.Shown(fused.Result());
}

// The selections tried: every mask mode, kept padding, crops and renormalised rows.
std::vector<CellSelection> Selections() {
  std::vector<CellSelection> selections;
  for (MaskMode mode : {MaskMode::kDetect, MaskMode::kCausal, MaskMode::kNone}) {
    CellSelection whole{{0, kQueries}, {0, kKeys}, mode, false, {}, {}};
    selections.push_back(whole);
    CellSelection cropped = whole;
    cropped.queries = {2, 12};
    cropped.keys = {1, 8};
    cropped.row_normalize = true;
    selections.push_back(cropped);
    CellSelection padded = whole;  // a dump whose padding is kept: rows 1-10, keys 0-8 real
    padded.real_queries = {1, 11};
    padded.real_keys = {0, 9};
    selections.push_back(padded);
    padded.keys = {3, 11};
    selections.push_back(padded);
  }
  return selections;
}

TEST_CASE("a head read in bands is the head CellSelection reads whole, masked and cropped") {
  const AttentionTensor tensor =
      testing::MakeTensor({kLayers, kHeads, kQueries, kKeys}, HeadValues());
  int cases = 0;
  for (const CellSelection& cells : Selections()) {
    for (int64_t layer = 0; layer < kLayers; ++layer) {
      for (int64_t head = 0; head < kHeads; ++head) {
        for (int64_t band_rows : {1, 3, 4, 100}) {
          HeadBands bands(tensor, cells, {{layer, head}}, std::nullopt, band_rows * kKeys * 4);
          CAPTURE(static_cast<int>(cells.mask));
          CAPTURE(head);
          CAPTURE(band_rows);
          CHECK(bands.band_rows() == band_rows);
          const Matrix whole = WholeWay(tensor, cells, {{layer, head}}, std::nullopt);
          CHECK(Identical(ReadWhole(bands), whole));
          CHECK(bands.masked() == !whole.masked.empty());
          ++cases;
        }
      }
    }
  }
  CHECK(cases == 12 * 6 * 4);
}

TEST_CASE("fused heads read in bands are the fusion of the whole heads") {
  const AttentionTensor tensor =
      testing::MakeTensor({kLayers, kHeads, kQueries, kKeys}, HeadValues());
  const std::vector<std::vector<std::pair<int64_t, int64_t>>> head_sets = {
      {{0, 0}, {0, 1}, {0, 2}}, {{0, 0}, {1, 0}}, {{1, 1}}, {{0, 2}, {1, 2}}};
  for (const CellSelection& cells : Selections()) {
    for (Fusion fusion : {Fusion::kMean, Fusion::kMax, Fusion::kMin}) {
      for (const auto& heads : head_sets) {
        HeadBands bands(tensor, cells, heads, fusion, 3 * kKeys * 4);
        CAPTURE(static_cast<int>(fusion));
        CAPTURE(heads.size());
        CHECK(Identical(ReadWhole(bands), WholeWay(tensor, cells, heads, fusion)));
      }
    }
  }
}

TEST_CASE("the mask flags of a band alone are those read with its values") {
  const AttentionTensor tensor =
      testing::MakeTensor({kLayers, kHeads, kQueries, kKeys}, HeadValues());
  for (const CellSelection& cells : Selections()) {
    HeadBands bands(tensor, cells, {{0, 0}, {0, 1}}, Fusion::kMax, 4 * kKeys * 4);
    Matrix band;
    std::vector<uint8_t> flags;
    bands.ReadBand(2, 5, band);
    bands.ReadMask(2, 5, flags);
    CHECK(flags == band.masked);
  }
}

// Rows a figure reads in place (MatrixBands::RowsInPlace) must be the rows ReadBand copies, and be
// offered only for one unmasked head shown as stored.
TEST_CASE("rows in place are the rows ReadBand reads, offered for one unmasked head as stored") {
  const AttentionTensor tensor =
      testing::MakeTensor({kLayers, kHeads, kQueries, kKeys}, HeadValues());
  int in_place = 0;
  for (const CellSelection& cells : Selections()) {
    for (int64_t head = 0; head < kHeads; ++head) {
      const HeadBands bands(tensor, cells, {{1, head}}, std::nullopt, 3 * kKeys * 4);
      const bool as_stored = !bands.masked() && cells.keys.size() == kKeys && !cells.row_normalize;
      for (int64_t first = 0; first < bands.rows(); first += 3) {
        const int64_t count = std::min<int64_t>(3, bands.rows() - first);
        const std::span<const float> rows = bands.RowsInPlace(first, count);
        CAPTURE(static_cast<int>(cells.mask));
        CAPTURE(head);
        CHECK(rows.empty() == !as_stored);
        if (rows.empty()) continue;
        Matrix band;
        bands.ReadBand(first, count, band);
        REQUIRE(rows.size() == band.values.size());
        CHECK(std::memcmp(rows.data(), band.values.data(), rows.size_bytes()) == 0);
        ++in_place;
      }
    }
    const HeadBands fused(tensor, cells, {{0, 2}, {1, 2}}, Fusion::kMean, 3 * kKeys * 4);
    CHECK(fused.RowsInPlace(0, 3).empty());
  }
  CHECK(in_place > 0);
}

}  // namespace
}  // namespace attnviz::cli
