// Subword markers of the common tokenizers, cleaned for labels.
#include "attnviz/render/token_text.h"

#include <doctest/doctest.h>

namespace attnviz {
namespace {

TEST_CASE("WordPiece continuations lose their ## prefix") {
  CHECK(CleanSubwordMarkers("##ing") == "ing");
  CHECK(CleanSubwordMarkers("[CLS]") == "[CLS]");
  CHECK(CleanSubwordMarkers("##") == "##");  // the token "##" itself
}

TEST_CASE("byte-level BPE spaces are dropped at the start and become spaces inside") {
  CHECK(CleanSubwordMarkers("\u0120remains") == "remains");
  CHECK(CleanSubwordMarkers("\u0120\"") == "\"");
  CHECK(CleanSubwordMarkers("a\u0120b") == "a b");
  CHECK(CleanSubwordMarkers("\u010a") == "\n");
}

TEST_CASE("SentencePiece word starts are dropped") {
  CHECK(CleanSubwordMarkers("\u2581the") == "the");
  CHECK(CleanSubwordMarkers("New\u2581York") == "New York");
}

TEST_CASE("a token that is only a marker keeps it rather than becoming empty") {
  CHECK(CleanSubwordMarkers("\u0120") == "\u0120");
  CHECK(CleanSubwordMarkers("\u2581") == "\u2581");
}

TEST_CASE("a token list is cleaned token by token") {
  std::vector<std::string> tokens = {"\u0120In", "flation"};
  CHECK(CleanSubwordMarkers(tokens) == std::vector<std::string>{"In", "flation"});
}

}  // namespace
}  // namespace attnviz
