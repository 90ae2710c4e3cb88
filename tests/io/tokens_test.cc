// Token side files (one per line, or a JSON list) and UTF-8 validation.
#include "attnviz/io/tokens.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "attnviz/error.h"

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
