// Labels from pattern scores: thresholds, the order of preference, and the per-head pass.
#include "attnviz/analysis/classify.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "analysis/stats_parallel.h"
#include "analysis/stats_pattern_scores.h"
#include "attnviz/error.h"

namespace attnviz {

namespace {

constexpr std::array<std::string_view, kPatternCount> kNames = {
    "self",  "previous", "next",  "first",     "special",   "offset", "reorder",
    "block", "local",    "align", "duplicate", "induction", "peaked", "diffuse"};

constexpr std::array<Pattern, kPatternCount> kAll = {
    Pattern::kSelf,      Pattern::kPrevious,  Pattern::kNext,   Pattern::kFirst,  Pattern::kSpecial,
    Pattern::kOffset,    Pattern::kReorder,   Pattern::kBlock,  Pattern::kLocal,  Pattern::kAlign,
    Pattern::kDuplicate, Pattern::kInduction, Pattern::kPeaked, Pattern::kDiffuse};

// Shapes rather than rules: they label a head only when no rule does.
bool IsGeneric(Pattern p) { return p == Pattern::kPeaked || p == Pattern::kDiffuse; }

// The patterns at or above their thresholds, best score first, ties in enum order.
std::vector<Pattern> Passing(const HeadClass& head, const ClassifyThresholds& thresholds) {
  std::vector<Pattern> passing;
  for (Pattern p : kAll) {
    if (head.score(p) >= thresholds[p]) passing.push_back(p);  // false for NaN
  }
  std::stable_sort(passing.begin(), passing.end(),
                   [&](Pattern a, Pattern b) { return head.score(a) > head.score(b); });
  return passing;
}

void ChooseLabel(HeadClass& head, const ClassifyThresholds& thresholds) {
  head.labels = Passing(head, thresholds);
  const auto specific =
      std::find_if(head.labels.begin(), head.labels.end(), [](Pattern p) { return !IsGeneric(p); });
  if (specific != head.labels.end()) {
    head.label = *specific;
  } else if (!head.labels.empty()) {
    head.label = head.labels.front();
  }
  head.heterogeneous = !head.label;
  if (head.label) {
    head.confidence = head.score(*head.label);
    return;
  }
  head.confidence = std::numeric_limits<double>::quiet_NaN();
  for (double score : head.scores) {
    if (!std::isnan(score) && !(score <= head.confidence)) head.confidence = score;
  }
}

bool Passes(const HeadClass& head, Pattern p) {
  return std::find(head.labels.begin(), head.labels.end(), p) != head.labels.end();
}

HeadClass ClassifyHead(std::span<const float> values, const PatternContext& context,
                       const ClassifyThresholds& thresholds) {
  const PatternScores scores = ScorePatterns(values, context);
  HeadClass head;
  head.scores = scores.scores;
  head.causal = context.masking.causal;
  ChooseLabel(head, thresholds);
  if (Passes(head, Pattern::kOffset)) head.offset = scores.offset;
  if (Passes(head, Pattern::kLocal)) head.width = scores.width;
  return head;
}

double ThresholdValue(const nlohmann::json& value, const std::string& name,
                      const std::string& path) {
  if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
    ThrowInputError(
        path, "expected a threshold between 0 and 1 for '" + name + "', found " + value.dump());
  }
  return value.get<double>();
}

}  // namespace

std::string_view PatternName(Pattern pattern) { return kNames[static_cast<size_t>(pattern)]; }

std::optional<Pattern> ParsePattern(std::string_view name) {
  for (Pattern p : kAll) {
    if (PatternName(p) == name) return p;
  }
  return std::nullopt;
}

const std::array<Pattern, kPatternCount>& AllPatterns() { return kAll; }

ClassifyThresholds::ClassifyThresholds() {
  score.fill(0.5);
  (*this)[Pattern::kLocal] = 0.4;
  (*this)[Pattern::kPeaked] = 0.7;
  (*this)[Pattern::kDiffuse] = 0.85;
}

ClassifyThresholds ParseClassifyThresholds(std::string_view json, const std::string& path) {
  const nlohmann::json object = nlohmann::json::parse(json, nullptr, false);
  if (!object.is_object()) {
    ThrowInputError(path,
                    "expected a JSON object of pattern thresholds such as {\"previous\": 0.6}");
  }
  ClassifyThresholds thresholds;
  for (const auto& [name, value] : object.items()) {
    const std::optional<Pattern> pattern = ParsePattern(name);
    if (!pattern) {
      std::string names;
      for (Pattern p : kAll)
        names += std::string(names.empty() ? "" : ", ") + std::string(PatternName(p));
      ThrowInputError(path, "expected pattern names (" + names + "), found '" + name + "'");
    }
    thresholds[*pattern] = ThresholdValue(value, name, path);
  }
  return thresholds;
}

std::string LabelText(const HeadClass& head) {
  if (!head.label) return "heterogeneous";
  std::string text(PatternName(*head.label));
  if (*head.label == Pattern::kOffset && head.offset)
    text.append(" ").append(std::to_string(*head.offset));
  if (*head.label == Pattern::kLocal && head.width)
    text.append(" ").append(std::to_string(*head.width));
  return text;
}

std::vector<HeadClass> ClassifyHeads(const AttentionTensor& tensor,
                                     const std::optional<std::vector<std::string>>& query_tokens,
                                     const std::optional<std::vector<std::string>>& key_tokens,
                                     const ClassifyOptions& options) {
  const PatternContext context =
      MakePatternContext(tensor, query_tokens, key_tokens, options.special_tokens, options.threads);
  std::vector<HeadClass> heads(static_cast<size_t>(tensor.layers() * tensor.heads()));
  ForEachHead(tensor, options.threads,
              [&](int64_t index, int64_t layer, int64_t head, std::span<const float> values) {
                heads[index] = ClassifyHead(values, context, options.thresholds);
                heads[index].layer = layer;
                heads[index].head = head;
              });
  return heads;
}

}  // namespace attnviz
