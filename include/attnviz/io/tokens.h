// Token lists from a side file: one token per line (UTF-8), or a JSON list of strings.
#pragma once

#include <string>
#include <vector>

namespace attnviz {

// Reads a tokens file. A file that starts with '[' is a JSON list of strings; otherwise each line
// is one token (a final newline does not start an empty token; "\r\n" endings are accepted).
// Invalid UTF-8 is an input error naming the line.
std::vector<std::string> ReadTokensFile(const std::string& path);

// Why `text` is not valid UTF-8 ("invalid UTF-8 at byte 7"), or empty when it is.
std::string Utf8Problem(std::string_view text);

}  // namespace attnviz
