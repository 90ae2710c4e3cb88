// JS distances between heads, scipy's linkage, dendrogram order, classical MDS and redundant
// pairs: hand-derived cases, and the goldens of scripts/reference/cluster.py (numpy, scipy).
#include "attnviz/analysis/cluster.h"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "attnviz/analysis/head_distance.h"
#include "attnviz/error.h"
#include "attnviz/io/load.h"
#include "stats_test_support.h"

namespace attnviz {
namespace {

using testing::MakeTensor;
using Json = nlohmann::json;

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/analysis/cluster/";

const Json& Golden() {
  static const Json golden = testing::ReadJson(kFixtures + "golden.json");
  return golden;
}

JsReduce ReduceOf(const Json& c) {
  return c["js_reduce"] == "sum" ? JsReduce::kSum : JsReduce::kMean;
}

Linkage LinkageOf(const Json& c) {
  if (c["linkage_method"] == "complete") return Linkage::kComplete;
  if (c["linkage_method"] == "ward") return Linkage::kWard;
  return Linkage::kAverage;
}

std::string CaseName(const Json& c) {
  return c["file"].get<std::string>() + " " + c["js_reduce"].get<std::string>() + " " +
         c["linkage_method"].get<std::string>();
}

// The golden distance matrix as attnviz's type, heads numbered 0.. in one layer.
HeadDistances GoldenDistances(const Json& c) {
  HeadDistances d;
  for (size_t a = 0; a < c["distance"].size(); ++a) {
    d.heads.push_back({0, static_cast<int64_t>(a)});
    for (const Json& value : c["distance"][a]) d.values.push_back(value.get<double>());
  }
  return d;
}

HeadDistances FromMatrix(std::vector<std::vector<double>> rows) {
  HeadDistances d;
  for (size_t a = 0; a < rows.size(); ++a) {
    d.heads.push_back({0, static_cast<int64_t>(a)});
    d.values.insert(d.values.end(), rows[a].begin(), rows[a].end());
  }
  return d;
}

void CheckLinkage(const std::vector<Merge>& merges, const Json& expected, double tolerance) {
  REQUIRE(merges.size() == expected.size());
  for (size_t k = 0; k < merges.size(); ++k) {
    INFO("merge ", k);
    CHECK(merges[k].a == expected[k][0].get<int64_t>());
    CHECK(merges[k].b == expected[k][1].get<int64_t>());
    CHECK(merges[k].distance == doctest::Approx(expected[k][2].get<double>()).epsilon(tolerance));
    CHECK(merges[k].size == expected[k][3].get<int64_t>());
  }
}

TEST_CASE("JS of a head with itself is 0, and summing over rows is queries times the mean") {
  const std::vector<float> p = {0.5f, 0.5f, 0.f, 0.25f, 0.25f, 0.5f};
  const std::vector<float> q = {0.f, 1.f, 0.f, 0.75f, 0.f, 0.25f};
  CHECK(JsDivergence(p, p, 2, 3, JsReduce::kMean) == 0.0);
  const double mean = JsDivergence(p, q, 2, 3, JsReduce::kMean);
  CHECK(JsDivergence(p, q, 2, 3, JsReduce::kSum) == doctest::Approx(2 * mean).epsilon(1e-14));
  CHECK(JsDivergence(q, p, 2, 3, JsReduce::kMean) == doctest::Approx(mean).epsilon(1e-14));
}

TEST_CASE("JS of two one-hot rows on different keys follows from the smoothing by hand") {
  // n = 4 keys: P' = (a, e, e, e), Q' = (e, a, e, e) with a = 0.999 + e, e = 0.001 / 4. The two
  // differing cells give a ln(2a / (a + e)) + e ln(2e / (a + e)); equal cells give 0.
  const double e = 0.001 / 4, a = 0.999 + e;
  const double expected = a * std::log(2 * a / (a + e)) + e * std::log(2 * e / (a + e));
  const std::vector<float> p = {1, 0, 0, 0}, q = {0, 1, 0, 0};
  CHECK(JsDivergence(p, q, 1, 4, JsReduce::kSum) == doctest::Approx(expected).epsilon(1e-7));
}

TEST_CASE("JS refuses NaN and negative weights, naming layer, head, query and key") {
  std::vector<float> values(2 * 2 * 2, 0.5f);
  values[1 * 4 + 1 * 2 + 0] = NAN;  // head 1, query 1, key 0
  try {
    JsDistances(MakeTensor({2, 2, 2}, values), JsReduce::kMean, 1);
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    CHECK(std::string(error.what()).find("NaN at layer 0, head 1, query 1, key 0") !=
          std::string::npos);
  }
  values[1 * 4 + 1 * 2 + 0] = -0.25f;
  CHECK_THROWS_WITH_AS(JsDistances(MakeTensor({2, 2, 2}, values), JsReduce::kMean, 1),
                       doctest::Contains("found -0.25 at layer 0, head 1, query 1, key 0"), Error);
}

TEST_CASE("JS distances do not depend on the number of threads") {
  const Dump dump = LoadDump(kFixtures + "heads.npy");
  const HeadDistances one = JsDistances(dump.attention, JsReduce::kMean, 1);
  const HeadDistances three = JsDistances(dump.attention, JsReduce::kMean, 3);
  CHECK(one.values == three.values);
  CHECK(one.heads == three.heads);
  CHECK(one.heads[4] == HeadId{1, 1});
}

// JS by its definition, summed in long double: 1/2 sum [P' ln(P'/M) + Q' ln(Q'/M)] over the cells,
// divided by the queries.
double DirectJsMean(const float* p, const float* q, int64_t queries, int64_t keys) {
  long double sum = 0;
  for (int64_t i = 0; i < queries * keys; ++i) {
    const long double pp = 0.999L * p[i] + 0.001L / keys, qq = 0.999L * q[i] + 0.001L / keys;
    const long double m = (pp + qq) / 2;
    sum += 0.5L * (pp * std::log(pp / m) + qq * std::log(qq / m));
  }
  return static_cast<double>(sum / queries);
}

// Four heads of 200 x 1024: rows are read in bands of 128 (about 2 MB of floats for all heads),
// so the sums run over a whole band and one of 72 rows.
constexpr int64_t kLongKeys = 1024;
std::vector<float> LongHeads() {
  std::vector<float> values(4 * 200 * kLongKeys);
  uint32_t state = 12345;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / 16777216.0f;
  }
  values[3 * 200 * kLongKeys + 199 * kLongKeys + 5] = 0;  // a zero weight in the last band
  return values;
}

// Rows of these heads sum to about 512 (the weights are not normalised), and so do their terms.
TEST_CASE("JS distances of heads longer than one band match the definition to 5e-8") {
  const std::vector<float> values = LongHeads();
  const HeadDistances d =
      JsDistances(MakeTensor({2, 2, 200, kLongKeys}, values), JsReduce::kMean, 2);
  for (int64_t a = 0; a < 4; ++a) {
    for (int64_t b = 0; b < 4; ++b) {
      INFO("heads " << a << " and " << b);
      const double want =
          DirectJsMean(&values[a * 200 * kLongKeys], &values[b * 200 * kLongKeys], 200, kLongKeys);
      CHECK(d.at(a, b) == doctest::Approx(want).epsilon(5e-8));
    }
  }
  const HeadDistances one =
      JsDistances(MakeTensor({2, 2, 200, kLongKeys}, values), JsReduce::kMean, 1);
  CHECK(one.values == d.values);
}

// Terms in float cancel against each other for heads that differ little (JS = mean self terms
// minus mixed terms): for rows of mass 1 the error stays below 2e-8 however small the divergence
// (5e-9 measured); divergences below that are not resolved.
TEST_CASE("JS of attention heads that differ by a little stays within 2e-8 of the definition") {
  std::vector<float> values = LongHeads();
  const int64_t cells = 200 * kLongKeys;
  for (int64_t row = 0; row < 200; ++row) {  // attention: each row sums to 1
    const auto first = values.begin() + row * kLongKeys;
    const float sum = std::accumulate(first, first + kLongKeys, 0.0f);
    std::transform(first, first + kLongKeys, first, [sum](float v) { return v / sum; });
  }
  for (int64_t i = 0; i < cells; ++i) {
    const float p = values[static_cast<size_t>(i)];
    values[static_cast<size_t>(cells + i)] = p * (1.0f + 1e-3f * static_cast<float>(i % 7 - 3));
    values[static_cast<size_t>(2 * cells + i)] = p * (1.0f + 1e-5f * static_cast<float>(i % 5 - 2));
    values[static_cast<size_t>(3 * cells + i)] = p;
  }
  const HeadDistances d =
      JsDistances(MakeTensor({2, 2, 200, kLongKeys}, values), JsReduce::kMean, 2);
  for (int64_t b = 1; b < 4; ++b) {
    INFO("head " << b);
    const double want =
        DirectJsMean(&values[0], &values[static_cast<size_t>(b * cells)], 200, kLongKeys);
    CHECK(std::abs(d.at(0, b) - want) <= 2e-8);
  }
  CHECK(d.at(0, 3) == 0.0);  // the same weights: the same terms
}

TEST_CASE("JS names the first bad weight of the first band that holds one") {
  std::vector<float> values = LongHeads();
  values[0 * 200 * kLongKeys + 150 * kLongKeys + 7] = NAN;       // head 0, second band
  values[2 * 200 * kLongKeys + 70 * kLongKeys + 9] = -1.0f;      // head 2, first band: read first
  values[3 * 200 * kLongKeys + 100 * kLongKeys + 1] = INFINITY;  // head 3, first band, later head
  for (int threads : {1, 2}) {
    CHECK_THROWS_WITH_AS(
        JsDistances(MakeTensor({2, 2, 200, kLongKeys}, values), JsReduce::kMean, threads),
        doctest::Contains("found -1 at layer 1, head 0, query 70, key 9"), Error);
  }
}

// 1e-6 per query row: the mean's bound, and the queries times it for the sum over the rows.
TEST_CASE("JS distances agree with the numpy reference to 1e-6 per query row") {
  for (const Json& c : Golden()["cases"]) {
    INFO(CaseName(c));
    const Dump dump = LoadDump(kFixtures + c["file"].get<std::string>());
    const HeadDistances d = JsDistances(dump.attention, ReduceOf(c), 2);
    const double rows =
        ReduceOf(c) == JsReduce::kSum ? static_cast<double>(dump.attention.queries()) : 1.0;
    REQUIRE(d.size() == c["distance"].size());
    for (size_t a = 0; a < d.size(); ++a) {
      for (size_t b = 0; b < d.size(); ++b) {
        CHECK(std::abs(d.at(a, b) - c["distance"][a][b].get<double>()) <= 1e-6 * rows);
      }
    }
  }
}

TEST_CASE("Average linkage of points on a line, by hand") {
  // Points at 0, 1, 3, 7: {0,1} at 1; {0,1}-2 at (3 + 2) / 2 = 2.5; then 3 at
  // (7 + 6 + 4) / 3 = 17/3 from the three others.
  auto line = FromMatrix({{0, 1, 3, 7}, {1, 0, 2, 6}, {3, 2, 0, 4}, {7, 6, 4, 0}});
  const std::vector<Merge> merges = LinkHeads(line, Linkage::kAverage);
  REQUIRE(merges.size() == 3);
  CHECK((merges[0].a == 0 && merges[0].b == 1 && merges[0].distance == 1 && merges[0].size == 2));
  CHECK((merges[1].a == 2 && merges[1].b == 4 && merges[1].distance == 2.5 && merges[1].size == 3));
  CHECK((merges[2].a == 3 && merges[2].b == 5 && merges[2].size == 4));
  CHECK(merges[2].distance == doctest::Approx(17.0 / 3));
  CHECK(DendrogramLeaves(merges, 4) == std::vector<int64_t>{3, 2, 0, 1});
}

TEST_CASE("Complete linkage takes the largest distance, Ward the variance criterion") {
  auto line = FromMatrix({{0, 1, 3, 7}, {1, 0, 2, 6}, {3, 2, 0, 4}, {7, 6, 4, 0}});
  CHECK(LinkHeads(line, Linkage::kComplete)[1].distance == 3);  // {0,1} to 2: max(3, 2)
  // Ward, {0,1} to 2: sqrt((2 * 9 + 2 * 4 - 1 * 1) / 3) = sqrt(25 / 3).
  CHECK(LinkHeads(line, Linkage::kWard)[1].distance == doctest::Approx(std::sqrt(25.0 / 3)));
}

TEST_CASE("Linkage of the golden distances is scipy's, ties included") {
  for (const Json& c : Golden()["cases"]) {
    INFO(CaseName(c));
    const std::vector<Merge> merges = LinkHeads(GoldenDistances(c), LinkageOf(c));
    CheckLinkage(merges, c["linkage"], 1e-12);
    const auto leaves = DendrogramLeaves(merges, std::ssize(c["distance"]));
    CHECK(leaves == c["leaves"].get<std::vector<int64_t>>());
  }
}

TEST_CASE("Linkage of attnviz's own distances matches scipy's to 1e-6") {
  for (const Json& c : Golden()["cases"]) {
    INFO(CaseName(c));
    const Dump dump = LoadDump(kFixtures + c["file"].get<std::string>());
    CheckLinkage(LinkHeads(JsDistances(dump.attention, ReduceOf(c), 2), LinkageOf(c)), c["linkage"],
                 1e-6);
  }
}

TEST_CASE("Classical MDS reproduces the distances of points in a plane") {
  // A 3-4-5 right triangle and a fourth point: Euclidean, so two axes hold it exactly.
  const std::vector<MapPoint> truth = {{0, 0}, {3, 0}, {0, 4}, {1, 1}};
  std::vector<std::vector<double>> rows;
  for (const MapPoint& p : truth) {
    rows.emplace_back();
    for (const MapPoint& q : truth) rows.back().push_back(std::hypot(p.x - q.x, p.y - q.y));
  }
  const std::vector<MapPoint> map = ClassicalMds(FromMatrix(rows));
  for (size_t a = 0; a < truth.size(); ++a) {
    for (size_t b = 0; b < truth.size(); ++b) {
      CHECK(std::hypot(map[a].x - map[b].x, map[a].y - map[b].y) ==
            doctest::Approx(rows[a][b]).epsilon(1e-9));
    }
  }
}

TEST_CASE("Classical MDS keeps the distances when its two eigenvalues are equal") {
  // A regular pentagon: B has one double eigenvalue, so the two axes are any orthonormal pair of
  // its plane and only the second's orthogonality to the first keeps the map flat.
  std::vector<MapPoint> truth;
  for (int k = 0; k < 5; ++k)
    truth.push_back({std::cos(0.4 * std::numbers::pi * k), std::sin(0.4 * std::numbers::pi * k)});
  std::vector<std::vector<double>> rows;
  for (const MapPoint& p : truth) {
    rows.emplace_back();
    for (const MapPoint& q : truth) rows.back().push_back(std::hypot(p.x - q.x, p.y - q.y));
  }
  const std::vector<MapPoint> map = ClassicalMds(FromMatrix(rows));
  for (size_t a = 0; a < truth.size(); ++a) {
    for (size_t b = 0; b < truth.size(); ++b) {
      CHECK(std::hypot(map[a].x - map[b].x, map[a].y - map[b].y) ==
            doctest::Approx(rows[a][b]).epsilon(1e-9));
    }
  }
}

TEST_CASE("Classical MDS of one head is the origin, of two a segment along x") {
  CHECK(ClassicalMds(FromMatrix({{0}})).front().x == 0);
  const std::vector<MapPoint> two = ClassicalMds(FromMatrix({{0, 2}, {2, 0}}));
  CHECK(two[0].x == doctest::Approx(1));  // the first entry is made positive
  CHECK(two[1].x == doctest::Approx(-1));
  CHECK(std::abs(two[0].y) < 1e-12);
}

TEST_CASE("Classical MDS agrees with the numpy reference to 1e-6") {
  for (const Json& c : Golden()["cases"]) {
    if (c["mds"].is_null()) continue;  // eigenvalues too close for the axes to be defined
    INFO(CaseName(c));
    const std::vector<MapPoint> map = ClassicalMds(GoldenDistances(c));
    REQUIRE(map.size() == c["mds"].size());
    for (size_t i = 0; i < map.size(); ++i) {
      CHECK(std::abs(map[i].x - c["mds"][i][0].get<double>()) <= 1e-6);
      CHECK(std::abs(map[i].y - c["mds"][i][1].get<double>()) <= 1e-6);
    }
  }
}

TEST_CASE("Redundant pairs are those within the threshold, closest first") {
  auto line = FromMatrix({{0, 1, 3, 7}, {1, 0, 2, 6}, {3, 2, 0, 4}, {7, 6, 4, 0}});
  const std::vector<HeadPair> pairs = RedundantPairs(line, 3);
  REQUIRE(pairs.size() == 3);
  CHECK((pairs[0].a == 0 && pairs[0].b == 1 && pairs[0].distance == 1));
  CHECK((pairs[1].a == 1 && pairs[1].b == 2));
  CHECK((pairs[2].a == 0 && pairs[2].b == 2));
  for (const Json& c : Golden()["cases"]) {
    INFO(CaseName(c));
    const auto golden = RedundantPairs(GoldenDistances(c), c["threshold"].get<double>());
    REQUIRE(golden.size() == c["redundant"].size());
    for (size_t k = 0; k < golden.size(); ++k) {
      CHECK(golden[k].a == c["redundant"][k][0].get<size_t>());
      CHECK(golden[k].b == c["redundant"][k][1].get<size_t>());
    }
  }
}

}  // namespace
}  // namespace attnviz
