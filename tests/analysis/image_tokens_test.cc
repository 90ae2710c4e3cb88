// ResolveImageTokens, TopPatches and the region helpers against hand-derived positions.
#include "attnviz/analysis/image_tokens.h"

#include <doctest/doctest.h>

#include <cmath>

#include "attnviz/error.h"

namespace attnviz {
namespace {

// <s> A <image>x4 B C: seven positions, a 2x2 grid at 2:6.
std::vector<std::string> SevenTokens() {
  return {"<s>", "A", "<image>", "<image>", "<image>", "<image>", "B"};
}

ErrorKind KindOf(const ImageTokensRequest& request) {
  try {
    ResolveImageTokens(request);
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no error");
  return ErrorKind::kOutput;
}

TEST_CASE("an image span names the patch positions and leaves the rest as text") {
  ImageTokensRequest r{"a.npy", 10, 10, std::nullopt, "3:7", 2, 2};
  ImageTokens found = ResolveImageTokens(r);
  CHECK(found.placement == PatchPlacement::kSpan);
  CHECK(found.first == 3);
  CHECK(found.end == 7);
  CHECK(found.text == std::vector<int64_t>{0, 1, 2, 7, 8, 9});
  CHECK(found.patches_are_queries());
}

TEST_CASE("a span outside the sequence or of the wrong length is a usage error") {
  CHECK(KindOf({"a.npy", 10, 10, std::nullopt, "7:11", 2, 2}) == ErrorKind::kUsage);
  CHECK(KindOf({"a.npy", 10, 10, std::nullopt, "3:8", 2, 2}) == ErrorKind::kUsage);
  CHECK(KindOf({"a.npy", 10, 10, std::nullopt, "5:5", 2, 2}) == ErrorKind::kUsage);
  CHECK(KindOf({"a.npy", 10, 10, std::nullopt, "3-7", 2, 2}) == ErrorKind::kUsage);
  CHECK(KindOf({"a.npy", 10, 4, std::nullopt, "0:4", 2, 2}) == ErrorKind::kUsage);
}

TEST_CASE("a run of <image> tokens the grid's size is the patches") {
  ImageTokens found = ResolveImageTokens({"a.npy", 7, 7, SevenTokens(), "", 2, 2});
  CHECK(found.first == 2);
  CHECK(found.end == 6);
  CHECK(found.text == std::vector<int64_t>{0, 1, 6});
  CHECK(found.tokens.size() == 7);
}

TEST_CASE("one <image> placeholder stands for the whole grid when the sequence is longer") {
  // <s> A <image> B: 4 tokens, a 2x2 grid: the model saw 4 + 3 = 7 positions.
  ImageTokens found = ResolveImageTokens(
      {"a.npy", 7, 7, std::vector<std::string>{"<s>", "A", "<image>", "B"}, "", 2, 2});
  CHECK(found.first == 2);
  CHECK(found.end == 6);
  CHECK(found.text == std::vector<int64_t>{0, 1, 6});
  CHECK(found.tokens == SevenTokens());
}

TEST_CASE("placeholders that fit neither reading are an input error") {
  std::vector<std::string> two_runs = {"<image>", "A",       "<image>", "<image>",
                                       "<image>", "<image>", "B"};
  CHECK(KindOf({"a.npy", 7, 7, two_runs, "", 2, 2}) == ErrorKind::kInput);
  CHECK(KindOf({"a.npy", 7, 7, SevenTokens(), "", 3, 1}) == ErrorKind::kInput);
}

TEST_CASE("cross-attention: the keys are the patches") {
  ImageTokens found =
      ResolveImageTokens({"blip.npz", 3, 6, std::vector<std::string>{"a", "red", "cat"}, "", 2, 3});
  CHECK(found.placement == PatchPlacement::kKeys);
  CHECK(found.first == 0);
  CHECK(found.end == 6);
  CHECK(found.text == std::vector<int64_t>{0, 1, 2});
  CHECK_FALSE(found.patches_are_queries());
  CHECK(KindOf({"blip.npz", 3, 6, std::nullopt, "", 2, 2}) == ErrorKind::kUsage);
}

TEST_CASE("top patches: largest first, ties to the lower index, NaN never chosen") {
  std::vector<float> w = {0.1f, 0.4f, NAN, 0.4f, 0.05f, 0.3f};
  CHECK(TopPatches(w, 3) == std::vector<int64_t>{1, 3, 5});
  CHECK(TopPatches(w, 1) == std::vector<int64_t>{1});
  CHECK(TopPatches(w, 10) == std::vector<int64_t>{1, 3, 5, 0, 4});
  CHECK(TopPatches(w, 0).empty());
}

TEST_CASE("a region of patches is listed row by row") {
  // Columns 1..2, rows 2..3 of a 4x4 grid: 9 10 13 14.
  CHECK(RegionPatches({1, 2, 3, 4}, 4, 4) == std::vector<int64_t>{9, 10, 13, 14});
  CHECK_THROWS_AS(RegionPatches({1, 2, 5, 4}, 4, 4), Error);
  CHECK_THROWS_AS(RegionPatches({2, 2, 2, 4}, 4, 4), Error);
}

TEST_CASE("a pixel rectangle covers every patch it overlaps") {
  // 64x64 picture in 8x8 patches of 8 px: x 10..20 touches columns 1, 2; y 0..8 row 0 alone.
  PatchRegion r = PixelRegionToPatches(10, 0, 20, 8, 64, 64, 8, 8);
  CHECK(r.col0 == 1);
  CHECK(r.col1 == 3);
  CHECK(r.row0 == 0);
  CHECK(r.row1 == 1);
}

}  // namespace
}  // namespace attnviz
