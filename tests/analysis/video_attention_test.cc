// Video token layouts (T, grid, CLS), one query's row split into frames, and the frame-to-frame
// mass, against values worked out by hand.
#include "attnviz/analysis/video_attention.h"

#include <doctest/doctest.h>

#include <vector>

#include "attnviz/error.h"

namespace attnviz {
namespace {

TEST_CASE("video tokens: CLS is inferred from the length, or checked when given") {
  VideoTokens with = ResolveVideoTokens("a.npy", 2 * 3 * 4 + 1, 2, 3, 4, ClsToken::kInfer);
  CHECK(with.cls);
  CHECK(with.Count() == 25);
  VideoTokens without = ResolveVideoTokens("a.npy", 24, 2, 3, 4, ClsToken::kInfer);
  CHECK_FALSE(without.cls);
  CHECK_THROWS_WITH_AS(
      ResolveVideoTokens("a.npy", 26, 2, 3, 4, ClsToken::kInfer),
      doctest::Contains("expected 2 x 3 x 4 = 24 patch tokens (25 with CLS), found 26"), Error);
  CHECK_THROWS_WITH_AS(ResolveVideoTokens("a.npy", 24, 2, 3, 4, ClsToken::kPresent),
                       doctest::Contains("--cls: expected"), Error);
  CHECK_THROWS_WITH_AS(ResolveVideoTokens("a.npy", 25, 2, 3, 4, ClsToken::kAbsent),
                       doctest::Contains("--no-cls: expected"), Error);
}

TEST_CASE("video tokens: frame t's patch (y, x) follows the CLS, frame by frame, row by row") {
  VideoTokens tokens{2, 3, 4, true};
  CHECK(tokens.Token(0, 0, 0) == 1);
  CHECK(tokens.Token(0, 2, 3) == 12);  // 1 + 2 * 4 + 3
  CHECK(tokens.Token(1, 0, 0) == 13);  // 1 + 12
  CHECK(tokens.Token(1, 1, 2) == 19);  // 1 + 12 + 4 + 2
  VideoTokens bare{2, 3, 4, false};
  CHECK(bare.Token(1, 1, 2) == 18);
}

TEST_CASE("video tokens: TimeSformer's patch-major order puts a position's frames together") {
  VideoTokens tokens{2, 3, 4, true, TokenOrder::kPatchMajor};
  CHECK(tokens.Token(0, 0, 0) == 1);
  CHECK(tokens.Token(1, 0, 0) == 2);
  CHECK(tokens.Token(0, 0, 1) == 3);   // 1 + 1 * 2
  CHECK(tokens.Token(1, 1, 2) == 14);  // 1 + (4 + 2) * 2 + 1
  std::vector<float> row(25, 0.0f);
  row[14] = 1;  // frame 1, patch (1, 2)
  FrameAttention split = SplitJointRow(row, tokens);
  CHECK(split.maps[1][1 * 4 + 2] == 1);
  CHECK(split.mass[0] == 0);
}

TEST_CASE("a joint row splits into per-frame maps whose sums are the temporal profile") {
  VideoTokens tokens{2, 1, 2, true};  // CLS, f0: p0 p1, f1: p0 p1
  std::vector<float> row{0.1f, 0.2f, 0.3f, 0.4f, 0.0f};
  FrameAttention split = SplitJointRow(row, tokens);
  CHECK(split.cls_weight == doctest::Approx(0.1));
  REQUIRE(split.maps.size() == 2);
  CHECK(split.maps[0] == std::vector<float>{0.2f, 0.3f});
  CHECK(split.maps[1] == std::vector<float>{0.4f, 0.0f});
  CHECK(split.mass[0] == doctest::Approx(0.5));
  CHECK(split.mass[1] == doctest::Approx(0.4));
  std::vector<VideoPatch> best = ArgmaxPatches(split, tokens);
  CHECK(best[0].x == 1);
  CHECK(best[1].x == 0);
  CHECK_THROWS_AS(SplitJointRow(std::vector<float>(4, 0.25f), tokens), Error);
}

TEST_CASE("divided spatial rows: each frame's patches after its own CLS; mean CLS weight") {
  VideoTokens tokens{2, 1, 2, true};
  FrameAttention split = SplitSpatialRows({{0.5f, 0.25f, 0.25f}, {0.1f, 0.0f, 0.9f}}, tokens);
  CHECK(split.maps[1] == std::vector<float>{0.0f, 0.9f});
  CHECK(split.mass[0] == doctest::Approx(0.5));
  CHECK(split.mass[1] == doctest::Approx(0.9));
  CHECK(split.cls_weight == doctest::Approx(0.3));  // (0.5 + 0.1) / 2
  CHECK_THROWS_AS(SplitSpatialRows({{1.0f, 0.0f, 0.0f}}, tokens), Error);
}

TEST_CASE("frame-to-frame mass: mean over a frame's queries of the mass on each key frame") {
  VideoTokens tokens{2, 1, 1, true};         // CLS, f0, f1: a 3 x 3 matrix
  std::vector<float> matrix{1,    0,     0,  // CLS: ignored
                            0.2f, 0.8f,  0,  // f0 -> CLS 0.2, f0 0.8
                            0,    0.25f, 0.75f};
  std::vector<double> mass = FrameToFrameMass(matrix, tokens);
  REQUIRE(mass.size() == 4);
  CHECK(mass[0] == doctest::Approx(0.8));
  CHECK(mass[1] == doctest::Approx(0.0));
  CHECK(mass[2] == doctest::Approx(0.25));
  CHECK(mass[3] == doctest::Approx(0.75));
  VideoTokens two{1, 1, 2, false};  // one frame of two patches: mean of the two rows
  std::vector<double> mean = FrameToFrameMass(std::vector<float>{0.5f, 0.5f, 1, 0}, two);
  CHECK(mean[0] == doctest::Approx(1.0));
}

}  // namespace
}  // namespace attnviz
