// Token lists from a side file: one token per line (UTF-8), or a JSON list (of lists) of strings.
#pragma once

#include <string>
#include <vector>

namespace attnviz {

// Reads a tokens file of one token list. The file is JSON only when it parses completely as a
// JSON list of strings (a list of lists of strings holding exactly one list is accepted too);
// a valid JSON list of anything else is an input error. Any other file is one token per line,
// even when a line is "[CLS]", "[INST]" or "[": a final newline does not start an empty token,
// trailing empty lines are no tokens, and "\r\n" endings are accepted. Invalid UTF-8 is an
// input error naming the line.
std::vector<std::string> ReadTokensFile(const std::string& path);

// Reads a tokens file as one token list per batch item: a JSON list of lists of strings gives
// one list per item; a JSON list of strings, or lines, give a single list. Errors as above.
std::vector<std::vector<std::string>> ReadTokenLists(const std::string& path);

// Why `text` is not valid UTF-8 ("invalid UTF-8 at byte 7"), or empty when it is.
std::string Utf8Problem(std::string_view text);

}  // namespace attnviz
