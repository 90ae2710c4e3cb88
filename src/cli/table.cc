// Aligned text and RFC 4180 CSV for result tables.
#include "cli/table.h"

#include <algorithm>
#include <cstdio>

namespace attnviz::cli {

namespace {

bool LooksNumeric(const std::string& cell) {
  return !cell.empty() && cell.find_first_not_of("0123456789.-+eEnaif") == std::string::npos;
}

std::string CsvCell(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void PrintCsvRow(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << CsvCell(cells[i]);
  out << "\n";
}

}  // namespace

void Table::PrintText(std::ostream& out) const {
  std::vector<size_t> widths(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) widths[c] = columns[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (size_t c = 0; c < cells.size() && c < widths.size(); ++c) {
      const std::string pad(widths[c] - cells[c].size(), ' ');
      const bool right = !header && LooksNumeric(cells[c]);
      line += (c ? "  " : "") + (right ? pad + cells[c] : cells[c] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print_row(columns, true);
  for (const auto& row : rows) print_row(row, false);
}

void Table::PrintCsv(std::ostream& out) const {
  PrintCsvRow(out, columns);
  for (const auto& row : rows) PrintCsvRow(out, row);
}

std::string FormatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace attnviz::cli
