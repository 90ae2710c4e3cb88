// Removing tokenizer markers from labels.
#include "attnviz/render/token_text.h"

namespace attnviz {
namespace {

constexpr std::string_view kWordPieceContinuation = "##";
constexpr std::string_view kBpeSpace = "\u0120";            // Ġ
constexpr std::string_view kSentencePieceSpace = "\u2581";  // ▁
constexpr std::string_view kBpeNewline = "\u010a";          // Ċ

// `text` with each `marker` replaced by `with`.
std::string ReplaceAll(std::string_view text, std::string_view marker, std::string_view with) {
  std::string out;
  out.reserve(text.size());
  size_t from = 0;
  for (size_t at = text.find(marker); at != std::string_view::npos; at = text.find(marker, from)) {
    out.append(text.substr(from, at - from)).append(with);
    from = at + marker.size();
  }
  out.append(text.substr(from));
  return out;
}

std::string_view WithoutLeading(std::string_view text, std::string_view marker) {
  while (text.starts_with(marker)) text.remove_prefix(marker.size());
  return text;
}

}  // namespace

std::string CleanSubwordMarkers(std::string_view token) {
  std::string_view word = token;
  if (word.starts_with(kWordPieceContinuation) && word.size() > kWordPieceContinuation.size()) {
    word.remove_prefix(kWordPieceContinuation.size());
  }
  word = WithoutLeading(WithoutLeading(word, kBpeSpace), kSentencePieceSpace);
  std::string clean = ReplaceAll(word, kBpeSpace, " ");
  clean = ReplaceAll(clean, kSentencePieceSpace, " ");
  clean = ReplaceAll(clean, kBpeNewline, "\n");
  return clean.empty() ? std::string(token) : clean;
}

std::vector<std::string> CleanSubwordMarkers(const std::vector<std::string>& tokens) {
  std::vector<std::string> clean;
  clean.reserve(tokens.size());
  for (const std::string& token : tokens) clean.push_back(CleanSubwordMarkers(token));
  return clean;
}

}  // namespace attnviz
