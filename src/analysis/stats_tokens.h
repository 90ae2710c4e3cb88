// Which tokens are special, punctuation, separators or padding: the token classes of stats and
// classify.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz {

// The token without word-boundary markers: leading spaces, Ġ, Ċ (GPT-2), ▁ (SentencePiece), a
// leading ## (WordPiece) and a trailing </w> (CLIP).
std::string_view StripTokenMarkers(std::string_view token);

// Every character, markers aside, is punctuation or an ASCII symbol ("." "Ġ," "%" "—" "。").
bool IsPunctuation(std::string_view token);

// In `special` when given; else one of [CLS] [SEP] [PAD] [MASK] [UNK] [BOS] [EOS] <s> </s> <pad>
// <unk> <mask> <bos> <eos> <sep> <cls> <start_of_turn> <end_of_turn>, or any <|...|> token.
bool IsSpecialToken(std::string_view token, const std::optional<std::vector<std::string>>& special);

// A sentence or clause boundary: . , ; : ! ? … and their CJK forms, or a line break.
bool IsSeparator(std::string_view token);

// Equal to `pad_token` when given; else [PAD], <pad> or <|pad|>.
bool IsPadToken(std::string_view token, const std::optional<std::string>& pad_token);

}  // namespace attnviz
