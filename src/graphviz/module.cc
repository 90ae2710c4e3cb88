// The Graphviz module's entry point: the table of its functions.
#include "graphviz/module.h"

extern "C" __attribute__((visibility("default"))) const attnviz::graphviz::Module*
attnviz_graphviz_module() {
  static const attnviz::graphviz::Module module{attnviz::graphviz::kVersion,
                                                &attnviz::graphviz::LayoutGraph};
  return &module;
}
