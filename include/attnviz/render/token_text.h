// Tokens as labels: tokenizer markers shown as written, or cleaned into plain words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attnviz {

// The token without its subword markers: WordPiece's "##" continuation prefix is dropped
// ("##ing" -> "ing"); byte-level BPE's "Ġ" (a space) and SentencePiece's "▁" are dropped at the
// start and become spaces inside ("Ġthe" -> "the", "New▁York" -> "New York"); BPE's "Ċ" (a
// newline) becomes "\n", which labels show as an escape. A token that is nothing but markers
// keeps them, so it never becomes an empty label.
std::string CleanSubwordMarkers(std::string_view token);

// CleanSubwordMarkers on each token.
std::vector<std::string> CleanSubwordMarkers(const std::vector<std::string>& tokens);

}  // namespace attnviz
