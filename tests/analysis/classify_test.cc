// ClassifyHeads: the labelling rules on hand-made heads, the scores of scripts/reference/
// classify.py (numpy) to 1e-6, and the known heads of the sample models in data/.
#include "attnviz/analysis/classify.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::MakeTensor;

const std::string kGoldens = ATTNVIZ_FIXTURES_DIR "/analysis/classify/";
const std::string kData = ATTNVIZ_DATA_DIR "/";

// n x n rows that put `main` on key key_of(i) (when in range) and spread the rest evenly.
std::vector<float> RuleHead(int64_t n, float main, int64_t (*key_of)(int64_t)) {
  std::vector<float> values(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = key_of(i);
    const bool hit = j >= 0 && j < n;
    for (int64_t k = 0; k < n; ++k) {
      const float rest = (hit ? 1 - main : 1.0f) / float(hit ? n - 1 : n);
      values[i * n + k] = hit && k == j ? main : rest;
    }
  }
  return values;
}

HeadClass ClassifyOne(const std::vector<int64_t>& shape, const std::vector<float>& values,
                      const ClassifyOptions& options = {}) {
  const std::vector<HeadClass> heads =
      ClassifyHeads(MakeTensor(shape, values), std::nullopt, std::nullopt, options);
  REQUIRE(heads.size() == 1);
  return heads.front();
}

// --- Labels ---

TEST_CASE("a head on the previous token is labelled previous, though it is peaked too") {
  const HeadClass head = ClassifyOne({8, 8}, RuleHead(8, 0.9f, [](int64_t i) { return i - 1; }));
  REQUIRE(head.label.has_value());
  CHECK(*head.label == Pattern::kPrevious);
  // Rows 1-7 put 0.9 on the previous key; row 0 has none and does not count.
  CHECK(head.confidence == doctest::Approx(0.9));
  CHECK(head.labels == std::vector<Pattern>{Pattern::kPrevious, Pattern::kPeaked});
  CHECK_FALSE(head.heterogeneous);
}

TEST_CASE("an offset head reports its k and the label text names it") {
  const HeadClass head = ClassifyOne({10, 10}, RuleHead(10, 0.8f, [](int64_t i) { return i - 3; }));
  REQUIRE(head.label.has_value());
  CHECK(*head.label == Pattern::kOffset);
  CHECK(head.offset == -3);
  CHECK(LabelText(head) == "offset -3");
}

TEST_CASE("uniform rows are diffuse, a shape label given only when no rule passes") {
  const HeadClass head = ClassifyOne({6, 6}, std::vector<float>(36, 1.0f / 6));
  REQUIRE(head.label.has_value());
  CHECK(*head.label == Pattern::kDiffuse);
  CHECK(head.confidence == doctest::Approx(1.0));
  CHECK(head.score(Pattern::kSelf) == doctest::Approx(1.0 / 6));
}

TEST_CASE("a head uniform on a band around the diagonal is local, with its half-width") {
  // Rows uniform on |i - j| <= 2 of 12 keys: m_i = 3, 4, 5 x 8, 4, 3 band keys, so the band
  // value is 1 - m_i / 12 and the score 1 - 54 / 144 (wider bands cap each share at 1/m).
  std::vector<float> values(144, 0.0f);
  for (int64_t i = 0; i < 12; ++i) {
    const int64_t a = std::max<int64_t>(0, i - 2), b = std::min<int64_t>(11, i + 2);
    for (int64_t j = a; j <= b; ++j) values[i * 12 + j] = 1.0f / float(b - a + 1);
  }
  const HeadClass head = ClassifyOne({12, 12}, values);
  REQUIRE(head.label.has_value());
  CHECK(*head.label == Pattern::kLocal);
  CHECK(head.score(Pattern::kLocal) == doctest::Approx(1.0 - 54.0 / 144));
  CHECK(head.width == 2);
  CHECK(LabelText(head) == "local 2");
}

TEST_CASE("a head no pattern explains is heterogeneous, with its best score as confidence") {
  // Every row: 0.3 on the previous and next positions, 0.2 three and four ahead (wrapping).
  std::vector<float> values(64, 0.0f);
  for (int64_t i = 0; i < 8; ++i) {
    values[i * 8 + (i + 7) % 8] = 0.3f;
    values[i * 8 + (i + 1) % 8] = 0.3f;
    values[i * 8 + (i + 3) % 8] = 0.2f;
    values[i * 8 + (i + 4) % 8] = 0.2f;
  }
  const HeadClass head = ClassifyOne({8, 8}, values);
  CHECK_FALSE(head.label.has_value());
  CHECK(head.heterogeneous);
  CHECK(head.labels.empty());
  CHECK(LabelText(head) == "heterogeneous");
  CHECK(head.score(Pattern::kPeaked) == doctest::Approx(0.6));
  for (Pattern p : AllPatterns()) CHECK_FALSE(head.score(p) > head.confidence);
}

TEST_CASE("scores that do not apply are NaN: next in a causal dump, tokens without tokens") {
  // Causal rows uniform over the keys they may see.
  std::vector<float> values(16, 0.0f);
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j <= i; ++j) values[i * 4 + j] = 1.0f / float(i + 1);
  }
  const HeadClass head = ClassifyOne({4, 4}, values);
  CHECK(head.causal);
  CHECK(std::isnan(head.score(Pattern::kNext)));
  CHECK(std::isnan(head.score(Pattern::kSpecial)));
  CHECK(std::isnan(head.score(Pattern::kInduction)));
  CHECK(std::isnan(head.score(Pattern::kAlign)));  // self-attention
}

TEST_CASE("cross-attention scores align and no positional pattern") {
  // 4 target queries, 2 source keys: queries 0-1 on key 0, queries 2-3 on key 1.
  const HeadClass head = ClassifyOne({4, 2}, {0.9f, 0.1f, 0.9f, 0.1f, 0.1f, 0.9f, 0.1f, 0.9f});
  CHECK(head.score(Pattern::kAlign) == doctest::Approx(0.9));
  CHECK(std::isnan(head.score(Pattern::kSelf)));
  CHECK(std::isnan(head.score(Pattern::kOffset)));
  REQUIRE(head.label.has_value());
  CHECK(*head.label == Pattern::kAlign);
}

TEST_CASE("induction needs repeated tokens: the key after the earlier copy") {
  // a b c a b c: rows 3-5 attend to the token after the earlier copy (1, 2, 3).
  const std::vector<std::string> tokens = {"a", "b", "c", "a", "b", "c"};
  std::vector<float> values = RuleHead(6, 0.9f, [](int64_t i) { return i >= 3 ? i - 2 : i; });
  const std::vector<HeadClass> with = ClassifyHeads(MakeTensor({6, 6}, values), tokens, tokens, {});
  REQUIRE(with.front().label.has_value());
  CHECK(*with.front().label == Pattern::kInduction);
  CHECK(with.front().score(Pattern::kInduction) == doctest::Approx(0.9));
  const std::vector<std::string> distinct = {"a", "b", "c", "d", "e", "f"};
  const std::vector<HeadClass> without =
      ClassifyHeads(MakeTensor({6, 6}, values), distinct, distinct, {});
  CHECK(std::isnan(without.front().score(Pattern::kInduction)));
}

TEST_CASE("classification does not depend on the number of threads") {
  std::vector<float> values(4 * 7 * 7);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float((i * 7919) % 103 + 1);
  const AttentionTensor t = MakeTensor({4, 7, 7}, values);
  ClassifyOptions one, four;
  one.threads = 1;
  four.threads = 4;
  const std::vector<HeadClass> a = ClassifyHeads(t, {}, {}, one),
                               b = ClassifyHeads(t, {}, {}, four);
  REQUIRE(a.size() == 4);
  for (size_t h = 0; h < a.size(); ++h) {
    CHECK(a[h].label == b[h].label);
    for (Pattern p : AllPatterns()) {
      CHECK(((std::isnan(a[h].score(p)) && std::isnan(b[h].score(p))) ||
             a[h].score(p) == b[h].score(p)));
    }
  }
}

// --- Thresholds ---

TEST_CASE("the default thresholds are 0.5, local 0.4, peaked 0.7 and diffuse 0.85") {
  const ClassifyThresholds t;
  CHECK(t[Pattern::kPrevious] == 0.5);
  CHECK(t[Pattern::kLocal] == 0.4);
  CHECK(t[Pattern::kInduction] == 0.5);
  CHECK(t[Pattern::kPeaked] == 0.7);
  CHECK(t[Pattern::kDiffuse] == 0.85);
}

TEST_CASE("a thresholds file overrides the patterns it names") {
  const ClassifyThresholds t =
      ParseClassifyThresholds(R"({"previous": 0.9, "diffuse": 0.6})", "t.json");
  CHECK(t[Pattern::kPrevious] == 0.9);
  CHECK(t[Pattern::kDiffuse] == 0.6);
  CHECK(t[Pattern::kSelf] == 0.5);
}

TEST_CASE("a thresholds file with an unknown pattern, a bad value or no object is an input error") {
  CHECK_THROWS_WITH(ParseClassifyThresholds(R"({"prev": 0.9})", "t.json"),
                    doctest::Contains("t.json: expected pattern names"));
  CHECK_THROWS_WITH(ParseClassifyThresholds(R"({"self": 1.5})", "t.json"),
                    doctest::Contains("between 0 and 1 for 'self', found 1.5"));
  CHECK_THROWS_WITH(ParseClassifyThresholds("[0.5]", "t.json"),
                    doctest::Contains("expected a JSON object"));
  CHECK_THROWS_WITH(ParseClassifyThresholds("{", "t.json"), doctest::Contains("t.json"));
}

TEST_CASE("a higher threshold moves a head from a pattern to heterogeneous") {
  ClassifyOptions strict;
  strict.thresholds[Pattern::kPrevious] = 0.95;
  strict.thresholds[Pattern::kPeaked] = 0.95;
  const HeadClass head =
      ClassifyOne({8, 8}, RuleHead(8, 0.9f, [](int64_t i) { return i - 1; }), strict);
  CHECK(head.heterogeneous);
}

// --- Goldens from the numpy reference ---

ClassifyOptions OptionsOf(const nlohmann::json& o) {
  ClassifyOptions options;
  if (o.contains("thresholds"))
    options.thresholds = ParseClassifyThresholds(o["thresholds"].dump(), "golden");
  return options;
}

void CheckHead(const nlohmann::json& expected, const HeadClass& actual, const std::string& where) {
  INFO(where);
  CHECK(expected["label"].get<std::string>() ==
        (actual.label ? std::string(PatternName(*actual.label)) : "heterogeneous"));
  testing::CheckGolden(expected["confidence"], actual.confidence, where + " confidence");
  std::vector<std::string> labels;
  for (Pattern p : actual.labels) labels.emplace_back(PatternName(p));
  CHECK(expected["labels"].get<std::vector<std::string>>() == labels);
  for (Pattern p : AllPatterns()) {
    const std::string name(PatternName(p));
    testing::CheckGolden(expected["scores"][name], actual.score(p), where + " " + name);
  }
  CHECK(expected["offset"] == (actual.offset ? nlohmann::json(*actual.offset) : nlohmann::json()));
  CHECK(expected["width"] == (actual.width ? nlohmann::json(*actual.width) : nlohmann::json()));
  CHECK(expected["causal"].get<bool>() == actual.causal);
  CHECK(expected["heterogeneous"].get<bool>() == actual.heterogeneous);
}

TEST_CASE("every score, label and flag agrees with the numpy reference on the fixtures") {
  const nlohmann::json golden = testing::ReadJson(kGoldens + "golden.json");
  REQUIRE(golden["cases"].size() >= 6);
  for (const nlohmann::json& c : golden["cases"]) {
    const std::string where = c["file"].get<std::string>() + " " + c["options"].dump();
    const Dump dump = LoadDump(kGoldens + c["file"].get<std::string>());
    const bool tokens = !c["options"].value("no_tokens", false);
    const std::vector<HeadClass> heads =
        ClassifyHeads(dump.attention, tokens ? dump.query_tokens : std::nullopt,
                      tokens ? dump.key_tokens : std::nullopt, OptionsOf(c["options"]));
    REQUIRE(heads.size() == c["heads"].size());
    for (size_t i = 0; i < heads.size(); ++i) {
      CheckHead(c["heads"][i], heads[i], where + " head " + std::to_string(i));
    }
  }
}

TEST_CASE("the heads built to show one pattern each are labelled with it") {
  const nlohmann::json golden = testing::ReadJson(kGoldens + "golden.json");
  const Dump dump = LoadDump(kGoldens + "patterns.npy");
  const std::vector<HeadClass> heads =
      ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens, {});
  const auto built_as = golden["built_as"].get<std::vector<std::string>>();
  REQUIRE(heads.size() == built_as.size());
  for (size_t h = 0; h < heads.size(); ++h) {
    INFO("head built as ", built_as[h]);
    REQUIRE(heads[h].label.has_value());
    CHECK(std::string(PatternName(*heads[h].label)) == built_as[h]);
  }
}

TEST_CASE("planted local heads are labelled local, block and self heads are not") {
  const nlohmann::json golden = testing::ReadJson(kGoldens + "golden.json");
  for (const auto& [file, built_as] : golden["local_built_as"].items()) {
    const Dump dump = LoadDump(kGoldens + file);
    const std::vector<HeadClass> heads = ClassifyHeads(dump.attention, std::nullopt, std::nullopt);
    REQUIRE(heads.size() == built_as.size());
    for (size_t h = 0; h < heads.size(); ++h) {
      const std::string name = built_as[h].get<std::string>();
      INFO(file, " head built as ", name, ": labelled ", LabelText(heads[h]));
      REQUIRE(heads[h].label.has_value());
      CHECK(std::string(PatternName(*heads[h].label)) == name.substr(0, name.find(' ')));
    }
  }
}

TEST_CASE("a planted sliding window reports its half-width") {
  // local.npy head 1 is uniform on |i - j| <= 3 plus noise; local_causal.npy head 1 on
  // i - 4 <= j <= i (scripts/reference/classify.py local_heads()).
  const Dump both = LoadDump(kGoldens + "local.npy");
  const Dump causal = LoadDump(kGoldens + "local_causal.npy");
  CHECK(ClassifyHeads(both.attention, std::nullopt, std::nullopt).at(1).width == 3);
  CHECK(ClassifyHeads(causal.attention, std::nullopt, std::nullopt).at(1).width == 4);
}

// --- The sample models of data/, whose heads are known (data/README.md, data/patterns.json) ---

// The label data/patterns.json's measured pattern names mean.
std::string LabelFor(const std::string& pattern) {
  static const std::map<std::string, std::string> labels = {
      {"prev", "previous"},   {"induction", "induction"}, {"induction_all", "induction"},
      {"offset_3", "offset"}, {"anti_diag", "reorder"},   {"diag_alignment", "align"}};
  return labels.at(pattern);
}

// Every head data/README.md calls a pattern head without "borderline" (score >= 0.6) gets that
// label; heads it gives no pattern get none of the data's labels.
void CheckKnownHeads(const std::string& file, const nlohmann::json& known) {
  const Dump dump = LoadDump(kData + file);
  const std::vector<HeadClass> heads =
      ClassifyHeads(dump.attention, dump.query_tokens, dump.key_tokens, {});
  for (const nlohmann::json& expected : known["heads"]) {
    const HeadClass& head = heads.at(expected["layer"].get<size_t>() * dump.attention.heads() +
                                     expected["head"].get<size_t>());
    const std::string where =
        file + " L" + expected["layer"].dump() + "H" + expected["head"].dump();
    INFO(where, ": labelled ", LabelText(head));
    const auto patterns = expected["patterns"].get<std::vector<std::string>>();
    if (patterns.empty()) {
      const std::string label = head.label ? std::string(PatternName(*head.label)) : "";
      for (const char* data_label : {"previous", "induction", "offset", "reorder", "align"}) {
        CHECK(label != data_label);
      }
      continue;
    }
    if (expected[patterns.front()].get<double>() < 0.6) continue;  // borderline in the README
    REQUIRE(head.label.has_value());
    CHECK(std::string(PatternName(*head.label)) == LabelFor(patterns.front()));
    if (patterns.front() == "offset_3") CHECK(head.offset == -3);
  }
}

TEST_CASE("the known heads of the data/ sample models are named correctly") {
  if (!std::filesystem::exists(kData + "patterns.json")) {
    MESSAGE("skipped: no data/patterns.json");
    return;
  }
  const nlohmann::json patterns = testing::ReadJson(kData + "patterns.json");
  REQUIRE(patterns["files"].size() >= 5);
  for (const auto& [file, known] : patterns["files"].items()) {
    SUBCASE(file.c_str()) { CheckKnownHeads(file, known); }
  }
}

}  // namespace
}  // namespace attnviz
