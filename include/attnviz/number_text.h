// Numbers in messages and labels, written as people write them.
#pragma once

#include <string>

namespace attnviz {

// `value` in printf's "%g": six significant digits, no trailing zeros ("0.5", "1e-06", "12",
// "nan", "inf").
std::string Number(double value);

}  // namespace attnviz
