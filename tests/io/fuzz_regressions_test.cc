// Every input a fuzzer ever failed on (tests/fuzz/regressions/HARNESS/) replays through the steps
// of its harness (exactly as the fuzzer ran it) and now loads or is refused with an
// attnviz::Error: nothing else escapes, nothing crashes.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/graph_dump.h"
#include "attnviz/io/load.h"
#include "fuzz/fuzz_targets.h"
#include "io/raw_dump.h"

namespace attnviz::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kRegressions = ATTNVIZ_FUZZ_REGRESSIONS_DIR;

std::vector<std::byte> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path.string());
  const std::vector<char> chars{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
  std::vector<std::byte> bytes(chars.size());
  std::transform(chars.begin(), chars.end(), bytes.begin(),
                 [](char c) { return static_cast<std::byte>(c); });
  return bytes;
}

// The saved inputs of one harness, in name order; none when it never failed.
std::vector<fs::path> SavedInputs(std::string_view harness) {
  std::vector<fs::path> inputs;
  const fs::path folder = kRegressions / harness;
  if (!fs::is_directory(folder)) return inputs;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file()) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

void ReplaySavedInputs(std::string_view harness) {
  for (const fs::path& input : SavedInputs(harness)) {
    CAPTURE(input.string());
    const std::vector<std::byte> bytes = ReadBytes(input);
    CHECK_NOTHROW(RunHarness(harness, bytes));
  }
}

// The message LoadDump refuses regressions/`input` with: an input error naming the file.
std::string RefusalOf(const std::string& input) {
  const std::string path = (kRegressions / input).string();
  try {
    LoadDump(path);
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    CHECK(std::string(error.what()).starts_with(path + ": "));
    return error.what();
  }
  FAIL(input, " was loaded without an error");
  return {};
}

void CheckSays(const std::string& message, std::initializer_list<const char*> words) {
  INFO("message: ", message);
  for (const std::string word : words) {
    CHECK_MESSAGE(message.find(word) != std::string::npos, "should say: ", word);
  }
}

}  // namespace

// What each finding is now refused with (docs/fuzzing.md, "Findings").

TEST_CASE("fuzz regressions: a JSON layer index beyond int32 is refused with its value") {
  CheckSays(RefusalOf("json/layer_beyond_int64.json"),
            {"expected 'layer' to be an integer from 0 to 2147483647, found 18446744073709551615"});
}

TEST_CASE("fuzz regressions: a JSON number beyond float64 is refused, quoting it") {
  CheckSays(RefusalOf("json/number_beyond_float64.json"),
            {"expected numbers within the range of float64, found '0.72174924612E4529'"});
  CheckSays(RefusalOf("load/number_beyond_float64_in_seq2seq.json"),
            {"expected numbers within the range of float64"});
}

TEST_CASE("fuzz regressions: a zero extent does not hide a shape overflowing 64 bits") {
  CheckSays(RefusalOf("npy/zero_extent_hides_overflow.npy"),
            {"header shape (0, 1099511627776, 1099511627776) overflows 64 bits"});
  CheckSays(RefusalOf("safetensors/zero_extent_hides_overflow.safetensors"),
            {"tensor 'a': shape (0, 1099511627776, 1099511627776) overflows 64 bits"});
}

TEST_CASE("fuzz regressions: an npy descr with a huge item size is an unknown dtype") {
  CheckSays(RefusalOf("npy/descr_size_beyond_int.npy"),
            {"expected a float array (float16, float32 or float64), found unknown dtype ('>f4"});
}

TEST_CASE("fuzz regressions: a zip64 locator in a file shorter than its record is refused") {
  CheckSays(RefusalOf("npz/zip64_locator_in_short_file.npz"),
            {"broken zip: zip64 locator points outside the file"});
}

TEST_CASE("fuzz regressions: safetensors bytes shorter than the header length are refused") {
  for (const size_t size : {0, 3, 7}) {
    CAPTURE(size);
    const auto bytes = std::make_shared<OwnedBytes>(std::vector<std::byte>(size));
    try {
      ReadSafetensorsDump(bytes, "short.safetensors", std::nullopt);
      FAIL("read without an error");
    } catch (const Error& error) {
      CHECK(error.kind() == ErrorKind::kInput);
      CHECK(std::string(error.what()) ==
            "short.safetensors: expected an 8-byte safetensors header length, found a " +
                std::to_string(size) + "-byte file");
    }
  }
}

TEST_CASE("fuzz regressions: a dense graph attention with zero heads is refused") {
  const std::string path = (kRegressions / "graph/dense_zero_heads.npz").string();
  try {
    LoadGraphAttention(path);
    FAIL("loaded without an error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kInput);
    CHECK(std::string(error.what()) ==
          path + ": expected at least one head in 'attention', found 0");
  }
}

TEST_CASE("fuzz regressions: every folder is named after a harness and holds inputs") {
  REQUIRE(fs::is_directory(kRegressions));
  const auto& names = HarnessNames();
  for (const auto& entry : fs::directory_iterator(kRegressions)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
    CHECK_FALSE(SavedInputs(name).empty());
  }
}

TEST_CASE("fuzz regressions: npy inputs load or are refused") { ReplaySavedInputs("npy"); }
TEST_CASE("fuzz regressions: npz inputs load or are refused") { ReplaySavedInputs("npz"); }
TEST_CASE("fuzz regressions: json inputs load or are refused") { ReplaySavedInputs("json"); }
TEST_CASE("fuzz regressions: safetensors inputs load or are refused") {
  ReplaySavedInputs("safetensors");
}
TEST_CASE("fuzz regressions: tokens inputs are read or refused") { ReplaySavedInputs("tokens"); }
TEST_CASE("fuzz regressions: load inputs load or are refused") { ReplaySavedInputs("load"); }
TEST_CASE("fuzz regressions: torch inputs load or are refused") { ReplaySavedInputs("torch"); }
TEST_CASE("fuzz regressions: graph inputs load or are refused") { ReplaySavedInputs("graph"); }

TEST_CASE("fuzz regressions: a .pt view whose extent overflows 64 bits is refused as such") {
  CheckSays(RefusalOf("torch/view_extent_overflow.pt"),
            {"size (1099511627776, 1099511627776) and strides overflow"});
  CheckSays(RefusalOf("torch/tokens_list_contains_itself.pt"),
            {"expected 'tokens[0]' to be a list of str, found a list"});
}

}  // namespace attnviz::fuzz
