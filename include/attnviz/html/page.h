// The interactive explorer: one self-contained offline HTML file holding a dump's heads, tokens,
// statistics and classes, with the model, head, heatmap, text and table views (docs/html.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/analysis/classify.h"
#include "attnviz/analysis/head_stats.h"
#include "attnviz/analysis/rollout.h"
#include "attnviz/tensor/attention_tensor.h"

namespace attnviz::html {

struct PageOptions {
  int bits = 8;             // 8 or 16 bits per embedded value
  int level = 6;            // libdeflate level of the zlib streams
  int thumbnail_side = 48;  // model-view thumbnails: at most this many bins a side, max-pooled
  std::string colormap = "viridis";
  std::string theme = "light";  // the theme the page opens in: "light" or "dark"
  int threads = 1;              // heads encoded in parallel; the bytes do not depend on it
  // Called once per head encoded, from any of the threads; may be empty. For a progress bar.
  std::function<void()> head_encoded;
};

// Everything a page shows. `tensor` must stay alive during RenderPage; it is read one head at a
// time, so a page of a dump larger than memory needs memory for the encoded page only.
struct PageInput {
  const AttentionTensor* tensor = nullptr;
  std::vector<std::pair<int64_t, int64_t>> heads;  // (layer, head) in the dump, layer-major
  std::string title;                               // the page's title and heading
  std::string source;                              // the input file as given
  int64_t layer_offset = 0;                        // the model's number of the dump's layer 0
  int64_t head_offset = 0;
  std::optional<std::vector<std::string>> query_tokens;
  std::optional<std::vector<std::string>> key_tokens;
  std::vector<HeadStats> stats;      // of the heads in `heads`, any order; may be empty
  std::vector<HeadClass> classes;    // the same
  std::optional<TokenRows> rollout;  // every row, for the text view; queries == keys
  std::optional<TokenRows> flow;     // the same, of attention flow
};

// The page: UTF-8 HTML with every style, script and datum inline, no reference to anything
// outside itself, and the same bytes for the same input and options whatever `threads` is.
// Throws a usage Error for bits other than 8 or 16 or a colormap FindColormap does not know.
std::string RenderPage(const PageInput& input, const PageOptions& options);

}  // namespace attnviz::html
