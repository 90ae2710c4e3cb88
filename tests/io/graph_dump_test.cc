// LoadGraphAttention: the same GAT dump read from npz, safetensors, a torch.save dict and a dense
// matrix with an adjacency (written by scripts/make-graph-fixtures.py), and the refused inputs.
#include "attnviz/io/graph_dump.h"

#include <doctest/doctest.h>

#include <memory>
#include <optional>

#include "attnviz/error.h"
#include "io/graph_input.h"
#include "io/raw_dump.h"

namespace attnviz {
namespace {

const std::string kGraph = ATTNVIZ_FIXTURES_DIR "/graph/";

// The fixture's edges, source -> target, as written in the script, then the self-loops.
const std::vector<std::pair<int64_t, int64_t>> kTinyEdges = {
    {0, 1}, {2, 1}, {1, 2}, {3, 2}, {4, 3}, {3, 4}, {0, 4}, {0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}};

std::vector<std::pair<int64_t, int64_t>> Edges(const GraphAttention& graph) {
  std::vector<std::pair<int64_t, int64_t>> edges;
  for (int64_t e = 0; e < graph.edges(); ++e) edges.emplace_back(graph.source[e], graph.target[e]);
  return edges;
}

// PyG's alpha sums to 1 over the incoming edges of each target, in every head.
void CheckNormalisedByTarget(const GraphAttention& graph) {
  for (int64_t h = 0; h < graph.heads; ++h) {
    std::vector<double> sum(static_cast<size_t>(graph.nodes), 0);
    for (int64_t e = 0; e < graph.edges(); ++e) sum[graph.target[e]] += graph.Alpha(e, h);
    for (double s : sum) CHECK(s == doctest::Approx(1).epsilon(1e-6));
  }
}

TEST_CASE("a GAT dump reads the same from npz, safetensors and torch.save") {
  for (const char* file : {"tiny.npz", "tiny.safetensors", "tiny.pt"}) {
    INFO(file);
    const GraphAttention graph = LoadGraphAttention(kGraph + file);
    CHECK(graph.nodes == 5);
    CHECK(graph.heads == 2);
    CHECK(Edges(graph) == kTinyEdges);
    CHECK(graph.classes == std::vector<int64_t>{0, 1, 1, 2, 0});
    CheckNormalisedByTarget(graph);
  }
}

TEST_CASE("the three formats hold the same alpha") {
  const GraphAttention npz = LoadGraphAttention(kGraph + "tiny.npz");
  for (const char* file : {"tiny.safetensors", "tiny.pt"}) {
    CHECK(LoadGraphAttention(kGraph + file).alpha == npz.alpha);
  }
}

TEST_CASE("a dense matrix with an adjacency gives the edges of its nonzero entries") {
  const GraphAttention dense = LoadGraphAttention(kGraph + "tiny_dense.npz");
  const GraphAttention sparse = LoadGraphAttention(kGraph + "tiny.npz");
  CHECK(dense.nodes == 5);
  CHECK(dense.heads == 2);
  REQUIRE(dense.edges() == sparse.edges());
  CheckNormalisedByTarget(dense);
  // Dense edges come in (target, source) order; each carries the sparse edge's alpha.
  for (int64_t e = 0; e < sparse.edges(); ++e) {
    int64_t match = -1;
    for (int64_t d = 0; d < dense.edges(); ++d) {
      if (dense.source[d] == sparse.source[e] && dense.target[d] == sparse.target[e]) match = d;
    }
    REQUIRE(match >= 0);
    for (int64_t h = 0; h < 2; ++h) CHECK(dense.Alpha(match, h) == sparse.Alpha(e, h));
  }
}

TEST_CASE("node names come from a file, one per line") {
  const GraphAttention graph =
      LoadGraphAttention(kGraph + "tiny.npz", {kGraph + "tiny_names.txt", std::nullopt});
  CHECK(graph.names == std::vector<std::string>{"node A", "node B", "node C", "node D", "node E"});
}

void CheckRefused(const std::string& file, std::initializer_list<const char*> words) {
  INFO(file);
  try {
    LoadGraphAttention(kGraph + file);
    FAIL("expected an input error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    const std::string message = error.what();
    CHECK(message.find(file) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
    for (const char* word : words) CHECK_MESSAGE(message.find(word) != std::string::npos, message);
  }
}

TEST_CASE("broken graph dumps are refused in one line naming the file") {
  CheckRefused("bad_shape.npz", {"(2, E)", "(3, 12)"});
  CheckRefused("bad_rows.npz", {"(12, heads)", "(11, 2)"});
  CheckRefused("bad_negative.npz", {">= 0", "-1"});
  CheckRefused("bad_range.npz", {"< 5", "found 7"});
  CheckRefused("bad_nan.npz", {"finite", "nan", "edge 2, head 1"});
}

// A safetensors file: the 8-byte little-endian length (header's, unless `stated`), `header`, then
// `data_bytes` zero bytes.
std::shared_ptr<const ByteSource> Safetensors(const std::string& header, size_t data_bytes,
                                              std::optional<uint64_t> stated = std::nullopt) {
  const uint64_t length = stated.value_or(header.size());
  std::vector<std::byte> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::byte>(length >> (8 * i) & 0xFF));
  for (char c : header) bytes.push_back(static_cast<std::byte>(c));
  bytes.resize(bytes.size() + data_bytes);
  return std::make_shared<OwnedBytes>(std::move(bytes));
}

template <typename Read>
std::string RefusalMessage(Read read) {
  try {
    read();
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    return error.what();
  }
  FAIL("expected an input error");
  return {};
}

// Files the graph reader takes for safetensors (a '{' after the 8 length bytes) whose header is
// damaged: one parser checks it for both readers, with one message.
TEST_CASE("a damaged safetensors header is refused by the graph and the attention readers alike") {
  const std::string f32 = R"("dtype": "F32", "shape": [1])";
  struct Case {
    std::shared_ptr<const ByteSource> bytes;
    const char* says;
  };
  const std::vector<Case> cases = {
      {Safetensors("{}", 0, 100), "header says it is 100 bytes long, file has 2 bytes"},
      {Safetensors("{1}", 0), "expected a JSON object"},
      {Safetensors(R"({"a": {)" + f32 + "}}", 4), "expected dtype, shape and two data_offsets"},
      {Safetensors(R"({"a": {)" + f32 + R"(, "data_offsets": [0, 8]}})", 4),
       "data_offsets [0, 8] lie outside the 4-byte data section"},
      {Safetensors(R"({"a": {)" + f32 + R"(, "data_offsets": [0, 4]}, "b": {)" + f32 +
                       R"(, "data_offsets": [2, 6]}})",
                   8),
       "tensors 'a' and 'b' overlap"}};
  for (const Case& c : cases) {
    CAPTURE(c.says);
    const std::string graph =
        RefusalMessage([&] { LoadGraphAttentionFrom(c.bytes, "g.safetensors"); });
    const std::string attention =
        RefusalMessage([&] { ReadSafetensorsDump(c.bytes, "g.safetensors", std::nullopt); });
    CHECK(graph == attention);
    CHECK_MESSAGE(graph.find(c.says) != std::string::npos, graph);
  }
}

// A safetensors graph dump of one edge whose indices are `source` and 0 (float64), with one
// head's weight.
std::shared_ptr<const ByteSource> OneEdge(double source) {
  const std::string header =
      R"({"edge_index": {"dtype": "F64", "shape": [2, 1], "data_offsets": [0, 16]}, )"
      R"("alpha": {"dtype": "F32", "shape": [1, 1], "data_offsets": [16, 20]}})";
  std::vector<std::byte> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::byte>(header.size() >> (8 * i)));
  for (char c : header) bytes.push_back(static_cast<std::byte>(c));
  const double indices[2] = {source, 0.0};
  const float alpha = 1.0f;
  const auto* index_bytes = reinterpret_cast<const std::byte*>(indices);
  bytes.insert(bytes.end(), index_bytes, index_bytes + sizeof indices);
  const auto* alpha_bytes = reinterpret_cast<const std::byte*>(&alpha);
  bytes.insert(bytes.end(), alpha_bytes, alpha_bytes + sizeof alpha);
  return std::make_shared<OwnedBytes>(std::move(bytes));
}

// Node indices that are no integers, or beyond any int64_t, are named as they were given (the
// fuzzer found 1e300 converted to an integer to name it).
TEST_CASE("node indices that are fractions or huge are refused, named as given") {
  const std::string fraction =
      RefusalMessage([] { LoadGraphAttentionFrom(OneEdge(1.5), "g.safetensors"); });
  CHECK_MESSAGE(fraction.find("found 1.5") != std::string::npos, fraction);
  const std::string huge =
      RefusalMessage([] { LoadGraphAttentionFrom(OneEdge(1e300), "g.safetensors"); });
  CHECK_MESSAGE(huge.find("found 1e+300") != std::string::npos, huge);
}

}  // namespace
}  // namespace attnviz
