// Token side files (one per line, or a JSON list) and UTF-8 validation.
#include "attnviz/io/tokens.h"

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "io/raw_dump.h"

namespace attnviz {
namespace {

const std::string kFormats = ATTNVIZ_FIXTURES_DIR "/formats/";
const std::string kBad = ATTNVIZ_FIXTURES_DIR "/bad/";

// The tokens make-fixtures.py writes: tokenizer markers, CJK and an emoji outside the BMP.
const std::vector<std::string> kTokens = {"Ġthe", "▁de", "##ing", "日本", "😀"};

bool Contains(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

TEST_CASE("ReadTokensFile reads one token per line, the final newline ending the last") {
  CHECK(ReadTokensFile(kFormats + "tokens_lines.txt") == kTokens);
}

TEST_CASE("ReadTokensFile reads a last line without a final newline") {
  CHECK(ReadTokensFile(kFormats + "tokens_no_final_newline.txt") == kTokens);
}

TEST_CASE("ReadTokensFile accepts CRLF line endings and keeps no carriage return") {
  CHECK(ReadTokensFile(kFormats + "tokens_crlf.txt") == kTokens);
}

TEST_CASE("ReadTokensFile reads a JSON list of strings") {
  CHECK(ReadTokensFile(kFormats + "tokens_list.json") == kTokens);
}

TEST_CASE("ReadTokensFile decodes \\u escapes and surrogate pairs in a JSON list to UTF-8") {
  CHECK(ReadTokensFile(kFormats + "tokens_escaped.json") == kTokens);
}

// The token lists make-fixtures.py wrote into each file: a list of strings, or one per item.
std::vector<std::vector<std::string>> ListsOf(const nlohmann::json& tokens) {
  if (!tokens.empty() && tokens.front().is_array()) {
    return tokens.get<std::vector<std::vector<std::string>>>();
  }
  return {tokens.get<std::vector<std::string>>()};
}

const nlohmann::json& TokensFiles() {
  static const nlohmann::json files = [] {
    std::ifstream in(kFormats + "expected.json", std::ios::binary);
    return nlohmann::json::parse(in)["tokens_files"];
  }();
  return files;
}

TEST_CASE("ReadTokenLists reads every tokens fixture as Python wrote it") {
  REQUIRE(TokensFiles().size() >= 12);
  for (const auto& item : TokensFiles().items()) {
    CAPTURE(item.key());
    CHECK(ReadTokenLists(kFormats + item.key()) == ListsOf(item.value()));
  }
}

TEST_CASE("ReadTokensFile reads lines as lines though the first token opens a bracket") {
  CHECK(ReadTokensFile(kFormats + "tokens_bert_cls.txt") ==
        std::vector<std::string>{"[CLS]", "the", "cat", "sat", "[SEP]"});
  CHECK(ReadTokensFile(kFormats + "tokens_inst_crlf.txt") ==
        std::vector<std::string>{"[INST]", "▁Hi", "[/INST]", "▁Hello", "</s>"});
  CHECK(ReadTokensFile(kFormats + "tokens_lone_bracket.txt") ==
        std::vector<std::string>{"[", "Ġx", "]", "=", "[]"});
}

TEST_CASE("a trailing empty line is not a token, with LF or CRLF endings") {
  CHECK(ReadTokensFile(kFormats + "tokens_trailing_blank.txt") == kTokens);
  CHECK(ReadTokensFile(kFormats + "tokens_trailing_blank_crlf.txt") == kTokens);
}

std::vector<std::vector<std::string>> ListsFromText(std::string_view text) {
  return ReadTokenLists({reinterpret_cast<const std::byte*>(text.data()), text.size()}, "t.txt");
}

TEST_CASE("only a file that parses completely as a JSON list is JSON") {
  using Lists = std::vector<std::vector<std::string>>;
  CHECK(ListsFromText("[\"a\", \"b\"]\n") == Lists{{"a", "b"}});
  CHECK(ListsFromText("[\"a\", \"b\"]\nc\n") == Lists{{"[\"a\", \"b\"]", "c"}});
  CHECK(ListsFromText("[\n]\n") == Lists{{"[", "]"}});  // an empty list is no token list
  CHECK(ListsFromText("[CLS]\n[SEP]") == Lists{{"[CLS]", "[SEP]"}});
  CHECK(ListsFromText("a\n\nb\n\n\n") == Lists{{"a", "", "b"}});  // inner empty lines stay
  CHECK(ListsFromText("") == Lists{{}});
}

TEST_CASE("a JSON list of lists gives one token list per batch item") {
  CHECK(ListsFromText(R"([["a", "b"], ["c"]])") ==
        std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}});
}

TEST_CASE("ReadTokensFile refuses a file of several per-item lists, saying how many") {
  try {
    ReadTokensFile(kFormats + "tokens_items.json");
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(Contains(e.what(), "tokens_items.json"));
    CHECK(Contains(e.what(), "found 2"));
  }
}

TEST_CASE("a JSON list of lists holding a number is refused, naming the item") {
  try {
    ListsFromText(R"([["a"], ["b", 7]])");
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(Contains(e.what(), "item 1, index 1"));
  }
}

TEST_CASE("ReadTokensFile refuses invalid UTF-8, naming the file and the line") {
  const std::string path = kBad + "invalid_utf8.txt";
  try {
    ReadTokensFile(path);
    FAIL("expected an Error");
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(Contains(message, "invalid_utf8.txt"));
    CHECK(Contains(message, "UTF-8"));
    CHECK(Contains(message, "line 3"));
  }
}

TEST_CASE("ReadTokensFile refuses a JSON list that holds something other than strings") {
  try {
    ReadTokensFile(kBad + "tokens_not_strings.json");
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(Contains(e.what(), "tokens_not_strings.json"));
  }
}

TEST_CASE("ReadTokensFile refuses a file that does not exist, naming it") {
  try {
    ReadTokensFile(kBad + "no_such_tokens.txt");
    FAIL("expected an Error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::kInput);
    CHECK(Contains(e.what(), "no_such_tokens.txt"));
  }
}

TEST_CASE("Utf8Problem accepts valid UTF-8 of every sequence length") {
  CHECK(Utf8Problem("").empty());
  CHECK(Utf8Problem("plain ascii").empty());
  CHECK(Utf8Problem("Ġthe ▁de").empty());          // 2 and 3 bytes
  CHECK(Utf8Problem("日本").empty());              // 3 bytes
  CHECK(Utf8Problem("😀").empty());                 // 4 bytes
  CHECK(Utf8Problem("\xF4\x8F\xBF\xBF").empty());  // U+10FFFF, the last code point
}

TEST_CASE("Utf8Problem names the byte of invalid UTF-8") {
  SUBCASE("a byte that never occurs in UTF-8") {
    const std::string problem = Utf8Problem("abcdefg\xFF");
    CHECK_FALSE(problem.empty());
    CHECK(Contains(problem, "byte"));
  }
  SUBCASE("a continuation byte without a lead byte") { CHECK_FALSE(Utf8Problem("a\x80").empty()); }
  SUBCASE("a sequence cut short at the end") { CHECK_FALSE(Utf8Problem("\xE6\x97").empty()); }
  SUBCASE("a sequence cut short by an ASCII byte") {
    CHECK_FALSE(Utf8Problem("\xE6"
                            "a")
                    .empty());
  }
  SUBCASE("an overlong encoding of '/'") { CHECK_FALSE(Utf8Problem("\xC0\xAF").empty()); }
  SUBCASE("a UTF-16 surrogate") { CHECK_FALSE(Utf8Problem("\xED\xA0\x80").empty()); }
  SUBCASE("a code point above U+10FFFF") { CHECK_FALSE(Utf8Problem("\xF4\x90\x80\x80").empty()); }
}

}  // namespace
}  // namespace attnviz
