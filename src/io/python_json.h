// JSON as Python's json module writes it: RFC 8259 plus the bare NaN, Infinity and -Infinity.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace attnviz {

// Parses `text` into a document whose numbers may be NaN or ±Inf where the text holds the bare
// words NaN, Infinity or -Infinity (json.dump's default, allow_nan=True). The words count only
// outside strings and between JSON delimiters, so a token "NaN" or "xNaN1" is left alone.
// Anything else that is not JSON, and numbers beyond float64 such as 1e999, is an input error
// naming `path` and the byte where the text stops being JSON.
nlohmann::json ParsePythonJson(std::string_view text, const std::string& path);

}  // namespace attnviz
