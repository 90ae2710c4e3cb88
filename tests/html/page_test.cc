// The page as a whole: self-contained, byte-identical whatever the threads, script-safe data.
#include "attnviz/html/page.h"

#include <doctest/doctest.h>

#include "../analysis/stats_test_support.h"
#include "attnviz/error.h"

namespace attnviz::html {
namespace {

// 2 layers x 2 heads of 3 x 3 rows that sum to 1.
PageInput SmallInput(const AttentionTensor& tensor) {
  PageInput input;
  input.tensor = &tensor;
  input.heads = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  input.title = "small <model> & co";
  input.source = "small.npy";
  input.query_tokens = std::vector<std::string>{"a", "</script><script>alert(1)</script>", "c"};
  input.key_tokens = input.query_tokens;
  return input;
}

AttentionTensor SmallTensor() {
  std::vector<float> values;
  for (int head = 0; head < 4; ++head) {
    for (float v : {1.0f, 0.0f, 0.0f, 0.5f, 0.5f, 0.0f, 0.2f, 0.3f, 0.5f}) values.push_back(v);
  }
  return testing::MakeTensor({2, 2, 3, 3}, values);
}

TEST_CASE("the page names nothing outside itself") {
  const AttentionTensor tensor = SmallTensor();
  const std::string page = RenderPage(SmallInput(tensor), {});
  CHECK(page.starts_with("<!doctype html>"));
  for (const char* outside : {"http:", "https:", "<link", " src=", "@import", "url(", "//cdn"}) {
    CAPTURE(outside);
    CHECK(page.find(outside) == std::string::npos);
  }
  CHECK(page.find("default-src 'none'") != std::string::npos);
}

TEST_CASE("tokens cannot close the data's script element") {
  const AttentionTensor tensor = SmallTensor();
  const std::string page = RenderPage(SmallInput(tensor), {});
  CHECK(page.find("alert(1)</script>") == std::string::npos);
  CHECK(page.find("\\u003c/script>\\u003cscript>alert(1)") != std::string::npos);
  CHECK(page.find("<title>small &lt;model&gt; &amp; co</title>") != std::string::npos);
}

TEST_CASE("the same input gives the same bytes with 1 and 4 threads") {
  const AttentionTensor tensor = SmallTensor();
  PageOptions one;
  PageOptions four;
  four.threads = 4;
  CHECK(RenderPage(SmallInput(tensor), one) == RenderPage(SmallInput(tensor), four));
}

TEST_CASE("every head gets a data block and a thumbnail block") {
  const AttentionTensor tensor = SmallTensor();
  const std::string page = RenderPage(SmallInput(tensor), {});
  for (const char* part : {"head-0", "head-3", "thumb-0", "thumb-3"}) {
    CAPTURE(part);
    CHECK(page.find(std::string("data-part=\"") + part + "\"") != std::string::npos);
  }
  CHECK(page.find("data-part=\"head-4\"") == std::string::npos);
}

TEST_CASE("a causal head carries its mask, a full head none") {
  const AttentionTensor causal = SmallTensor();  // exact zeros above the diagonal
  CHECK(RenderPage(SmallInput(causal), {}).find("data-part=\"mask-0\"") != std::string::npos);
  std::vector<float> full;
  for (int i = 0; i < 4 * 9; ++i) full.push_back(1.0f / 3);
  const AttentionTensor dense = testing::MakeTensor({2, 2, 3, 3}, full);
  CHECK(RenderPage(SmallInput(dense), {}).find("data-part=\"mask-") == std::string::npos);
}

TEST_CASE("rollout and flow rows get a block each only when given") {
  const AttentionTensor tensor = SmallTensor();
  PageInput input = SmallInput(tensor);
  const std::string plain = RenderPage(input, {});
  CHECK(plain.find("data-part=\"rollout\"") == std::string::npos);
  CHECK(plain.find("data-part=\"flow\"") == std::string::npos);
  input.flow = TokenRows{{0, 1, 2}, 3, std::vector<double>(9, 1.0 / 3)};
  const std::string page = RenderPage(input, {});
  CHECK(page.find("data-part=\"flow\"") != std::string::npos);
  CHECK(page.find("data-part=\"rollout\"") == std::string::npos);
}

TEST_CASE("an unknown colormap is a usage error") {
  const AttentionTensor tensor = SmallTensor();
  PageOptions options;
  options.colormap = "jet";
  CHECK_THROWS_AS(RenderPage(SmallInput(tensor), options), Error);
}

}  // namespace
}  // namespace attnviz::html
