// Picking the attention array by key, by uniqueness, by name, or as a numbered layer series.
#include "io/array_choice.h"

#include <algorithm>
#include <cctype>
#include <climits>
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

// The names with their layer numbers, sorted by number, when they form a series; else empty.
std::vector<std::pair<unsigned long long, std::string>> NumberedSeries(
    const std::vector<std::string>& names) {
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
  for (size_t i = 1; i < numbered.size(); ++i) {
    if (numbered[i].first == numbered[i - 1].first) return {};
  }
  return numbered;
}

// The number of `name` in the series, when it is one of them.
std::optional<int64_t> NumberIn(
    const std::vector<std::pair<unsigned long long, std::string>>& series,
    const std::string& name) {
  for (const auto& [number, member] : series) {
    if (member == name && number <= INT32_MAX) return static_cast<int64_t>(number);
  }
  return std::nullopt;
}

// A series of layers whose numbers follow one another: the first one's number tells the model's
// numbering; a series with gaps has no single offset, so its layers keep their indexes.
std::optional<int64_t> FirstOfConsecutive(
    const std::vector<std::pair<unsigned long long, std::string>>& series) {
  const unsigned long long first = series.front().first;
  for (size_t i = 0; i < series.size(); ++i) {
    if (series[i].first != first + i) return std::nullopt;
  }
  return NumberIn(series, series.front().second);
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
  const std::vector<std::string> names = WithoutTokenData(float_names);
  if (key) {
    if (std::find(every_name.begin(), every_name.end(), *key) == every_name.end()) {
      ThrowUsageError(path + ": --key " + *key + " names no array; the file has " +
                      JoinNames(every_name));
    }
    return {{*key}, false, NumberIn(NumberedSeries(names), *key)};
  }
  if (names.size() == 1) return {names, false, std::nullopt};
  // A file of one array that is not float: reading it reports its dtype.
  if (names.empty() && every_name.size() == 1) return {every_name, false, std::nullopt};
  for (const char* preferred : {"attention", "attn", "attentions"}) {
    if (std::find(names.begin(), names.end(), preferred) != names.end())
      return {{preferred}, false, std::nullopt};
  }
  const auto series = NumberedSeries(names);
  if (!series.empty()) {
    ArrayChoice choice{{}, true, FirstOfConsecutive(series)};
    for (const auto& [number, name] : series) choice.names.push_back(name);
    return choice;
  }
  ThrowInputError(path,
                  "expected one float array, one named 'attention', or per-layer arrays, "
                  "found " +
                      JoinNames(names.empty() ? every_name : names) +
                      (names.size() > 1 ? " (choose one with --key)" : ""));
}

}  // namespace attnviz
