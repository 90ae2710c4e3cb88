// --aggregate: an analysis run on every input (files, batch items), files in parallel, one dump
// in memory per thread, and the tables and JSON of the summaries over the inputs.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "attnviz/analysis/aggregate.h"
#include "attnviz/error.h"
#include "cli/batch.h"
#include "cli/messages.h"
#include "cli/table.h"

namespace attnviz::cli {

// The result of every input that could be read, in input order (files sorted, then batch
// items), and the first of those inputs' dump, kept for its names, numbering and figures.
template <typename Result>
struct InputResults {
  std::vector<DumpSource> sources;
  std::vector<Result> results;
  std::optional<Dump> first;
};

// The threads each input's analysis gets: -j goes to the files when there are several.
inline int AnalysisThreads(const DumpSeries& dumps, int threads) {
  return dumps.files().size() > 1 ? 1 : threads;
}

// Runs `analyse` on every dump of `dumps`, up to `threads` files at a time, after printing the
// dump's notes (whole lines, one dump's at a time); only the first dump stays loaded after its
// analysis. The results do not depend on `threads`.
template <typename Result>
InputResults<Result> AnalyseInputs(
    DumpSeries& dumps, int threads,
    const std::function<Result(const DumpSource&, const Dump&)>& analyse,
    const std::function<void()>& file_done = {}) {
  std::vector<std::vector<std::pair<DumpSource, Result>>> by_file(dumps.files().size());
  std::mutex notes_mutex, first_mutex;
  size_t first_file = std::numeric_limits<size_t>::max();
  InputResults<Result> all;
  dumps.ForEachInParallel(
      threads,
      [&](size_t file, const DumpSource& source, Dump dump) {
        {
          std::lock_guard lock(notes_mutex);
          PrintNotes(dump);
        }
        by_file[file].emplace_back(source, analyse(source, dump));
        std::lock_guard lock(first_mutex);
        if (file < first_file) {
          first_file = file;
          all.first = std::move(dump);
        }
      },
      file_done);
  for (auto& results : by_file) {
    for (auto& [source, result] : results) {
      all.sources.push_back(std::move(source));
      all.results.push_back(std::move(result));
    }
  }
  return all;
}

// Adds `part` of each input's result to `aggregate` in order; an input whose heads differ from
// the first input's is an input Error naming its file.
template <typename Aggregate, typename Result, typename Part>
void AddInOrder(Aggregate& aggregate, const InputResults<Result>& inputs, Part part) {
  for (size_t i = 0; i < inputs.results.size(); ++i) {
    try {
      aggregate.Add(part(inputs.results[i]));
    } catch (const Error& error) {
      ThrowInputError(inputs.sources[i].file, error.what());
    }
  }
}

// The names of a Summary's fields, in the order of tables and JSON: n, mean, std, ..., max.
std::span<const char* const> SummaryFieldNames();

// One row per entry and statistic: layer, head (not for layer means), statistic, then the
// summary's fields; `fields` the statistics shown. Text keeps three decimals, CSV six digits.
Table SummaryTable(std::span<const StatsSummary> rows, std::span<const StatField> fields, bool csv);

// {"layer", "head", "entropy": {"n", "mean", ...}, ...}: NaN as null.
nlohmann::json SummaryJson(const StatsSummary& row, std::span<const StatField> fields);

// The inputs summarised: [{"file", "batch"}, ...].
nlohmann::json InputsJson(std::span<const DumpSource> sources);

// The Summary field called `name` ("mean", "std", "min", "q25", "median", "q75", "max"), or
// nullptr.
double Summary::*FindSummaryField(std::string_view name);

// Each entry's `field` (the mean by default) of every statistic, as HeadStats, for figures and
// drift checks.
std::vector<HeadStats> SummaryStats(std::span<const StatsSummary> rows,
                                    double Summary::*field = &Summary::mean);

// "mean over 40 inputs", "std over 40 inputs" (for titles).
std::string OverInputs(size_t inputs, std::string_view summary = "mean");

}  // namespace attnviz::cli
