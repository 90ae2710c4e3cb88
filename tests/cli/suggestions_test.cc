// Nearest-name suggestions for mistyped commands and options.
#include "cli/suggestions.h"

#include <doctest/doctest.h>

namespace attnviz::cli {
namespace {

const std::vector<std::string> kCommands = {"info",  "heatmap", "grid",    "arrows", "highlight",
                                            "stats", "rollout", "cluster", "diff",   "check"};

TEST_CASE("EditDistance counts insertions, deletions, substitutions and swaps") {
  CHECK(EditDistance("heatmap", "heatmap") == 0);
  CHECK(EditDistance("heatmp", "heatmap") == 1);    // one insertion
  CHECK(EditDistance("heatmaps", "heatmap") == 1);  // one deletion
  CHECK(EditDistance("hextmap", "heatmap") == 1);   // one substitution
  CHECK(EditDistance("gird", "grid") == 1);         // one swap
  CHECK(EditDistance("", "info") == 4);
  CHECK(EditDistance("kitten", "sitting") == 3);
}

TEST_CASE("a command one or two edits away is suggested") {
  CHECK(NearestName("heatmp", kCommands) == "heatmap");
  CHECK(NearestName("gird", kCommands) == "grid");
  CHECK(NearestName("rolout", kCommands) == "rollout");
  CHECK(NearestName("hihglight", kCommands) == "highlight");
}

TEST_CASE("an option is suggested by its nearest name or the one it begins") {
  const std::vector<std::string> options = {"--help", "-h", "--layer", "--head", "-o", "--output"};
  CHECK(NearestName("--layr", options) == "--layer");
  CHECK(NearestName("--haed", options) == "--head");
  CHECK(NearestName("--out", options) == "--output");
}

TEST_CASE("nothing is suggested for a name far from every one, or too short to judge") {
  CHECK_FALSE(NearestName("xyz", kCommands).has_value());
  CHECK_FALSE(NearestName("attn.npy", kCommands).has_value());
  CHECK_FALSE(NearestName("-x", {"-o", "-h", "-j"}).has_value());
}

}  // namespace
}  // namespace attnviz::cli
