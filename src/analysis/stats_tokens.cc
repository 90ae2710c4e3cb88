// Token classes by their text; the lists are documented in docs/analyses.md.
#include "analysis/stats_tokens.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace attnviz {

namespace {

constexpr std::array<std::string_view, 18> kDefaultSpecial = {
    "[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]",           "[BOS]",
    "[EOS]", "<s>",   "</s>",  "<pad>",  "<unk>",           "<mask>",
    "<bos>", "<eos>", "<sep>", "<cls>",  "<start_of_turn>", "<end_of_turn>"};
constexpr std::array<std::string_view, 3> kDefaultPad = {"[PAD]", "<pad>", "<|pad|>"};
constexpr std::array<std::string_view, 14> kSeparators = {
    ".",      ",",      ";",      ":",      "!",      "?",      "\u2026",
    "\u3001", "\u3002", "\uff0c", "\uff1b", "\uff1a", "\uff01", "\uff1f"};

// Code point ranges counted as punctuation: ASCII punctuation and symbols, Latin-1 marks,
// General Punctuation, CJK punctuation and brackets, fullwidth forms.
constexpr std::array<std::pair<char32_t, char32_t>, 19> kPunctuation = {{
    {0x21, 0x2F},     {0x3A, 0x40},     {0x5B, 0x60},     {0x7B, 0x7E},     {0xA1, 0xA1},
    {0xA7, 0xA7},     {0xAB, 0xAB},     {0xB6, 0xB7},     {0xBB, 0xBB},     {0xBF, 0xBF},
    {0x2010, 0x2027}, {0x2030, 0x205E}, {0x3001, 0x3003}, {0x3008, 0x3011}, {0x3014, 0x301F},
    {0xFF01, 0xFF0F}, {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},
}};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view token) {
  return std::find(list.begin(), list.end(), token) != list.end();
}

// Decodes the code point at text[at], advancing `at`; nullopt for malformed UTF-8.
std::optional<char32_t> NextCodePoint(std::string_view text, size_t& at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || at + length > text.size()) return std::nullopt;
  char32_t code = length == 1 ? lead : lead & (0x7F >> length);
  for (int i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (next & 0x3F);
  }
  at += length;
  return code;
}

bool IsMarker(char32_t code) {
  return code == U' ' || code == U'\t' || code == U'\r' || code == U'\n' || code == 0x120 ||
         code == 0x10A || code == 0x2581;
}

bool IsLineBreak(char32_t code) { return code == U'\r' || code == U'\n' || code == 0x10A; }

bool IsPunctuationCode(char32_t code) {
  return std::any_of(kPunctuation.begin(), kPunctuation.end(), [code](const auto& range) {
    return range.first <= code && code <= range.second;
  });
}

// Every code point of `text` passes `test` (false for empty or malformed text).
template <typename Test>
bool AllCodePoints(std::string_view text, Test test) {
  if (text.empty()) return false;
  for (size_t at = 0; at < text.size();) {
    const std::optional<char32_t> code = NextCodePoint(text, at);
    if (!code || !test(*code)) return false;
  }
  return true;
}

}  // namespace

std::string_view StripTokenMarkers(std::string_view token) {
  size_t at = 0;
  while (at < token.size()) {
    size_t next = at;
    const std::optional<char32_t> code = NextCodePoint(token, next);
    if (!code || !IsMarker(*code)) break;
    at = next;
  }
  token.remove_prefix(at);
  if (token.starts_with("##")) token.remove_prefix(2);
  if (token.ends_with("</w>")) token.remove_suffix(4);
  return token;
}

bool IsPunctuation(std::string_view token) {
  return AllCodePoints(StripTokenMarkers(token), IsPunctuationCode);
}

bool IsSpecialToken(std::string_view token,
                    const std::optional<std::vector<std::string>>& special) {
  if (special) return std::find(special->begin(), special->end(), token) != special->end();
  const bool chat_control = token.size() >= 4 && token.starts_with("<|") && token.ends_with("|>");
  return chat_control || Contains(kDefaultSpecial, token);
}

bool IsSeparator(std::string_view token) {
  return AllCodePoints(token, IsLineBreak) || Contains(kSeparators, StripTokenMarkers(token));
}

bool IsPadToken(std::string_view token, const std::optional<std::string>& pad_token) {
  return pad_token ? token == *pad_token : Contains(kDefaultPad, token);
}

}  // namespace attnviz
