// PositionalScores: the scores of scripts/reference/positional.py (numpy) to 1e-6 on inputs with
// planted heads, the planted heads told apart, and what the score means on hand-made heads.
#include "attnviz/analysis/positional.h"

#include <doctest/doctest.h>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::CheckGolden;
using testing::MakeTensor;

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/positional/";

// Both passes over the dumps of `files`, loaded as attnviz loads them (padding trimmed).
std::vector<HeadPositional> ScoreFiles(const std::vector<std::string>& files, int threads = 1) {
  PositionalScores scores(threads);
  for (const std::string& file : files) {
    const Dump dump = LoadDump(kFixtures + file);
    scores.AddProfile(dump.attention, dump.query_tokens, dump.key_tokens, file);
  }
  for (const std::string& file : files) {
    const Dump dump = LoadDump(kFixtures + file);
    scores.AddScore(dump.attention, dump.query_tokens, dump.key_tokens, file);
  }
  return scores.Results();
}

std::vector<std::string> CaseFiles(const nlohmann::json& golden_case) {
  return golden_case["files"].get<std::vector<std::string>>();
}

TEST_CASE("positional scores equal the numpy reference to 1e-6 on every fixture case") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  for (const nlohmann::json& golden_case : golden["cases"]) {
    const std::string name = golden_case["name"];
    const std::vector<HeadPositional> heads = ScoreFiles(CaseFiles(golden_case));
    REQUIRE(heads.size() == golden_case["heads"].size());
    for (size_t k = 0; k < heads.size(); ++k) {
      const nlohmann::json& want = golden_case["heads"][k];
      const std::string what =
          name + " L" + std::to_string(heads[k].layer) + "H" + std::to_string(heads[k].head);
      CHECK(heads[k].layer == want["layer"].get<int64_t>());
      CHECK(heads[k].head == want["head"].get<int64_t>());
      CheckGolden(want["score"], heads[k].score, what + " score");
      CHECK_MESSAGE(heads[k].dominant == want["dominant"].get<std::string>(), what);
      CheckGolden(want["dominant_share"], heads[k].dominant_share, what + " dominant_share");
      CHECK_MESSAGE(heads[k].rows == want["rows"].get<int64_t>(), what);
    }
  }
}

TEST_CASE("planted positional heads score near 1 and planted content heads clearly lower") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  const std::vector<HeadPositional> heads = ScoreFiles(CaseFiles(golden["cases"][0]));
  REQUIRE(heads.size() == 8);
  // Layer 0: previous token, first-token sink, content, random; layer 1: next token, last-key
  // sink, local band, content (scripts/reference/positional.py, planted_input).
  for (int positional : {0, 1, 4, 5, 6}) CHECK(heads[positional].score > 0.9);
  for (int content : {2, 3, 7}) CHECK(heads[content].score < 0.65);
  CHECK(heads[0].dominant == "-1");
  CHECK(heads[1].dominant == "first");
  CHECK(heads[4].dominant == "+1");
  CHECK(heads[5].dominant == "last");
}

TEST_CASE("with one input the profile is its rows by offset, and still tells the heads apart") {
  // Fewer rows per key class fit the random head better (0.54 here against 0.35 over six
  // inputs), but the planted positional heads stay above 0.9 and the content heads below 0.65.
  const std::vector<HeadPositional> heads = ScoreFiles({"planted_1.npy"});
  REQUIRE(heads.size() == 8);
  for (int positional : {0, 1, 4, 5, 6}) CHECK(heads[positional].score > 0.9);
  for (int content : {2, 3, 7}) CHECK(heads[content].score < 0.65);
}

TEST_CASE("positional scores do not depend on the thread count") {
  const nlohmann::json golden = testing::ReadJson(kFixtures + "golden.json");
  const std::vector<HeadPositional> one = ScoreFiles(CaseFiles(golden["cases"][0]), 1);
  const std::vector<HeadPositional> four = ScoreFiles(CaseFiles(golden["cases"][0]), 4);
  REQUIRE(one.size() == four.size());
  for (size_t k = 0; k < one.size(); ++k) CHECK(one[k].score == four[k].score);
}

TEST_CASE("a head that puts everything on the previous key scores exactly 1") {
  // 4 x 4: row 0 halves between the first and last keys, row i > 0 on key i - 1. Each row is
  // its key classes' mean: (first, 0), (last, +3), (first, -1), then offset -1 twice.
  std::vector<float> values(16, 0.0f);
  values[0] = values[3] = 0.5f;
  for (int i = 1; i < 4; ++i) values[i * 4 + i - 1] = 1.0f;
  const AttentionTensor tensor = MakeTensor({4, 4}, values);
  PositionalScores scores(1);
  scores.AddProfile(tensor, std::nullopt, std::nullopt, "prev");
  scores.AddScore(tensor, std::nullopt, std::nullopt, "prev");
  const HeadPositional head = scores.Results().front();
  CHECK(head.score == doctest::Approx(1.0));
  CHECK(head.rows == 4);
  CHECK(head.dominant == "-1");  // mean 1; the first key's pooled mean is (0.5 + 1) / 4
  CHECK(head.dominant_share == doctest::Approx(1.0));
}

TEST_CASE("inputs of another number of layers or heads are refused naming the input") {
  PositionalScores scores(1);
  scores.AddProfile(MakeTensor({2, 3, 3}, std::vector<float>(18, 1.0f / 3)), std::nullopt,
                    std::nullopt, "a.npy");
  try {
    scores.AddProfile(MakeTensor({3, 3, 3}, std::vector<float>(27, 1.0f / 3)), std::nullopt,
                      std::nullopt, "b.npy");
    FAIL("expected an input error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    CHECK(std::string(error.what()).find("b.npy") != std::string::npos);
    CHECK(std::string(error.what()).find("expected 1 layers x 2 heads") != std::string::npos);
  }
}

}  // namespace
}  // namespace attnviz
