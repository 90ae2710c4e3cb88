// Picking the attention array by key, by uniqueness, by name, or as a numbered layer series.
#include "io/array_choice.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "attnviz/error.h"

namespace attnviz {

namespace {

// A name cut into runs of digits and runs of other characters: "arr_10" -> {"arr_", "10"}.
std::vector<std::string> SplitDigitRuns(const std::string& name) {
  std::vector<std::string> runs;
  for (char c : name) {
    const bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (runs.empty() ||
        (std::isdigit(static_cast<unsigned char>(runs.back().back())) != 0) != digit) {
      runs.emplace_back();
    }
    runs.back() += c;
  }
  return runs;
}

bool IsDigitRun(const std::string& run) {
  return std::isdigit(static_cast<unsigned char>(run.front())) != 0;
}

// The index of the one digit run that differs between names, when all else is equal.
std::optional<size_t> VaryingNumber(const std::vector<std::vector<std::string>>& split) {
  std::optional<size_t> varying;
  for (size_t run = 0; run < split.front().size(); ++run) {
    const bool same = std::all_of(split.begin(), split.end(),
                                  [&](const auto& s) { return s[run] == split.front()[run]; });
    if (same) continue;
    if (!IsDigitRun(split.front()[run]) || varying) return std::nullopt;
    varying = run;
  }
  return varying;
}

// The names sorted by their layer number when they form a series, else empty.
std::vector<std::string> LayerSeries(const std::vector<std::string>& names) {
  if (names.size() < 2) return {};
  std::vector<std::vector<std::string>> split;
  for (const auto& name : names) split.push_back(SplitDigitRuns(name));
  for (const auto& runs : split) {
    if (runs.size() != split.front().size()) return {};
    for (size_t i = 0; i < runs.size(); ++i) {
      if (IsDigitRun(runs[i]) != IsDigitRun(split.front()[i])) return {};
    }
  }
  const std::optional<size_t> run = VaryingNumber(split);
  if (!run) return {};
  std::vector<std::pair<unsigned long long, std::string>> numbered;
  for (size_t i = 0; i < names.size(); ++i) {
    if (split[i][*run].size() > 18) return {};
    numbered.emplace_back(std::stoull(split[i][*run]), names[i]);
  }
  std::sort(numbered.begin(), numbered.end());
  std::vector<std::string> sorted;
  for (size_t i = 0; i < numbered.size(); ++i) {
    if (i > 0 && numbered[i].first == numbered[i - 1].first) return {};
    sorted.push_back(numbered[i].second);
  }
  return sorted;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}

std::vector<std::string> WithoutTokenData(const std::vector<std::string>& names) {
  std::vector<std::string> kept;
  std::copy_if(names.begin(), names.end(), std::back_inserter(kept),
               [](const std::string& name) { return !IsTokenDataName(name); });
  return kept;
}

}  // namespace

bool IsTokenDataName(const std::string& name) {
  for (const char* data : {"tokens", "query_tokens", "key_tokens", "attention_mask", "input_ids",
                           "token_type_ids", "position_ids", "labels"}) {
    if (name == data) return true;
  }
  return false;
}

ArrayChoice ChooseArrays(const std::vector<std::string>& float_names,
                         const std::vector<std::string>& every_name,
                         const std::optional<std::string>& key, const std::string& path) {
  if (key) {
    if (std::find(every_name.begin(), every_name.end(), *key) == every_name.end()) {
      ThrowUsageError(path + ": --key " + *key + " names no array; the file has " +
                      JoinNames(every_name));
    }
    return {{*key}, false};
  }
  const std::vector<std::string> names = WithoutTokenData(float_names);
  if (names.size() == 1) return {names, false};
  // A file of one array that is not float: reading it reports its dtype.
  if (names.empty() && every_name.size() == 1) return {every_name, false};
  for (const char* preferred : {"attention", "attn", "attentions"}) {
    if (std::find(names.begin(), names.end(), preferred) != names.end())
      return {{preferred}, false};
  }
  std::vector<std::string> series = LayerSeries(names);
  if (!series.empty()) return {std::move(series), true};
  ThrowInputError(path,
                  "expected one float array, one named 'attention', or per-layer arrays, "
                  "found " +
                      JoinNames(names.empty() ? every_name : names) +
                      (names.size() > 1 ? " (choose one with --key)" : ""));
}

}  // namespace attnviz
