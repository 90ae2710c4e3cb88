// Text tables: which columns are right-aligned as numbers.
#include "cli/table.h"

#include <sstream>

#include <doctest/doctest.h>

namespace attnviz::cli {
namespace {

std::string Text(const Table& table) {
  std::ostringstream out;
  table.PrintText(out);
  return out.str();
}

TEST_CASE("a column of numbers is right-aligned, nan and inf with it") {
  Table table{{"head", "entropy"}, {{"0", "0.5"}, {"1", "nan"}, {"12", "-inf"}, {"3", "1e-05"}}};
  CHECK(Text(table) ==
        "head  entropy\n"
        "   0      0.5\n"
        "   1      nan\n"
        "  12     -inf\n"
        "   3    1e-05\n");
}

TEST_CASE("tokens that look like numbers to a character filter are text") {
  Table table{{"token", "weight"}, {{"na", "0.25"}, {"fa", "0.5"}, {"inf", "1"}, {"e", "0.125"}}};
  CHECK(Text(table) ==
        "token  weight\n"
        "na       0.25\n"
        "fa        0.5\n"
        "inf         1\n"
        "e       0.125\n");
}

TEST_CASE("a token column is text even where a token is a number") {
  Table table{{"token", "n"}, {{"1990", "7"}, {"was", "10"}}};
  CHECK(Text(table) ==
        "token  n\n"
        "1990    7\n"
        "was    10\n");
}

TEST_CASE("a column without any real number is text") {
  Table table{{"a", "b"}, {{"inf", "x"}, {"nan", "y"}}};
  CHECK(Text(table) ==
        "a    b\n"
        "inf  x\n"
        "nan  y\n");
}

TEST_CASE("a statistic that does not apply keeps its column numeric") {
  Table table{{"head", "distance_2d"}, {{"0", "-"}, {"1", "2.5"}}};
  CHECK(Text(table) ==
        "head  distance_2d\n"
        "   0            -\n"
        "   1          2.5\n");
}

}  // namespace
}  // namespace attnviz::cli
