// Writing an output file so that readers see the old complete file or the new one, never a part.
#pragma once

#include <string>
#include <string_view>

namespace attnviz {

// Writes `bytes` to a temporary file beside `path` (".NAME.tmp.PID.XXXXXX") and renames it over
// `path`, so readers see the old complete file or the new one. On failure the temporary file is
// removed and an output Error names `path`. Temporaries left by killed runs (whose pid no longer
// exists) are removed first. Devices and pipes (/dev/stdout) are written directly, and "-" means
// standard output (never a file named "-").
void WriteFileAtomically(const std::string& path, std::string_view bytes);

// Unlinks the temporary files of writes in progress. Async-signal-safe: for SIGINT/SIGTERM
// handlers, which then let the signal end the process.
void RemoveTemporariesInFlight();

}  // namespace attnviz
