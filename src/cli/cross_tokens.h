// The dump options of a cross-attention dump whose keys are not tokens (audio frames): its text
// tokens name the queries only.
#pragma once

#include "cli/dump_options.h"

namespace attnviz::cli {

// `dump` reading its tokens as the queries' only: --tokens becomes --query-tokens, else a
// STEM.tokens.txt or .json beside the dump (which the loader would give to the keys too) is
// read as the queries' unless --no-tokens; and the loader trims no key as padding, since every
// frame is a time.
DumpOptions TextTokensOnQueries(DumpOptions dump);

}  // namespace attnviz::cli
