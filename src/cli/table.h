// Result tables as the terminal, CSV files and spreadsheets want them.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace attnviz::cli {

// A table of already formatted cells; columns of numbers are right-aligned in text output.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  void PrintText(std::ostream& out) const;  // aligned columns, a header line
  void PrintCsv(std::ostream& out) const;   // RFC 4180 quoting
};

// "%.6g" of `value`; "nan", "inf" as such.
std::string FormatNumber(double value);

}  // namespace attnviz::cli
