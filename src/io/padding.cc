// Padding from an attention mask, from pad tokens, or from key columns that are exactly 0.
#include "io/padding.h"

#include <algorithm>
#include <set>
#include <utility>

#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr int64_t kRowsPerBand = 64;  // rows read at a time: a 128k-key head stays small

bool IsPadToken(const std::string& token, const std::vector<std::string>& pad_tokens) {
  static const std::vector<std::string> defaults = {"[PAD]", "<pad>", "<|pad|>"};
  const std::vector<std::string>& pads = pad_tokens.empty() ? defaults : pad_tokens;
  return std::find(pads.begin(), pads.end(), token) != pads.end();
}

// Clears the flag of every key that is not 0 in some row of one head, reading bands from the last
// row up, and stops once the first and last key are cleared: the span of non-zero keys is then
// the whole axis whatever the other rows hold. A softmax head, or a causal one (whose last row
// reaches every key), is read one band deep; only a padded one is read through.
void ClearNonZeroKeys(const AttentionTensor& tensor, int64_t layer, int64_t head,
                      std::vector<bool>& zero) {
  const int64_t keys = tensor.keys();
  std::vector<float> band(static_cast<size_t>(std::min(kRowsPerBand, tensor.queries()) * keys));
  for (int64_t end = tensor.queries(); end > 0 && !zero.empty() && (zero.front() || zero.back());
       end -= kRowsPerBand) {
    const int64_t first = std::max<int64_t>(0, end - kRowsPerBand), count = end - first;
    tensor.ReadRows(layer, head, first, count, std::span<float>(band).first(count * keys));
    for (int64_t row = 0; row < count; ++row) {
      const float* values = band.data() + row * keys;
      for (int64_t key = 0; key < keys; ++key) {
        if (values[key] != 0) zero[static_cast<size_t>(key)] = false;
      }
    }
  }
}

// The first and last head of the first and last layer, each once.
std::set<std::pair<int64_t, int64_t>> HeadsToRead(const AttentionTensor& tensor) {
  std::set<std::pair<int64_t, int64_t>> heads;
  for (int64_t layer : {int64_t{0}, tensor.layers() - 1}) {
    for (int64_t head : {int64_t{0}, tensor.heads() - 1}) heads.emplace(layer, head);
  }
  return heads;
}

// Sets the real positions of the query axis, the key axis or both to `span`.
void SetSpan(Padding& padding, RealSpan span, bool queries, bool keys) {
  if (queries) {
    padding.query_first = span.first;
    padding.query_end = span.end;
  }
  if (keys) {
    padding.key_first = span.first;
    padding.key_end = span.end;
  }
}

const std::vector<bool>& MaskRow(const PaddingEvidence& e) {
  const auto& mask = *e.attention_mask;
  const int64_t batches = e.tensor->batches();
  if (mask.size() != 1 && std::ssize(mask) != batches) {
    ThrowInputError(e.path, "attention_mask has " + std::to_string(mask.size()) +
                                " rows, expected 1 or one per batch item (" +
                                std::to_string(batches) + ")");
  }
  return mask.size() == 1 ? mask.front() : mask[static_cast<size_t>(e.tensor->batch())];
}

Padding FromMask(const PaddingEvidence& e, Padding padding) {
  const std::vector<bool>& row = MaskRow(e);
  const auto n = std::ssize(row);
  const int64_t queries = e.tensor->queries(), keys = e.tensor->keys();
  const bool on_keys = n == keys, on_queries = n == queries && (!e.cross || !on_keys);
  if (!on_keys && !on_queries) {
    ThrowInputError(e.path,
                    "attention_mask has " + std::to_string(n) + " positions, expected " +
                        std::to_string(keys) + " (one per key)" +
                        (e.cross ? " or " + std::to_string(queries) + " (one per query)" : ""));
  }
  padding.source = PaddingSource::kAttentionMask;
  if (const auto span = SpanOfFlags(row)) {
    SetSpan(padding, *span, on_queries, on_keys);
  }
  const int64_t items = e.tensor->batches();
  for (int64_t item = 0; item < items; ++item) {
    const auto& flags =
        e.attention_mask->size() == 1 ? e.attention_mask->front() : (*e.attention_mask)[item];
    const auto span = SpanOfFlags(flags);
    padding.item_lengths.push_back(span ? span->size() : 0);
  }
  return padding;
}

std::vector<int64_t> ItemLengths(const PaddingEvidence& e, int64_t selected_length) {
  std::vector<int64_t> lengths(static_cast<size_t>(e.tensor->batches()), -1);
  if (e.item_tokens && std::ssize(*e.item_tokens) == e.tensor->batches()) {
    for (size_t item = 0; item < lengths.size(); ++item) {
      lengths[item] = SpanOfTokens((*e.item_tokens)[item], e.pad_tokens).size();
    }
  }
  lengths[static_cast<size_t>(e.tensor->batch())] = selected_length;
  return lengths;
}

Padding FromTokens(const PaddingEvidence& e, Padding padding) {
  const int64_t queries = e.tensor->queries(), keys = e.tensor->keys();
  const auto span_of = [&](const std::vector<std::string>* tokens, int64_t extent) {
    return tokens ? SpanOfTokens(*tokens, e.pad_tokens) : RealSpan{0, extent};
  };
  if (e.cross) {
    SetSpan(padding, span_of(e.query_tokens, queries), true, false);
    SetSpan(padding, span_of(e.key_tokens, keys), false, true);
  } else {
    SetSpan(padding, span_of(e.key_tokens ? e.key_tokens : e.query_tokens, keys), true, true);
  }
  if (padding.query_end - padding.query_first == queries &&
      padding.key_end - padding.key_first == keys) {
    return padding;  // no pad token at either end
  }
  padding.source = PaddingSource::kPadTokens;
  padding.item_lengths = ItemLengths(e, padding.key_end - padding.key_first);
  return padding;
}

Padding FromZeroKeys(const PaddingEvidence& e, Padding padding) {
  const RealSpan span = SpanOfNonZeroKeys(*e.tensor);
  if (span.size() == e.tensor->keys()) return padding;
  padding.source = PaddingSource::kZeroKeys;
  SetSpan(padding, span, !e.cross, true);
  padding.item_lengths = ItemLengths(e, span.size());
  return padding;
}

}  // namespace

std::optional<RealSpan> SpanOfFlags(const std::vector<bool>& flags) {
  const auto first = std::find(flags.begin(), flags.end(), true);
  if (first == flags.end()) return std::nullopt;
  const auto last = std::find(flags.rbegin(), flags.rend(), true);
  return RealSpan{first - flags.begin(), flags.rend() - last};
}

RealSpan SpanOfTokens(const std::vector<std::string>& tokens,
                      const std::vector<std::string>& pad_tokens) {
  std::vector<bool> real;
  for (const std::string& token : tokens) real.push_back(!IsPadToken(token, pad_tokens));
  return SpanOfFlags(real).value_or(RealSpan{0, std::ssize(tokens)});
}

RealSpan SpanOfNonZeroKeys(const AttentionTensor& tensor) {
  std::vector<bool> zero(static_cast<size_t>(tensor.keys()), true);
  for (const auto& [layer, head] : HeadsToRead(tensor)) {
    ClearNonZeroKeys(tensor, layer, head, zero);
    if (std::find(zero.begin(), zero.end(), true) == zero.end()) break;
  }
  std::vector<bool> real(zero.size());
  std::transform(zero.begin(), zero.end(), real.begin(), [](bool z) { return !z; });
  return SpanOfFlags(real).value_or(RealSpan{0, tensor.keys()});
}

Padding FindPadding(const PaddingEvidence& e) {
  Padding padding;
  padding.query_end = e.tensor->queries();
  padding.key_end = e.tensor->keys();
  if (e.attention_mask) return FromMask(e, padding);
  if (e.key_tokens || e.query_tokens) {
    Padding from_tokens = FromTokens(e, padding);
    if (from_tokens.source != PaddingSource::kNone) return from_tokens;
  }
  return FromZeroKeys(e, padding);
}

}  // namespace attnviz
