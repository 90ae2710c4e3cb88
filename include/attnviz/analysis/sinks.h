// Attention sinks over many inputs: each head's mass on the first token, on special tokens and on
// punctuation, and which key takes the most, accumulated one input at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "attnviz/tensor/attention_tensor.h"

namespace attnviz {

struct SinksOptions {
  std::optional<std::vector<std::string>> special_tokens;  // replaces the default special set
  int threads = 0;  // spreads each input's heads (0: one per hardware thread)
};

// One head over every input (docs/analyses.md "sinks"). Masses are means over the rows of real
// tokens of every input, of the stored weights; token masses are NaN when no input had tokens.
struct HeadSinks {
  int64_t layer = 0;
  int64_t head = 0;
  double first = 0;                        // on the first real key
  double special = 0;                      // on special-token keys
  double punct = 0;                        // on punctuation keys
  std::map<std::string, double> by_token;  // on the keys of each special token, by its text
  // The role of the key with the largest mean column mass in most inputs: a special token or
  // punctuation by its text ("[SEP]", "."), else "first", "last" or "other"; ties by name.
  std::string sink;
  double sink_inputs = 0;  // the share of inputs where that role took the most
  double sink_mass = 0;    // the largest mean column mass, averaged over the inputs
  int64_t rows = 0;        // rows of real tokens over every input
  int64_t inputs = 0;
};

// The masses of every head over a series of inputs: Add each, then Results.
class SinkMasses {
 public:
  explicit SinkMasses(SinksOptions options) : options_(std::move(options)) {}

  // Adds one input. The first fixes layers x heads; another shape is an input Error naming
  // `name`. Key tokens enable the token masses and roles.
  void Add(const AttentionTensor& tensor,
           const std::optional<std::vector<std::string>>& query_tokens,
           const std::optional<std::vector<std::string>>& key_tokens, const std::string& name);

  // Every head, layer-major, as dump indexes; by_token holds every special token seen.
  std::vector<HeadSinks> Results() const;

  // The special tokens seen among the real keys of any input, sorted.
  std::vector<std::string> SpecialTokens() const;

  // The text of the first real key when every input with tokens has the same, else empty.
  std::string FirstTokenText() const {
    return first_texts_.size() == 1 ? *first_texts_.begin() : "";
  }

  // One head's running sums (private to sinks.cc).
  struct Sums {
    double first = 0, special = 0, punct = 0, sink_mass = 0;
    std::map<std::string, double> by_token;
    std::map<std::string, int64_t> sink_roles;
    int64_t rows = 0, token_rows = 0, inputs = 0;
  };

 private:
  SinksOptions options_;
  int64_t layers_ = -1;
  int64_t heads_ = -1;
  std::vector<Sums> sums_;
  std::set<std::string> special_seen_;
  std::set<std::string> first_texts_;
};

// The mean and the quartiles (numpy's linear percentiles 25 and 75) of one measure over the heads
// of each layer: the spread the sinks figure draws.
struct LayerSpread {
  double mean = 0;
  double q25 = 0;
  double q75 = 0;
};
std::vector<LayerSpread> SpreadByLayer(const std::vector<double>& per_head, int64_t heads);

}  // namespace attnviz
