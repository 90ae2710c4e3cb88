// Heads read for a heatmap a band of query rows at a time, masked as the whole head would be.
#include "cli/head_bands.h"

#include <algorithm>
#include <numeric>

#include "attnviz/error.h"

namespace attnviz::cli {

HeadBands::HeadBands(const AttentionTensor& tensor, const CellSelection& cells,
                     std::vector<std::pair<int64_t, int64_t>> heads, std::optional<Fusion> fusion,
                     int64_t band_bytes)
    : tensor_(tensor), cells_(cells), fusion_(fusion) {
  if (heads.empty() || (!fusion && heads.size() != 1)) {
    ThrowUsageError("a heatmap draws one head, or a fusion of at least one");
  }
  band_rows_ = std::max<int64_t>(
      1, band_bytes / std::max<int64_t>(1, tensor.keys() * static_cast<int64_t>(sizeof(float))));
  for (auto [layer, head] : heads) heads_.push_back(MaskedHead(layer, head));
  masked_ = std::all_of(heads_.begin(), heads_.end(), [](const Head& h) { return h.masked; });
}

// MaskPaddingOfRows leaves the whole head's flags alone exactly when every row is real and so
// is every key.
bool HeadBands::PaddingMasks() const {
  const IndexRange& real = cells_.real_queries;
  const bool padded_rows = real.begin > 0 || real.end < tensor_.queries();
  return real.size() > 0 && (cells_.real_keys.size() != tensor_.keys() || padded_rows);
}

HeadBands::Head HeadBands::MaskedHead(int64_t layer, int64_t head) const {
  const int64_t queries = tensor_.queries(), keys = tensor_.keys();
  const std::span<const float> in_place = tensor_.HeadInPlace(layer, head);
  const auto read = [&](int64_t first, int64_t count,
                        std::vector<float>& scratch) -> std::span<const float> {
    if (!in_place.empty()) {
      return in_place.subspan(static_cast<size_t>(first * keys), static_cast<size_t>(count * keys));
    }
    scratch.resize(static_cast<size_t>(count * keys));
    tensor_.ReadRows(layer, head, first, count, scratch);
    return scratch;
  };
  MaskShape mask = cells_.mask == MaskMode::kDetect
                       ? MaskShape::Detect(queries, keys, band_rows_, read)
                       : MaskShape::Fixed(queries, keys, cells_.mask);
  const bool masked = mask.any() || (cells_.mask != MaskMode::kNone && PaddingMasks());
  return {layer, head, std::move(mask), masked};
}

void HeadBands::ReadHeadRows(const Head& head, int64_t first, int64_t count, bool values,
                             Matrix& out) const {
  const int64_t keys = tensor_.keys();
  out.rows = count;
  out.cols = keys;
  out.values.resize(values ? static_cast<size_t>(count * keys) : 0);
  if (values) tensor_.ReadRows(head.layer, head.head, first, count, out.values);
  out.masked.resize(head.masked ? static_cast<size_t>(count * keys) : 0);
  if (!head.masked) return;
  head.mask.Flags(first, count, out.masked.data());
  if (cells_.mask == MaskMode::kNone) return;
  std::vector<int64_t> rows(static_cast<size_t>(count));
  std::iota(rows.begin(), rows.end(), first);
  cells_.MaskPaddingOfRows(out, rows);
}

void HeadBands::ReadFused(int64_t first, int64_t count, bool values, Matrix& out) const {
  if (!fusion_) return ReadHeadRows(heads_.front(), first, count, values, out);
  HeadFusion fusion(*fusion_);
  for (const Head& head : heads_) {
    ReadHeadRows(head, first, count, values, out);
    fusion.Add(out);
  }
  out = fusion.Result();
}

void HeadBands::ReadBand(int64_t first, int64_t count, Matrix& band) const {
  ReadFused(cells_.queries.begin + first, count, true, band);
  if (cells_.keys.size() != tensor_.keys()) band = Crop(band, {0, count}, cells_.keys);
  if (cells_.row_normalize) band = RowNormalized(std::move(band));
}

std::span<const float> HeadBands::RowsInPlace(int64_t first, int64_t count) const {
  const bool as_stored = heads_.size() == 1 && !fusion_ && !masked_ &&
                         cells_.keys.size() == tensor_.keys() && !cells_.row_normalize;
  if (!as_stored) return {};
  const std::span<const float> head = tensor_.HeadInPlace(heads_[0].layer, heads_[0].head);
  if (head.empty()) return {};
  const int64_t keys = tensor_.keys();
  return head.subspan(static_cast<size_t>((cells_.queries.begin + first) * keys),
                      static_cast<size_t>(count * keys));
}

void HeadBands::ReadMask(int64_t first, int64_t count, std::vector<uint8_t>& flags) const {
  Matrix band;
  ReadFused(cells_.queries.begin + first, count, false, band);
  if (cells_.keys.size() != tensor_.keys() && !band.masked.empty()) {
    band.values.resize(band.masked.size());  // Crop copies values alongside the flags
    band = Crop(band, {0, count}, cells_.keys);
  }
  flags = std::move(band.masked);
}

}  // namespace attnviz::cli
