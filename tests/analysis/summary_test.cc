// Summarize: value range and row sums over finite values, NaN/Inf counts, causal and padding.
#include "attnviz/analysis/summary.h"

#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <vector>

#include "support/tensors.h"

namespace attnviz {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

using testing::MakeTensor;

TEST_CASE("Summarize takes min and max over every head of every layer") {
  // 2 layers x 2 heads of 1 x 2; the extremes sit in different heads.
  const TensorSummary s = Summarize(MakeTensor({2, 2, 1, 2}, {0.5f, 0.5f, 0.25f, 0.75f,  //
                                                              0.125f, 0.875f, 0.5f, 0.5f}));
  CHECK(s.min == 0.125);
  CHECK(s.max == 0.875);
}

TEST_CASE("Summarize gives the smallest and largest row sum, without renormalising") {
  const TensorSummary s = Summarize(MakeTensor({2, 2, 2}, {0.25f, 0.25f,      // 0.5
                                                           0.5f, 0.5f,        // 1
                                                           0.75f, 0.5f,       // 1.25
                                                           0.125f, 0.25f}));  // 0.375
  CHECK(s.row_sum_min == 0.375);
  CHECK(s.row_sum_max == 1.25);
}

TEST_CASE("Summarize counts NaN and infinities and leaves them out of range and row sums") {
  const TensorSummary s = Summarize(MakeTensor({3, 4}, {0.5f, kNaN, 0.25f, kInf,      // 0.75
                                                        -kInf, 0.125f, 0.125f, 0.0f,  // 0.25
                                                        kNaN, kNaN, 1.0f, 0.5f}));    // 1.5
  CHECK(s.nan == 3);
  CHECK(s.inf == 2);
  CHECK(s.min == 0.0);
  CHECK(s.max == 1.0);
  CHECK(s.row_sum_min == 0.25);
  CHECK(s.row_sum_max == 1.5);
}

TEST_CASE("Summarize finds no NaN or infinity in finite data") {
  const TensorSummary s = Summarize(MakeTensor({2, 2}, {0.5f, 0.5f, 1.0f, 0.0f}));
  CHECK(s.nan == 0);
  CHECK(s.inf == 0);
}

TEST_CASE("Summarize calls heads causal when every value above the diagonal is exactly 0") {
  const TensorSummary s = Summarize(MakeTensor({2, 3, 3}, {1.0f, 0.0f, 0.0f,  //
                                                           0.5f, 0.5f, 0.0f,  //
                                                           0.2f, 0.3f, 0.5f,  //
                                                           1.0f, 0.0f, 0.0f,  //
                                                           0.0f, 1.0f, 0.0f,  //
                                                           0.0f, 0.0f, 1.0f}));
  CHECK(s.causal);
}

TEST_CASE("Summarize does not call heads causal when one head has a value above the diagonal") {
  SUBCASE("a visible value") {
    const TensorSummary s = Summarize(MakeTensor({2, 2, 2}, {1.0f, 0.0f, 0.5f, 0.5f,  //
                                                             0.9f, 0.1f, 0.5f, 0.5f}));
    CHECK_FALSE(s.causal);
  }
  SUBCASE("a value far below display precision") {
    const TensorSummary s = Summarize(MakeTensor({2, 2}, {1.0f, 1e-30f, 0.5f, 0.5f}));
    CHECK_FALSE(s.causal);
  }
  SUBCASE("a NaN") {
    const TensorSummary s = Summarize(MakeTensor({2, 2}, {1.0f, kNaN, 0.5f, 0.5f}));
    CHECK_FALSE(s.causal);
  }
}

TEST_CASE("Summarize never calls non-square heads causal") {
  // 2 queries x 3 keys, zero above the main diagonal.
  const TensorSummary s = Summarize(MakeTensor({2, 3}, {1.0f, 0.0f, 0.0f, 0.5f, 0.5f, 0.0f}));
  CHECK_FALSE(s.causal);
}

TEST_CASE("Summarize counts trailing key columns that are 0 in every row of every head") {
  const TensorSummary s = Summarize(MakeTensor({2, 2, 4}, {0.5f, 0.5f, 0.0f, 0.0f,  //
                                                           1.0f, 0.0f, 0.0f, 0.0f,  //
                                                           0.2f, 0.8f, 0.0f, 0.0f,  //
                                                           0.3f, 0.7f, 0.0f, 0.0f}));
  CHECK(s.padded_keys == 2);
}

TEST_CASE("Summarize counts leading key columns that are 0 in every row (left padding)") {
  const TensorSummary s = Summarize(MakeTensor({2, 4}, {0.0f, 0.5f, 0.25f, 0.25f,  //
                                                        0.0f, 0.1f, 0.2f, 0.7f}));
  CHECK(s.padded_keys == 1);
}

TEST_CASE("Summarize counts padding at both ends together") {
  const TensorSummary s = Summarize(MakeTensor({2, 5}, {0.0f, 0.5f, 0.5f, 0.0f, 0.0f,  //
                                                        0.0f, 0.7f, 0.3f, 0.0f, 0.0f}));
  CHECK(s.padded_keys == 3);
}

TEST_CASE("Summarize does not count zero key columns in the middle as padding") {
  const TensorSummary s = Summarize(MakeTensor({2, 3}, {0.5f, 0.0f, 0.5f, 0.3f, 0.0f, 0.7f}));
  CHECK(s.padded_keys == 0);
}

TEST_CASE("Summarize does not count a column as padding when one head uses it") {
  const TensorSummary s = Summarize(MakeTensor({2, 1, 3}, {0.5f, 0.5f, 0.0f,  //
                                                           0.5f, 0.4f, 0.1f}));
  CHECK(s.padded_keys == 0);
}

TEST_CASE("Summarize covers the selected batch item only") {
  // 1 layer x 2 batch items x 1 head x 1 x 2.
  AttentionTensor tensor = MakeTensor({1, 2, 1, 1, 2}, {0.25f, 0.25f, 0.75f, 0.0f});
  const TensorSummary first = Summarize(tensor);
  CHECK(first.row_sum_max == 0.5);
  CHECK(first.min == 0.25);
  CHECK(first.padded_keys == 0);
  tensor.SelectBatch(1);
  const TensorSummary second = Summarize(tensor);
  CHECK(second.row_sum_max == 0.75);
  CHECK(second.min == 0.0);
  CHECK(second.padded_keys == 1);
}

}  // namespace
}  // namespace attnviz
