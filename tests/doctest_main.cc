// The doctest runner for every unit test of attnviz. ATTNVIZ_ISA narrows the vectorised kernels
// to one instruction set, as for the program (CTest runs the numeric tests once with "scalar").
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "attnviz/error.h"
#include "simd/dispatch.h"

int main(int argc, char** argv) {
  try {
    attnviz::ApplyIsaFromEnvironment();
  } catch (const attnviz::Error& error) {
    std::cerr << "attnviz_tests: " << error.what() << "\n";
    return 2;
  }
  return doctest::Context(argc, argv).run();
}
