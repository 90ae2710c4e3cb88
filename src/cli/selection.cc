// Parsing index selections and ranges, with messages that say what exists.
#include "cli/selection.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "attnviz/error.h"

namespace attnviz::cli {

namespace {

// An axis with the number written for its position 0 (ParseSelection's `first`).
struct NumberedAxis : SelectionAxis {
  int64_t first = 0;
};

std::string Prefix(const SelectionAxis& axis) {
  return axis.path.empty() ? axis.option : axis.path + ": " + axis.option;
}

[[noreturn]] void ThrowSyntax(std::string_view text, const SelectionAxis& axis) {
  ThrowUsageError(Prefix(axis) + ": expected an index, a range A:B, a comma-separated list of " +
                  "them, or all; found '" + std::string(text) + "'");
}

// "layers", "queries", "keys".
std::string Plural(const std::string& noun) {
  bool consonant_y =
      noun.size() >= 2 && noun.back() == 'y' &&
      std::string_view("aeiou").find(noun[noun.size() - 2]) == std::string_view::npos;
  return consonant_y ? noun.substr(0, noun.size() - 1) + "ies" : noun + "s";
}

std::string Existing(const NumberedAxis& axis) {
  if (axis.count == 1) {
    return "the dump has 1 " + axis.noun + " (" + std::to_string(axis.first) + ")";
  }
  std::string plural = Plural(axis.noun);
  return "the dump has " + std::to_string(axis.count) + " " + plural + " (" +
         std::to_string(axis.first) + ".." + std::to_string(axis.first + axis.count - 1) + ")";
}

[[noreturn]] void ThrowOutOfRange(std::string_view item, const NumberedAxis& axis) {
  ThrowUsageError(Prefix(axis) + " " + std::string(item) + " is out of range: " + Existing(axis));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// A signed integer, or nullopt when `text` is not exactly one.
std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
  auto [end, error] = std::from_chars(begin, text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || begin == end) return std::nullopt;
  return value;
}

// An index as written, resolved against the axis: negative counts from the end. `limit` is the
// largest value allowed (count - 1 for an index, count for a range end).
int64_t ResolveIndex(std::string_view text, std::string_view item, int64_t limit,
                     const NumberedAxis& axis) {
  std::optional<int64_t> value = ParseInteger(text);
  if (!value) ThrowSyntax(item, axis);
  int64_t index = *value < 0 ? axis.count + *value : *value - axis.first;
  if (index < 0 || index > limit) ThrowOutOfRange(item, axis);
  return index;
}

IndexRange ParseItem(std::string_view item, const NumberedAxis& axis) {
  if (item == "all") return {0, axis.count};
  size_t colon = item.find(':');
  if (colon == std::string_view::npos) {
    int64_t index = ResolveIndex(item, item, axis.count - 1, axis);
    return {index, index + 1};
  }
  std::string_view begin = Trim(item.substr(0, colon)), end = Trim(item.substr(colon + 1));
  if (end.find(':') != std::string_view::npos) ThrowSyntax(item, axis);
  IndexRange range{begin.empty() ? 0 : ResolveIndex(begin, item, axis.count, axis),
                   end.empty() ? axis.count : ResolveIndex(end, item, axis.count, axis)};
  if (range.end <= range.begin) {
    ThrowUsageError(Prefix(axis) + " " + std::string(item) +
                    " is an empty range: " + Existing(axis));
  }
  return range;
}

std::vector<std::string_view> SplitItems(std::string_view text) {
  std::vector<std::string_view> items;
  for (size_t start = 0;;) {
    size_t comma = text.find(',', start);
    items.push_back(Trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace

std::vector<int64_t> ParseSelection(std::string_view text, const SelectionAxis& selection_axis,
                                    int64_t first) {
  const NumberedAxis axis{selection_axis, first};
  std::vector<int64_t> positions;
  for (std::string_view item : SplitItems(Trim(text))) {
    if (item.empty()) ThrowSyntax(text, axis);
    IndexRange range = ParseItem(item, axis);
    for (int64_t i = range.begin; i < range.end; ++i) {
      if (std::find(positions.begin(), positions.end(), i) == positions.end()) {
        positions.push_back(i);
      }
    }
  }
  return positions;
}

IndexRange ParseRange(std::string_view text, const SelectionAxis& axis) {
  text = Trim(text);
  if (text.empty()) return {0, axis.count};
  if (text.find(',') != std::string_view::npos) ThrowSyntax(text, axis);
  return ParseItem(text, NumberedAxis{axis, 0});
}

std::string DescribeSelection(const std::vector<int64_t>& positions, int64_t count) {
  if (static_cast<int64_t>(positions.size()) == count && count > 1) return "all";
  bool contiguous =
      std::is_sorted(positions.begin(), positions.end()) &&
      positions.back() - positions.front() + 1 == static_cast<int64_t>(positions.size());
  if (positions.size() == 1) return std::to_string(positions[0]);
  if (contiguous) return std::to_string(positions.front()) + "-" + std::to_string(positions.back());
  // Appended rather than (... ? "" : "+") + std::to_string(...), where GCC 12 inlines
  // string::insert at -O3 and reports a false overlap (-Wrestrict, GCC bug 105651).
  std::string text;
  for (int64_t position : positions) {
    if (!text.empty()) text += '+';
    text += std::to_string(position);
  }
  return text;
}

std::string DescribeForTitle(const std::vector<int64_t>& positions, int64_t count, int64_t offset,
                             const std::string& noun) {
  if (static_cast<int64_t>(positions.size()) == count && count > 1) return "all " + Plural(noun);
  if (positions.size() == 1) return noun + " " + std::to_string(positions[0] + offset);
  bool contiguous =
      std::is_sorted(positions.begin(), positions.end()) &&
      positions.back() - positions.front() + 1 == static_cast<int64_t>(positions.size());
  std::string text = Plural(noun) + " ";
  if (contiguous) {
    return text + std::to_string(positions.front() + offset) + "–" +
           std::to_string(positions.back() + offset);
  }
  for (size_t i = 0; i < positions.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(positions[i] + offset);
  }
  return text;
}

}  // namespace attnviz::cli
