// Numbers in messages and labels.
#include "attnviz/number_text.h"

#include <cstdio>

namespace attnviz {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace attnviz
