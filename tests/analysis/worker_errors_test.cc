// Errors thrown in the workers of the statistics and JS distances: reported, the one of the
// lowest-numbered head, whatever the number of threads; never std::terminate.
#include <doctest/doctest.h>

#include <functional>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/js_sums.h"
#include "analysis/stats_parallel.h"
#include "attnviz/error.h"
#include "support/tensors.h"

namespace attnviz {
namespace {

constexpr int kThreadCounts[] = {1, 2, 3, 8};

// 12 heads of 4 x 4 uniform weights.
AttentionTensor TwelveHeads() {
  return testing::MakeTensor({3, 4, 4, 4}, std::vector<float>(3 * 4 * 16, 0.25f));
}

std::string ErrorOf(const std::function<void()>& run) {
  try {
    run();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "no error";
}

TEST_CASE("a head visit that throws reports the lowest failed head, for any thread count") {
  const AttentionTensor tensor = TwelveHeads();
  for (int threads : kThreadCounts) {
    CAPTURE(threads);
    const std::string error = ErrorOf([&] {
      ForEachHeadOf(tensor, AllHeads(tensor), threads,
                    [](int64_t index, int64_t, int64_t, std::span<const float>) {
                      if (index == 3 || index == 10) {
                        throw std::runtime_error("head " + std::to_string(index));
                      }
                    });
    });
    CHECK(error == "head 3");
  }
}

TEST_CASE("a row band visit that throws reports the lowest failed head, for any thread count") {
  const AttentionTensor tensor = TwelveHeads();
  const std::vector<int64_t> indices = {11, 7, 2, 9};  // in this order: 7 is task 1, 9 task 3
  for (int threads : kThreadCounts) {
    CAPTURE(threads);
    const std::string error = ErrorOf([&] {
      ForEachHeadRowsOf(tensor, indices, threads, [](int64_t index, int64_t, int64_t, HeadRows&) {
        if (index == 7 || index == 9) throw std::runtime_error("head " + std::to_string(index));
      });
    });
    CHECK(error == "head 7");
  }
}

// `count` heads of 3 x 4 uniform weights, whose rows throw for heads in `throwing` and hold a NaN
// for head `nan_head`.
JsRowSource Rows(std::vector<int64_t> throwing, int64_t nan_head) {
  return [=](int64_t index, int64_t, int64_t count, std::vector<float>& scratch) {
    for (int64_t head : throwing) {
      if (index == head) throw std::runtime_error("cannot read head " + std::to_string(index));
    }
    scratch.assign(static_cast<size_t>(count * 4), 0.25f);
    if (index == nan_head) scratch[1] = std::numeric_limits<float>::quiet_NaN();
    return std::span<const float>(scratch);
  };
}

std::string HeadName(int64_t index) { return "head " + std::to_string(index) + ", "; }

TEST_CASE("JS sums report the read error of the lowest failed head, for any thread count") {
  for (int threads : kThreadCounts) {
    CAPTURE(threads);
    const std::string error = ErrorOf([&] {
      SumJsTerms(9, 3, 4, Rows({7, 2, 5}, -1), HeadName, threads);
    });
    CHECK(error == "cannot read head 2");
  }
}

TEST_CASE("JS sums report a bad weight before a read error of a later head, for any thread count") {
  for (int threads : kThreadCounts) {
    CAPTURE(threads);
    const std::string error =
        ErrorOf([&] { SumJsTerms(9, 3, 4, Rows({6}, 4), HeadName, threads); });
    CHECK(error.find("found NaN at head 4, query 0, key 1") != std::string::npos);
  }
}

}  // namespace
}  // namespace attnviz
