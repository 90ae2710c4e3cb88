// Aligned text and RFC 4180 CSV for result tables.
#include "cli/table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <utility>

namespace attnviz::cli {

namespace {

// A finite number written whole ("0.25", "-3", "1e-05"); tokens such as "e", "na" or "inf" are not.
bool IsRealNumber(const std::string& cell) {
  double value = 0;
  const char* end = cell.data() + cell.size();
  auto [stop, error] = std::from_chars(cell.data(), end, value);
  return !cell.empty() && error == std::errc() && stop == end && std::isfinite(value);
}

// What FormatNumber writes for no real number, and "-" for a statistic that does not apply.
bool IsNumberPlaceholder(const std::string& cell) {
  return cell.empty() || cell == "-" || cell == "nan" || cell == "-nan" || cell == "inf" ||
         cell == "-inf";
}

// Columns of numbers: a real number in some cell and only numbers or placeholders in the others.
// A token column stays text even where a token is "inf" or "1990".
std::vector<bool> NumberColumns(size_t count, const std::vector<std::vector<std::string>>& rows) {
  std::vector<bool> any_real(count, false), all_numbers(count, true);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < count; ++c) {
      const bool real = IsRealNumber(row[c]);
      any_real[c] = any_real[c] || real;
      all_numbers[c] = all_numbers[c] && (real || IsNumberPlaceholder(row[c]));
    }
  }
  std::vector<bool> numeric(count);
  for (size_t c = 0; c < count; ++c) numeric[c] = any_real[c] && all_numbers[c];
  return numeric;
}

std::string CsvCell(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

struct CodeRange {
  char32_t first, last;
};

// Marks that join the character before them (combining accents, variation selectors, zero-width
// joiners and spaces) take no column.
constexpr CodeRange kZeroWidth[] = {
    {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd},   {0x0610, 0x061a},  {0x064b, 0x065f},
    {0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e},   {0x200b, 0x200f},  {0x20d0, 0x20ff},
    {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}, {0x1f3fb, 0x1f3ff}, {0xe0100, 0xe01ef}};

// East Asian wide and fullwidth characters and emoji take two columns in a terminal.
constexpr CodeRange kDoubleWidth[] = {
    {0x1100, 0x115f},   {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},
    {0x4e00, 0x9fff},   {0xa000, 0xa4cf},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
    {0xfe30, 0xfe4f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f300, 0x1f64f},
    {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd}};

bool InRanges(char32_t code, std::span<const CodeRange> ranges) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [code](const CodeRange& r) { return code >= r.first && code <= r.last; });
}

// The code point starting at text[at] and its length in bytes; a byte that starts no valid
// sequence counts as one character of its own (the terminal shows U+FFFD for it).
std::pair<char32_t, size_t> DecodeUtf8(const std::string& text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const size_t length = lead < 0x80           ? 1
                        : (lead >> 5) == 0x6  ? 2
                        : (lead >> 4) == 0xe  ? 3
                        : (lead >> 3) == 0x1e ? 4
                                              : 0;
  if (length == 0 || at + length > text.size()) return {0xfffd, 1};
  char32_t code = length == 1 ? lead : lead & (0x7f >> length);
  for (size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next >> 6) != 0x2) return {0xfffd, 1};
    code = (code << 6) | (next & 0x3f);
  }
  return {code, length};
}

// Terminal columns `cell` takes: tokens in CJK scripts or with emoji are wider than their
// code points, and UTF-8 bytes are more than either.
size_t DisplayWidth(const std::string& cell) {
  size_t width = 0;
  for (size_t at = 0; at < cell.size();) {
    auto [code, length] = DecodeUtf8(cell, at);
    at += length;
    if (InRanges(code, kZeroWidth)) continue;
    width += InRanges(code, kDoubleWidth) ? 2 : 1;
  }
  return width;
}

void PrintCsvRow(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << CsvCell(cells[i]);
  out << "\n";
}

}  // namespace

void Table::PrintText(std::ostream& out) const {
  std::vector<size_t> widths(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) widths[c] = DisplayWidth(columns[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  const std::vector<bool> numeric = NumberColumns(columns.size(), rows);
  auto print_row = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (size_t c = 0; c < cells.size() && c < widths.size(); ++c) {
      const std::string pad(widths[c] - DisplayWidth(cells[c]), ' ');
      const bool right = !header && numeric[c];
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
