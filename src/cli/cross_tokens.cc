// Text tokens on the queries of a cross-attention dump over audio frames.
#include "cli/cross_tokens.h"

#include <filesystem>
#include <string>
#include <system_error>

namespace attnviz::cli {
namespace {

// STEM.tokens.txt or .json beside the dump, as the loader looks for it (src/io/load.cc).
std::string SiblingTokensFile(const std::string& path) {
  if (path == "-") return "";
  std::filesystem::path stem(path);
  stem.replace_extension();
  for (const char* suffix : {".tokens.txt", ".tokens.json"}) {
    std::error_code error;
    if (std::filesystem::is_regular_file(stem.string() + suffix, error)) {
      return stem.string() + suffix;
    }
  }
  return "";
}

}  // namespace

DumpOptions TextTokensOnQueries(DumpOptions dump) {
  if (!dump.tokens.empty() && dump.query_tokens.empty()) {
    dump.query_tokens = dump.tokens;
    dump.tokens.clear();
  }
  if (dump.query_tokens.empty() && !dump.no_tokens)
    dump.query_tokens = SiblingTokensFile(dump.input);
  dump.keep_padding = true;
  return dump;
}

}  // namespace attnviz::cli
