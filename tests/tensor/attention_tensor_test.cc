// Named axes: defaults by rank, parsing and validation, strided arrays read head by head.
#include "attnviz/tensor/attention_tensor.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>
#include <vector>

#include "attnviz/error.h"
#include "support/tensors.h"

// Float vectors print as lists of values when a check fails.
namespace doctest {
template <>
struct StringMaker<std::vector<float>> {
  static String convert(const std::vector<float>& values) {
    std::ostringstream text;
    text << std::setprecision(9) << "{";
    for (size_t i = 0; i < values.size(); ++i) text << (i ? ", " : "") << values[i];
    text << "}";
    return text.str().c_str();
  }
};
}  // namespace doctest

namespace attnviz {
namespace {

using enum Axis;

// A value that names its logical position, so a misplaced element shows where it came from.
float Tag(int64_t layer, int64_t batch, int64_t head, int64_t query, int64_t key) {
  return static_cast<float>(10000 * batch + 1000 * layer + 100 * head + 10 * query + key);
}

// Index of dims (in `shape` order) -> the float stored there, laid out with `strides`.
ArrayView MakeArray(std::vector<int64_t> shape, std::vector<int64_t> strides,
                    const std::function<float(const std::vector<int64_t>&)>& value_at) {
  int64_t count = 1;
  for (int64_t extent : shape) count *= extent;
  std::vector<float> values(static_cast<size_t>(count));
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d) offset += index[d] * strides[d];
    values[static_cast<size_t>(offset)] = value_at(index);
    for (size_t d = shape.size(); d-- > 0;) {  // next index, last dimension fastest
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return testing::ArrayOf(testing::BytesOf(values), DType::kF32, std::move(shape),
                          std::move(strides));
}

// The head (layer, head) of batch item `batch` as Tag values, queries x keys row-major.
std::vector<float> ExpectedHead(int64_t layer, int64_t batch, int64_t head, int64_t queries,
                                int64_t keys) {
  std::vector<float> out;
  for (int64_t q = 0; q < queries; ++q) {
    for (int64_t k = 0; k < keys; ++k) out.push_back(Tag(layer, batch, head, q, k));
  }
  return out;
}

// A (layer, head, query, key) = (2, 3, 5, 4) array tagged by position, with `strides`.
ArrayView Rank4(std::vector<int64_t> strides) {
  return MakeArray({2, 3, 5, 4}, std::move(strides),
                   [](const std::vector<int64_t>& i) { return Tag(i[0], 0, i[1], i[2], i[3]); });
}

TEST_CASE("AxisName and ParseAxis use the words layer, batch, head, query, key") {
  for (Axis axis : {kLayer, kBatch, kHead, kQuery, kKey}) {
    CAPTURE(AxisName(axis));
    CHECK(ParseAxis(AxisName(axis)) == axis);
  }
  CHECK(AxisName(kLayer) == "layer");
  CHECK(AxisName(kBatch) == "batch");
  CHECK(AxisName(kHead) == "head");
  CHECK(AxisName(kQuery) == "query");
  CHECK(AxisName(kKey) == "key");
}

TEST_CASE("ParseAxis refuses words that are not axis names") {
  CHECK_FALSE(ParseAxis("heads").has_value());
  CHECK_FALSE(ParseAxis("").has_value());
  CHECK_FALSE(ParseAxis("query ").has_value());
  CHECK_FALSE(ParseAxis("time").has_value());
}

TEST_CASE("DefaultAxes follow torch.stack(outputs.attentions) by rank") {
  CHECK(DefaultAxes(2) == std::vector<Axis>{kQuery, kKey});
  CHECK(DefaultAxes(3) == std::vector<Axis>{kHead, kQuery, kKey});
  CHECK(DefaultAxes(4) == std::vector<Axis>{kLayer, kHead, kQuery, kKey});
  CHECK(DefaultAxes(5) == std::vector<Axis>{kLayer, kBatch, kHead, kQuery, kKey});
}

TEST_CASE("DefaultAxes are empty for ranks other than 2 to 5") {
  CHECK(DefaultAxes(0).empty());
  CHECK(DefaultAxes(1).empty());
  CHECK(DefaultAxes(6).empty());
}

TEST_CASE("FormatAxes writes a parenthesised, comma-separated list") {
  const std::vector<Axis> axes = {kLayer, kHead, kQuery, kKey};
  CHECK(FormatAxes(axes) == "(layer, head, query, key)");
  const std::vector<Axis> one = {kQuery};
  CHECK(FormatAxes(one) == "(query)");
}

TEST_CASE("AxesProblem accepts the default axes of every rank") {
  for (int rank = 2; rank <= 5; ++rank) {
    CAPTURE(rank);
    CHECK_FALSE(AxesProblem(DefaultAxes(rank), rank).has_value());
  }
}

TEST_CASE("AxesProblem accepts any order of distinct axes with query and key") {
  const std::vector<Axis> transposed = {kKey, kQuery};
  CHECK_FALSE(AxesProblem(transposed, 2).has_value());
  const std::vector<Axis> head_first = {kHead, kLayer, kQuery, kKey};
  CHECK_FALSE(AxesProblem(head_first, 4).has_value());
  const std::vector<Axis> batch_first = {kBatch, kLayer, kHead, kQuery, kKey};
  CHECK_FALSE(AxesProblem(batch_first, 5).has_value());
}

TEST_CASE("AxesProblem explains what is wrong with the axes") {
  SUBCASE("fewer names than dimensions") {
    const std::vector<Axis> axes = {kQuery, kKey};
    CHECK(AxesProblem(axes, 4).has_value());
  }
  SUBCASE("more names than dimensions") {
    const std::vector<Axis> axes = {kLayer, kHead, kQuery, kKey};
    CHECK(AxesProblem(axes, 3).has_value());
  }
  SUBCASE("a name twice, which the explanation names") {
    const std::vector<Axis> axes = {kHead, kHead, kQuery, kKey};
    const auto problem = AxesProblem(axes, 4);
    REQUIRE(problem.has_value());
    CHECK(problem->find("head") != std::string::npos);
  }
  SUBCASE("no query axis") {
    const std::vector<Axis> axes = {kLayer, kHead, kKey};
    const auto problem = AxesProblem(axes, 3);
    REQUIRE(problem.has_value());
    CHECK(problem->find("query") != std::string::npos);
  }
  SUBCASE("no key axis") {
    const std::vector<Axis> axes = {kLayer, kHead, kQuery};
    const auto problem = AxesProblem(axes, 3);
    REQUIRE(problem.has_value());
    CHECK(problem->find("key") != std::string::npos);
  }
}

TEST_CASE("RowMajorStrides and ColumnMajorStrides count elements") {
  const std::vector<int64_t> shape = {2, 3, 4};
  CHECK(RowMajorStrides(shape) == std::vector<int64_t>{12, 4, 1});
  CHECK(ColumnMajorStrides(shape) == std::vector<int64_t>{1, 2, 6});
}

TEST_CASE("ArrayView::ElementCount is the product of the shape") {
  ArrayView array;
  array.shape = {2, 3, 5, 4};
  CHECK(array.ElementCount() == 120);
}

TEST_CASE("FromArray keeps the stored shape and axes and names the extents") {
  const AttentionTensor tensor = AttentionTensor::FromArray(
      Rank4(RowMajorStrides(std::vector<int64_t>{2, 3, 5, 4})), DefaultAxes(4));
  CHECK(tensor.shape() == std::vector<int64_t>{2, 3, 5, 4});
  CHECK(tensor.axes() == DefaultAxes(4));
  CHECK(tensor.dtype() == DType::kF32);
  CHECK(tensor.layers() == 2);
  CHECK(tensor.heads() == 3);
  CHECK(tensor.queries() == 5);
  CHECK(tensor.keys() == 4);
  CHECK(tensor.batches() == 1);
  CHECK(tensor.HeadSize() == 20);
}

TEST_CASE("FromArray gives absent axes an extent of 1") {
  const ArrayView array = MakeArray(
      {5, 4}, {4, 1}, [](const std::vector<int64_t>& i) { return Tag(0, 0, 0, i[0], i[1]); });
  const AttentionTensor tensor = AttentionTensor::FromArray(array, DefaultAxes(2));
  CHECK(tensor.layers() == 1);
  CHECK(tensor.batches() == 1);
  CHECK(tensor.heads() == 1);
  CHECK(tensor.ReadHead(0, 0) == ExpectedHead(0, 0, 0, 5, 4));
}

TEST_CASE("ReadHead gives the same head from C-order and Fortran-order arrays") {
  const std::vector<int64_t> shape = {2, 3, 5, 4};
  const AttentionTensor c_order =
      AttentionTensor::FromArray(Rank4(RowMajorStrides(shape)), DefaultAxes(4));
  const AttentionTensor fortran_order =
      AttentionTensor::FromArray(Rank4(ColumnMajorStrides(shape)), DefaultAxes(4));
  for (int64_t layer = 0; layer < 2; ++layer) {
    for (int64_t head = 0; head < 3; ++head) {
      CAPTURE(layer);
      CAPTURE(head);
      CHECK(c_order.ReadHead(layer, head) == ExpectedHead(layer, 0, head, 5, 4));
      CHECK(fortran_order.ReadHead(layer, head) == ExpectedHead(layer, 0, head, 5, 4));
    }
  }
}

TEST_CASE("ReadHead fills a caller's buffer") {
  const AttentionTensor tensor = AttentionTensor::FromArray(
      Rank4(RowMajorStrides(std::vector<int64_t>{2, 3, 5, 4})), DefaultAxes(4));
  std::vector<float> out(20);
  tensor.ReadHead(1, 2, out);
  CHECK(out == ExpectedHead(1, 0, 2, 5, 4));
}

TEST_CASE("ReadRows gives any band of query rows of C-order and Fortran-order heads") {
  const std::vector<int64_t> shape = {2, 3, 5, 4};
  for (const auto& strides : {RowMajorStrides(shape), ColumnMajorStrides(shape)}) {
    const AttentionTensor tensor = AttentionTensor::FromArray(Rank4(strides), DefaultAxes(4));
    const std::vector<float> head = ExpectedHead(1, 0, 2, 5, 4);
    for (int64_t first = 0; first < 5; ++first) {
      for (int64_t count = 0; first + count <= 5; ++count) {
        std::vector<float> rows(static_cast<size_t>(count * 4));
        tensor.ReadRows(1, 2, first, count, rows);
        CAPTURE(first);
        CAPTURE(count);
        CHECK(rows ==
              std::vector<float>(head.begin() + first * 4, head.begin() + (first + count) * 4));
      }
    }
  }
}

TEST_CASE("HeadInPlace points into row-major float32 heads and is empty for others") {
  const std::vector<int64_t> shape = {2, 3, 5, 4};
  const AttentionTensor c_order =
      AttentionTensor::FromArray(Rank4(RowMajorStrides(shape)), DefaultAxes(4));
  const std::span<const float> head = c_order.HeadInPlace(1, 2);
  REQUIRE(head.size() == 20);
  CHECK(std::vector<float>(head.begin(), head.end()) == ExpectedHead(1, 0, 2, 5, 4));
  const AttentionTensor fortran_order =
      AttentionTensor::FromArray(Rank4(ColumnMajorStrides(shape)), DefaultAxes(4));
  CHECK(fortran_order.HeadInPlace(1, 2).empty());
}

TEST_CASE("FromArray reads (head, layer, query, key) arrays by axis name") {
  const std::vector<int64_t> shape = {3, 2, 5, 4};
  const ArrayView array = MakeArray(shape, RowMajorStrides(shape),
                                    [](const auto& i) { return Tag(i[1], 0, i[0], i[2], i[3]); });
  const AttentionTensor tensor = AttentionTensor::FromArray(array, {kHead, kLayer, kQuery, kKey});
  CHECK(tensor.shape() == shape);
  CHECK(tensor.axes() == std::vector<Axis>{kHead, kLayer, kQuery, kKey});
  CHECK(tensor.layers() == 2);
  CHECK(tensor.heads() == 3);
  CHECK(tensor.ReadHead(1, 2) == ExpectedHead(1, 0, 2, 5, 4));
  CHECK(tensor.ReadHead(0, 1) == ExpectedHead(0, 0, 1, 5, 4));
}

TEST_CASE("FromArray reads a (key, query) array transposed into query rows") {
  const std::vector<int64_t> shape = {4, 5};  // 4 keys, 5 queries
  const ArrayView array = MakeArray(shape, RowMajorStrides(shape),
                                    [](const auto& i) { return Tag(0, 0, 0, i[1], i[0]); });
  const AttentionTensor tensor = AttentionTensor::FromArray(array, {kKey, kQuery});
  CHECK(tensor.queries() == 5);
  CHECK(tensor.keys() == 4);
  CHECK(tensor.ReadHead(0, 0) == ExpectedHead(0, 0, 0, 5, 4));
}

TEST_CASE("ReadHead reads the selected batch item, 0 by default") {
  const std::vector<int64_t> shape = {2, 2, 3, 5, 4};
  for (const auto& strides : {RowMajorStrides(shape), ColumnMajorStrides(shape)}) {
    AttentionTensor tensor = AttentionTensor::FromArray(
        MakeArray(shape, strides, [](const auto& i) { return Tag(i[0], i[1], i[2], i[3], i[4]); }),
        DefaultAxes(5));
    CHECK(tensor.batches() == 2);
    CHECK(tensor.batch() == 0);
    CHECK(tensor.ReadHead(1, 2) == ExpectedHead(1, 0, 2, 5, 4));
    tensor.SelectBatch(1);
    CHECK(tensor.batch() == 1);
    CHECK(tensor.ReadHead(1, 2) == ExpectedHead(1, 1, 2, 5, 4));
    CHECK(tensor.ReadHead(0, 0) == ExpectedHead(0, 1, 0, 5, 4));
  }
}

// `count` (head, query, key) = (2, 5, 4) arrays, layer l tagged with l, laid out by `strides_of`.
std::vector<ArrayView> Layers(int64_t count,
                              const std::function<std::vector<int64_t>(int64_t)>& strides_of) {
  std::vector<ArrayView> layers;
  for (int64_t l = 0; l < count; ++l) {
    layers.push_back(MakeArray({2, 5, 4}, strides_of(l),
                               [l](const auto& i) { return Tag(l, 0, i[0], i[1], i[2]); }));
  }
  return layers;
}

void CheckLayerHeads(const AttentionTensor& tensor) {
  for (int64_t l = 0; l < tensor.layers(); ++l) {
    for (int64_t h = 0; h < tensor.heads(); ++h) {
      CAPTURE(l);
      CAPTURE(h);
      CHECK(tensor.ReadHead(l, h) == ExpectedHead(l, 0, h, 5, 4));
    }
  }
}

TEST_CASE("FromLayerStack puts the layer axis first and reads layer l from array l") {
  const AttentionTensor tensor =
      AttentionTensor::FromLayerStack(Layers(3,
                                             [](int64_t) {
                                               return std::vector<int64_t>{20, 4, 1};
                                             }),
                                      DefaultAxes(3));
  CHECK(tensor.shape() == std::vector<int64_t>{3, 2, 5, 4});
  CHECK(tensor.axes() == DefaultAxes(4));
  CHECK(tensor.layers() == 3);
  CHECK(tensor.heads() == 2);
  CheckLayerHeads(tensor);
}

TEST_CASE("FromLayerStack reads each layer with its own strides") {
  // Layer 1 Fortran-ordered, the others C-ordered, as np.savez keeps each array's order.
  const AttentionTensor tensor = AttentionTensor::FromLayerStack(
      Layers(3,
             [](int64_t l) {
               return l == 1 ? std::vector<int64_t>{1, 2, 10} : std::vector<int64_t>{20, 4, 1};
             }),
      DefaultAxes(3));
  CheckLayerHeads(tensor);
}

TEST_CASE("FromArray refuses axes that do not name the array's dimensions") {
  const std::vector<int64_t> shape = {2, 3, 5, 4};
  CHECK_THROWS_AS(AttentionTensor::FromArray(Rank4(RowMajorStrides(shape)), {kQuery, kKey}), Error);
  CHECK_THROWS_AS(
      AttentionTensor::FromArray(Rank4(RowMajorStrides(shape)), {kHead, kHead, kQuery, kKey}),
      Error);
}

TEST_CASE("FromLayerStack refuses per-layer axes that name a layer axis") {
  std::vector<ArrayView> layers;
  for (int l = 0; l < 2; ++l) {
    layers.push_back(MakeArray({3, 5, 4}, {20, 4, 1}, [](const auto&) { return 0.0f; }));
  }
  CHECK_THROWS_AS(AttentionTensor::FromLayerStack(layers, {kLayer, kQuery, kKey}), Error);
}

// --- Crop: padding left out of every read ---

// Tag values of queries [q0, q1) x keys [k0, k1) of one head of Rank4.
std::vector<float> ExpectedCrop(int64_t layer, int64_t head, int64_t q0, int64_t q1, int64_t k0,
                                int64_t k1) {
  std::vector<float> out;
  for (int64_t q = q0; q < q1; ++q) {
    for (int64_t k = k0; k < k1; ++k) out.push_back(Tag(layer, 0, head, q, k));
  }
  return out;
}

TEST_CASE("Crop restricts queries(), keys() and ReadHead to the real positions") {
  for (const auto& strides : {RowMajorStrides(std::vector<int64_t>{2, 3, 5, 4}),
                              ColumnMajorStrides(std::vector<int64_t>{2, 3, 5, 4})}) {
    AttentionTensor tensor = AttentionTensor::FromArray(Rank4(strides), DefaultAxes(4));
    tensor.Crop(1, 3, 1, 2);
    CHECK(tensor.queries() == 3);
    CHECK(tensor.keys() == 2);
    CHECK(tensor.HeadSize() == 6);
    CHECK(tensor.stored_queries() == 5);
    CHECK(tensor.stored_keys() == 4);
    CHECK(tensor.shape() == std::vector<int64_t>{2, 3, 5, 4});
    CHECK(tensor.ReadHead(1, 2) == ExpectedCrop(1, 2, 1, 4, 1, 3));
  }
}

TEST_CASE("Crop applies to ReadRows bands and to HeadValues") {
  AttentionTensor tensor = AttentionTensor::FromArray(
      Rank4(RowMajorStrides(std::vector<int64_t>{2, 3, 5, 4})), DefaultAxes(4));
  tensor.Crop(0, 4, 0, 3);  // right padding: the last query and the last key
  std::vector<float> band(2 * 3);
  tensor.ReadRows(0, 1, 2, 2, band);
  CHECK(band == ExpectedCrop(0, 1, 2, 4, 0, 3));
  std::vector<float> scratch;
  const std::span<const float> values = tensor.HeadValues(0, 1, scratch);
  CHECK(std::vector<float>(values.begin(), values.end()) == ExpectedCrop(0, 1, 0, 4, 0, 3));
}

TEST_CASE("HeadInPlace stays in place for a query crop and not for a key crop") {
  AttentionTensor tensor = AttentionTensor::FromArray(
      Rank4(RowMajorStrides(std::vector<int64_t>{2, 3, 5, 4})), DefaultAxes(4));
  tensor.Crop(2, 3, 0, 4);  // left padding of the queries only: rows stay contiguous
  const std::span<const float> rows = tensor.HeadInPlace(1, 0);
  REQUIRE(rows.size() == 12);
  CHECK(std::vector<float>(rows.begin(), rows.end()) == ExpectedCrop(1, 0, 2, 5, 0, 4));
  tensor.Crop(0, 5, 1, 3);  // a key crop leaves gaps between rows
  CHECK(tensor.HeadInPlace(1, 0).empty());
}

TEST_CASE("Crop of a layer stack crops every layer") {
  std::vector<ArrayView> layers;
  for (int64_t layer = 0; layer < 2; ++layer) {
    layers.push_back(MakeArray(
        {3, 5, 4}, RowMajorStrides(std::vector<int64_t>{3, 5, 4}),
        [layer](const std::vector<int64_t>& i) { return Tag(layer, 0, i[0], i[1], i[2]); }));
  }
  AttentionTensor tensor = AttentionTensor::FromLayerStack(layers, DefaultAxes(3));
  tensor.Crop(1, 2, 2, 2);
  CHECK(tensor.ReadHead(1, 2) == ExpectedCrop(1, 2, 1, 3, 2, 4));
}

// --- Softmax of pre-softmax scores ---

// softmax by hand: exp(x_i - max) / sum_j exp(x_j - max), in double.
std::vector<float> HandSoftmax(const std::vector<double>& scores) {
  double top = scores.front();
  for (double s : scores) top = std::max(top, s);
  double total = 0;
  for (double s : scores) total += std::exp(s - top);
  std::vector<float> out;
  for (double s : scores) out.push_back(static_cast<float>(std::exp(s - top) / total));
  return out;
}

TEST_CASE("ScoresToProbabilities is the softmax of a row") {
  std::vector<float> row = {1.0f, 2.0f, 3.0f};
  ScoresToProbabilities(row);
  // numpy: scipy.special.softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]
  CHECK(row[0] == doctest::Approx(0.09003057).epsilon(1e-6));
  CHECK(row[1] == doctest::Approx(0.24472847).epsilon(1e-6));
  CHECK(row[2] == doctest::Approx(0.66524096).epsilon(1e-6));
}

TEST_CASE("ScoresToProbabilities gives masked scores (-inf, -3.4e38, -1e30) a weight of 0") {
  const float lowest = std::numeric_limits<float>::lowest();  // torch.finfo(float32).min
  std::vector<float> row = {0.5f, -std::numeric_limits<float>::infinity(), -1.5f, lowest, -1e30f};
  ScoresToProbabilities(row);
  const std::vector<float> kept = HandSoftmax({0.5, -1.5});
  CHECK(row[0] == doctest::Approx(kept[0]).epsilon(1e-6));
  CHECK(row[2] == doctest::Approx(kept[1]).epsilon(1e-6));
  CHECK(row[1] == 0.0f);
  CHECK(row[3] == 0.0f);
  CHECK(row[4] == 0.0f);
}

TEST_CASE("ScoresToProbabilities gives a fully masked row all 0, not a uniform row") {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> row = {-inf, std::numeric_limits<float>::lowest(), -inf};
  ScoresToProbabilities(row);
  CHECK(row == std::vector<float>{0, 0, 0});
}

TEST_CASE("ScoresToProbabilities keeps NaN and lets +inf take the whole mass") {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> row = {std::nanf(""), 1.0f, 1.0f};
  ScoresToProbabilities(row);
  CHECK(std::isnan(row[0]));
  CHECK(row[1] == doctest::Approx(0.5));
  std::vector<float> winners = {inf, 3.0f, inf};
  ScoresToProbabilities(winners);
  CHECK(winners == std::vector<float>{0.5f, 0.0f, 0.5f});
}

TEST_CASE("SetSoftmax turns every row read into probabilities over the keys read") {
  AttentionTensor tensor = AttentionTensor::FromArray(
      Rank4(RowMajorStrides(std::vector<int64_t>{2, 3, 5, 4})), DefaultAxes(4));
  tensor.SetSoftmax(true);
  CHECK(tensor.HeadInPlace(0, 0).empty());
  const std::vector<float> head = tensor.ReadHead(1, 2);
  for (int64_t q = 0; q < 5; ++q) {
    std::vector<double> scores;
    for (int64_t k = 0; k < 4; ++k) scores.push_back(Tag(1, 0, 2, q, k));
    const std::vector<float> expected = HandSoftmax(scores);
    for (int64_t k = 0; k < 4; ++k) {
      CHECK(head[q * 4 + k] == doctest::Approx(expected[k]).epsilon(1e-6));
    }
  }
}

}  // namespace
}  // namespace attnviz
