// Checks of numeric option values whose messages quote the value as typed: CLI11's own print
// their limits as parsed doubles ("not in range 0.000000 to 179769313486231570814527...").
#pragma once

#include <CLI/CLI.hpp>

namespace attnviz::cli {

// A finite number: "--vmax: expected a finite number, found '1e400'".
CLI::Validator FiniteNumber();

// A finite number >= 0: "--alpha: expected a number >= 0, found '-1'".
CLI::Validator NonNegativeNumber();

// A finite number > 0: "--min-width: expected a number > 0, found '0'".
CLI::Validator PositiveNumber();

// A finite number from `lo` to `hi`: "--discard: expected a number from 0 to 1, found '1e309'".
CLI::Validator NumberFrom(double lo, double hi);

// A whole number from `lo` to `hi`: "--dpi: expected a whole number from 10 to 1200, found '2.5'".
CLI::Validator WholeNumberFrom(long long lo, long long hi);

}  // namespace attnviz::cli
