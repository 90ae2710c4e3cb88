// Tables and JSON of summaries over inputs.
#include "cli/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/json_number.h"

namespace attnviz::cli {

namespace {

constexpr const char* kSummaryFields[] = {"n", "mean", "std", "min", "q25", "median", "q75", "max"};

struct NamedField {
  std::string_view name;
  double Summary::*member;
};

// The fields after n, in the order of kSummaryFields.
constexpr NamedField kValueFields[] = {{"mean", &Summary::mean},     {"std", &Summary::std},
                                       {"min", &Summary::min},       {"q25", &Summary::q25},
                                       {"median", &Summary::median}, {"q75", &Summary::q75},
                                       {"max", &Summary::max}};

std::vector<double> Values(const Summary& s) {
  std::vector<double> values;
  for (const NamedField& field : kValueFields) values.push_back(s.*field.member);
  return values;
}

std::string Cell(double value, bool csv) {
  if (std::isnan(value)) return csv ? "" : "-";
  if (csv) return FormatNumber(value);
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

nlohmann::json SummaryObject(const Summary& s) {
  nlohmann::json object = {{"n", s.n}};
  const std::vector<double> values = Values(s);
  for (size_t i = 0; i < values.size(); ++i)
    object[kSummaryFields[i + 1]] = NumberOrNull(values[i]);
  return object;
}

bool Shown(std::span<const StatField> fields, const StatField& field) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const StatField& shown) { return shown.member == field.member; });
}

}  // namespace

std::span<const char* const> SummaryFieldNames() { return kSummaryFields; }

Table SummaryTable(std::span<const StatsSummary> rows, std::span<const StatField> fields,
                   bool csv) {
  const bool heads = !rows.empty() && rows.front().head >= 0;
  Table table;
  table.columns = {"layer"};
  if (heads) table.columns.push_back("head");
  table.columns.push_back("statistic");
  for (const char* name : kSummaryFields) table.columns.push_back(name);
  for (const StatsSummary& row : rows) {
    for (size_t f = 0; f < StatFields().size(); ++f) {
      const StatField& field = StatFields()[f];
      if (!Shown(fields, field)) continue;
      std::vector<std::string> cells = {std::to_string(row.layer)};
      if (heads) cells.push_back(std::to_string(row.head));
      cells.push_back(field.name);
      cells.push_back(std::to_string(row.stats[f].n));
      for (double value : Values(row.stats[f])) cells.push_back(Cell(value, csv));
      table.rows.push_back(std::move(cells));
    }
  }
  return table;
}

nlohmann::json SummaryJson(const StatsSummary& row, std::span<const StatField> fields) {
  nlohmann::json object = {{"layer", row.layer}};
  if (row.head >= 0) object["head"] = row.head;
  for (size_t f = 0; f < StatFields().size(); ++f) {
    const StatField& field = StatFields()[f];
    if (Shown(fields, field)) object[field.name] = SummaryObject(row.stats[f]);
  }
  return object;
}

nlohmann::json InputsJson(std::span<const DumpSource> sources) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const DumpSource& source : sources) {
    inputs.push_back({{"file", source.file}, {"batch", source.batch}});
  }
  return inputs;
}

double Summary::*FindSummaryField(std::string_view name) {
  for (const NamedField& field : kValueFields) {
    if (field.name == name) return field.member;
  }
  return nullptr;
}

std::vector<HeadStats> SummaryStats(std::span<const StatsSummary> rows, double Summary::*field) {
  std::vector<HeadStats> means;
  for (const StatsSummary& row : rows) {
    HeadStats stats;
    stats.layer = row.layer;
    stats.head = row.head;
    for (size_t f = 0; f < StatFields().size(); ++f) {
      stats.*StatFields()[f].member = row.stats[f].*field;
    }
    means.push_back(stats);
  }
  return means;
}

std::string OverInputs(size_t inputs, std::string_view summary) {
  return std::string(summary) + " over " + std::to_string(inputs) +
         (inputs == 1 ? " input" : " inputs");
}

}  // namespace attnviz::cli
