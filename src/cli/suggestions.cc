// Nearest-name suggestions for mistyped commands and options.
#include "cli/suggestions.h"

#include <algorithm>

namespace attnviz::cli {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: three rows of the Levenshtein table suffice for swaps.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before = previous;
    previous = current;
  }
  return previous[b.size()];
}

std::optional<std::string> NearestName(std::string_view typed,
                                       const std::vector<std::string>& names) {
  if (typed.size() < 3) return std::nullopt;  // "-x" is near every short option
  const size_t allowed = std::max<size_t>(1, typed.size() / 3);
  std::optional<std::string> nearest;
  size_t nearest_distance = allowed + 1;
  for (const std::string& name : names) {
    const size_t distance = EditDistance(typed, name);
    if (distance < nearest_distance) {
      nearest = name;
      nearest_distance = distance;
    }
  }
  if (nearest) return nearest;
  for (const std::string& name : names) {
    if (name.starts_with(typed) && (!nearest || name.size() < nearest->size())) nearest = name;
  }
  return nearest;
}

}  // namespace attnviz::cli
