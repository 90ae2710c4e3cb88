// Token side files: one token per line, or a JSON list (of lists) of strings; UTF-8 checked.
#include "attnviz/io/tokens.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "attnviz/error.h"
#include "io/mapped_file.h"
#include "io/raw_dump.h"

namespace attnviz {

namespace {

// Length of the UTF-8 sequence starting with `lead`, or 0 when `lead` cannot start one.
int SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool ValidSequence(std::string_view text, size_t at, int length) {
  if (at + length > text.size()) return false;
  const auto byte = [&](int i) { return static_cast<unsigned char>(text[at + i]); };
  for (int i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return false;
  }
  if (length == 3 && byte(0) == 0xE0 && byte(1) < 0xA0) return false;   // overlong
  if (length == 3 && byte(0) == 0xED && byte(1) >= 0xA0) return false;  // surrogate
  if (length == 4 && byte(0) == 0xF0 && byte(1) < 0x90) return false;   // overlong
  if (length == 4 && byte(0) == 0xF4 && byte(1) >= 0x90) return false;  // past U+10FFFF
  return true;
}

// One token per line; a trailing empty line (a blank line before the end of the file) is not a
// token, whether lines end in "\n" or "\r\n".
std::vector<std::string> SplitLines(std::string_view text, const std::string& path) {
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const std::string problem = Utf8Problem(line);
    if (!problem.empty()) {
      ThrowInputError(path, "line " + std::to_string(tokens.size() + 1) + ": " + problem);
    }
    tokens.emplace_back(line);
    start = end + 1;
  }
  while (!tokens.empty() && tokens.back().empty()) tokens.pop_back();
  return tokens;
}

using TokenLists = std::vector<std::vector<std::string>>;

// The strings of `list`, or an error naming the first element that is not one.
std::vector<std::string> JsonStrings(const nlohmann::json& list, const std::string& where,
                                     const std::string& path) {
  std::vector<std::string> tokens;
  for (const auto& item : list) {
    if (!item.is_string()) {
      ThrowInputError(path, "expected a JSON list of strings, found a " +
                                std::string(item.type_name()) + " at " + where + "index " +
                                std::to_string(tokens.size()));
    }
    tokens.push_back(item.get<std::string>());
  }
  return tokens;
}

// The token lists of `text` when it parses completely as a non-empty JSON list; nullopt when it
// does not, as for a tokens file whose first line is "[CLS]": such a file is lines.
std::optional<TokenLists> ParseJsonLists(std::string_view text, const std::string& path) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '[') return std::nullopt;
  const nlohmann::json list = nlohmann::json::parse(text, nullptr, false);
  if (list.is_discarded() || !list.is_array() || list.empty()) return std::nullopt;
  if (!list.front().is_array()) return TokenLists{JsonStrings(list, "", path)};
  TokenLists items;
  for (const auto& item : list) {
    const std::string where = "item " + std::to_string(items.size()) + ", ";
    if (!item.is_array()) {
      ThrowInputError(path, "expected a JSON list of lists of strings, found a " +
                                std::string(item.type_name()) + " at index " +
                                std::to_string(items.size()));
    }
    items.push_back(JsonStrings(item, where, path));
  }
  return items;
}

}  // namespace

std::string Utf8Problem(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const int length = SequenceLength(static_cast<unsigned char>(text[at]));
    if (length == 0 || !ValidSequence(text, at, length)) {
      return "invalid UTF-8 at byte " + std::to_string(at);
    }
    at += length;
  }
  return {};
}

std::vector<std::string> ReadTokensFile(const std::string& path) {
  return ReadTokens(OpenInput(path)->bytes(), path);
}

std::vector<std::vector<std::string>> ReadTokenLists(const std::string& path) {
  return ReadTokenLists(OpenInput(path)->bytes(), path);
}

std::vector<std::vector<std::string>> ReadTokenLists(std::span<const std::byte> bytes,
                                                     const std::string& path) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  if (std::optional<TokenLists> lists = ParseJsonLists(text, path)) return std::move(*lists);
  return {SplitLines(text, path)};
}

std::vector<std::string> ReadTokens(std::span<const std::byte> bytes, const std::string& path) {
  std::vector<std::vector<std::string>> lists = ReadTokenLists(bytes, path);
  if (lists.size() != 1) {
    ThrowInputError(path, "expected one token list, found " + std::to_string(lists.size()) +
                              " (one per batch item)");
  }
  return std::move(lists.front());
}

}  // namespace attnviz
