// Writing an output file so that readers see the old complete file or the new one, never a part.
#pragma once

#include <string>
#include <string_view>

namespace attnviz {

// Writes `bytes` to a temporary file beside `path`, flushes it and renames it over `path`.
// On failure the temporary file is removed and an output Error names `path`.
void WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace attnviz
