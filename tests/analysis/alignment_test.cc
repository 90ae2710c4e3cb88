// AlignTokens against scripts/reference/word_timing.py (numpy, Whisper's procedure): the same
// path and frames exactly, ties included; a hand-derived case; the refusals; and the alignment-head
// scores picking the one head built to align.
#include "attnviz/analysis/alignment.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "attnviz/analysis/alignment_heads.h"
#include "attnviz/error.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::CheckGolden;

const std::string kGolden = ATTNVIZ_FIXTURES_DIR "/analysis/word_timing/golden.json";

Matrix MatrixFromJson(const nlohmann::json& rows) {
  Matrix matrix;
  matrix.rows = static_cast<int64_t>(rows.size());
  matrix.cols = static_cast<int64_t>(rows.at(0).size());
  for (const nlohmann::json& row : rows) {
    for (const nlohmann::json& value : row) matrix.values.push_back(value.get<float>());
  }
  return matrix;
}

std::vector<Matrix> HeadsFromJson(const nlohmann::json& heads) {
  std::vector<Matrix> matrices;
  for (const nlohmann::json& head : heads) matrices.push_back(MatrixFromJson(head));
  return matrices;
}

ErrorKind KindOfFailure(const std::vector<Matrix>& heads, int median_width) {
  try {
    AlignTokens(heads, AlignmentOptions{median_width, 0.02});
  } catch (const Error& error) {
    return error.kind();
  }
  FAIL("AlignTokens accepted what it should refuse");
  return ErrorKind::kOutput;
}

TEST_CASE("AlignTokens gives the numpy reference's path and frames exactly, ties included") {
  const nlohmann::json golden = testing::ReadJson(kGolden);
  REQUIRE(golden["cases"].size() >= 10);
  for (const nlohmann::json& want : golden["cases"]) {
    INFO(want["name"].get<std::string>());
    const Alignment alignment =
        AlignTokens(HeadsFromJson(want["heads"]), AlignmentOptions{want["median_width"], 0.02});
    std::vector<std::vector<int64_t>> path;
    for (const auto& [token, frame] : alignment.path) path.push_back({token, frame});
    CHECK(path == want["path"].get<std::vector<std::vector<int64_t>>>());
    const auto starts = want["start_frames"].get<std::vector<int64_t>>();
    const auto ends = want["end_frames"].get<std::vector<int64_t>>();
    REQUIRE(alignment.tokens.size() == starts.size());
    for (size_t t = 0; t < starts.size(); ++t) {
      CHECK(alignment.tokens[t].token == static_cast<int64_t>(t));
      CHECK(alignment.tokens[t].start_frame == starts[t]);
      CHECK(alignment.tokens[t].end_frame == ends[t]);
      CHECK(alignment.tokens[t].start_seconds == doctest::Approx(0.02 * starts[t]));
      CHECK(alignment.tokens[t].end_seconds == doctest::Approx(0.02 * ends[t]));
    }
  }
}

TEST_CASE("two tokens over four frames split where the attention moves, by hand") {
  // Token 0 attends frames 0-1, token 1 frames 2-3: every frame's z-scores are +-1, the path
  // stays on token 0 while -z is -1 there, then steps diagonally to token 1 at frame 2.
  const Matrix head(2, 4, {0.5f, 0.5f, 0, 0, 0, 0, 0.5f, 0.5f});
  const Alignment alignment = AlignTokens({head}, AlignmentOptions{1, 0.5});
  REQUIRE(alignment.tokens.size() == 2);
  CHECK(alignment.tokens[0].start_frame == 0);
  CHECK(alignment.tokens[0].end_frame == 2);
  CHECK(alignment.tokens[1].start_frame == 2);
  CHECK(alignment.tokens[1].end_frame == 4);
  CHECK(alignment.tokens[1].start_seconds == 1.0);
  CHECK(alignment.tokens[1].end_seconds == 2.0);
  const std::vector<std::pair<int64_t, int64_t>> path = {{0, 0}, {0, 1}, {1, 2}, {1, 3}};
  CHECK(alignment.path == path);
  CHECK(alignment.fused.at(0, 0) == 1.0f);
  CHECK(alignment.fused.at(1, 0) == -1.0f);
}

TEST_CASE("AlignTokens refuses no heads, bad median widths, unequal shapes, non-finite weights") {
  const Matrix head(2, 3, {1, 0, 0, 0, 1, 1});
  CHECK(KindOfFailure({}, 7) == ErrorKind::kUsage);
  CHECK(KindOfFailure({head}, 4) == ErrorKind::kUsage);
  CHECK(KindOfFailure({head}, 0) == ErrorKind::kUsage);
  CHECK(KindOfFailure({head}, -3) == ErrorKind::kUsage);
  CHECK(KindOfFailure({head, Matrix(3, 2, std::vector<float>(6, 1))}, 7) == ErrorKind::kUsage);
  Matrix bad = head;
  bad.values[4] = std::numeric_limits<float>::quiet_NaN();
  CHECK(KindOfFailure({head, bad}, 7) == ErrorKind::kInput);
}

TEST_CASE("alignment-head scores equal the numpy reference's") {
  const nlohmann::json golden = testing::ReadJson(kGolden);
  for (const nlohmann::json& want : golden["cases"]) {
    const std::vector<Matrix> heads = HeadsFromJson(want["heads"]);
    for (size_t h = 0; h < heads.size(); ++h) {
      const std::string what = want["name"].get<std::string>() + " head " + std::to_string(h);
      const AlignmentHeadScore score = ScoreAlignmentHead(heads[h]);
      CheckGolden(want["scores"][h]["monotonicity"], score.monotonicity, what + " monotonicity");
      CheckGolden(want["scores"][h]["peakedness"], score.peakedness, what + " peakedness");
      CheckGolden(want["scores"][h]["score"], score.score, what + " score");
    }
  }
}

// tokens x frames heads of known kinds: token t attends the 9 frames around frame_of_token[t]
// (wider than Whisper's median filter, which removes peaks of 3 frames or fewer).
Matrix PeakedAt(const std::vector<int64_t>& frame_of_token, int64_t frames) {
  const int64_t tokens = static_cast<int64_t>(frame_of_token.size());
  Matrix head(tokens, frames, std::vector<float>(static_cast<size_t>(tokens * frames), 0.01f));
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t d = -4; d <= 4; ++d) {
      const int64_t frame = frame_of_token[t] + d;
      if (frame >= 0 && frame < frames) head.values[t * frames + frame] = d == 0 ? 0.2f : 0.1f;
    }
  }
  return head;
}

TEST_CASE("the head built to align scores best, and has the smallest boundary error") {
  const int64_t tokens = 6, span = 10, frames = tokens * span;
  std::vector<int64_t> centre, reversed, sink, scrambled;
  for (int64_t t = 0; t < tokens; ++t) {
    centre.push_back(t * span + span / 2);
    reversed.push_back((tokens - 1 - t) * span + span / 2);
    sink.push_back(0);
    scrambled.push_back(((t * 4) % tokens) * span + span / 2);  // 0, 4, 2, 0, 4, 2: no order
  }
  const Matrix uniform(tokens, frames, std::vector<float>(static_cast<size_t>(tokens * frames), 1));
  const std::vector<Matrix> heads = {PeakedAt(reversed, frames), uniform, PeakedAt(sink, frames),
                                     PeakedAt(scrambled, frames), PeakedAt(centre, frames)};
  std::vector<ReferenceSpan> truth;
  for (int64_t t = 0; t < tokens; ++t) truth.push_back({0.02 * t * span, 0.02 * (t + 1) * span});
  std::vector<double> scores, errors;
  for (const Matrix& head : heads) {
    scores.push_back(ScoreAlignmentHead(head).score);
    errors.push_back(BoundaryError(AlignTokens({head}, AlignmentOptions{}), truth));
  }
  CHECK(scores[0] == 0.0);  // backwards: monotonicity 0
  CHECK(scores[1] == 0.0);  // uniform: peakedness 0, every centre equal
  CHECK(scores[2] == 0.0);  // a sink: every centre equal, monotonicity 0.5
  CHECK(ScoreAlignmentHead(heads[4]).monotonicity == 1.0);
  for (size_t h = 0; h + 1 < heads.size(); ++h) {
    CHECK(scores[4] > scores[h]);
    CHECK(errors[4] < errors[h]);
  }
  // The aligning head's DTW puts each boundary within a few frames of the truth.
  CHECK(errors[4] <= 0.02 * span / 2);
}

TEST_CASE("BoundaryError averages the absolute start and end errors, and wants one span a token") {
  Alignment alignment;
  alignment.tokens = {{0, 0, 2, 0.0, 0.4}, {1, 2, 5, 0.4, 1.0}};
  CHECK(BoundaryError(alignment, {{0.1, 0.4}, {0.4, 0.8}}) == doctest::Approx((0.1 + 0.2) / 4));
  CHECK_THROWS_AS(BoundaryError(alignment, {{0, 1}}), Error);
}

// An alignment whose token t spans frames [starts[t], starts[t + 1]), the last to `frames`.
Alignment Spans(const std::vector<int64_t>& starts, int64_t frames) {
  Alignment alignment;
  for (size_t t = 0; t < starts.size(); ++t) {
    const int64_t end = t + 1 < starts.size() ? starts[t + 1] : frames;
    alignment.tokens.push_back(
        {static_cast<int64_t>(t), starts[t], end, 0.02 * starts[t], 0.02 * end});
  }
  return alignment;
}

TEST_CASE("GroupWords joins pieces after a space or Ġ marker and leaves special tokens out") {
  const Alignment alignment = Spans({0, 0, 5, 9, 12, 20}, 30);
  const auto words = GroupWords(
      alignment, {"<|notimestamps|>", "\xC4\xA0Hel", "lo", " world", "!", "<|endoftext|>"});
  REQUIRE(words.size() == 2);
  CHECK(words[0].text == "Hello");
  CHECK(words[0].first_token == 1);
  CHECK(words[0].end_token == 3);
  CHECK(words[0].start_seconds == doctest::Approx(0.0));
  CHECK(words[0].end_seconds == doctest::Approx(0.18));
  CHECK(words[1].text == "world!");
  CHECK(words[1].start_seconds == doctest::Approx(0.18));
  CHECK(words[1].end_seconds == doctest::Approx(0.40));
}

TEST_CASE("GroupWords makes each token a word without markers, and joins words of no time") {
  // "b" spans no frame: it joins "c"; "e" is last and spans none: it joins "d".
  const auto words = GroupWords(Spans({0, 4, 4, 8, 10}, 10), {"a", "b", "c", "d", "e"});
  REQUIRE(words.size() == 3);
  CHECK(words[0].text == "a");
  CHECK(words[1].text == "b c");
  CHECK(words[1].start_seconds == doctest::Approx(0.08));
  CHECK(words[1].end_seconds == doctest::Approx(0.16));
  CHECK(words[2].text == "d e");
  CHECK(words[2].end_seconds == doctest::Approx(0.20));
  CHECK_THROWS_AS(GroupWords(Spans({0, 1}, 2), {"a"}), Error);
}

}  // namespace
}  // namespace attnviz
