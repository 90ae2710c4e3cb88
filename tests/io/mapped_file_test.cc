// A mapped input that shrinks while it is read (a job saving over it): an input Error naming the
// file, never a SIGBUS, whether the bytes are copied out or read in place.
#include "io/mapped_file.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/io/load.h"

namespace attnviz {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kFileBytes = 64 * kPage;

// A file of kFileBytes bytes, each its offset mod 251, removed at the end of the test.
struct ShrinkingFile {
  std::string path =
      (std::filesystem::temp_directory_path() / ("attnviz_shrink_" + std::to_string(getpid())))
          .string();
  ShrinkingFile() {
    std::ofstream out(path, std::ios::binary);
    for (size_t i = 0; i < kFileBytes; ++i) out.put(static_cast<char>(i % 251));
  }
  ~ShrinkingFile() { std::remove(path.c_str()); }
  void ShrinkTo(size_t bytes) const { REQUIRE(truncate(path.c_str(), bytes) == 0); }
};

void CheckNamesFile(const Error& error, const std::string& path) {
  CHECK(error.kind() == ErrorKind::kInput);
  const std::string message = error.what();
  CHECK(message.find(path) == 0);
  CHECK(message.find("shrank while being read") != std::string::npos);
  CHECK(message.find("it had 262144 bytes, now 8192 bytes") != std::string::npos);
}

TEST_CASE("a copy past the new end of a shrunk file is an input error naming it") {
  const ShrinkingFile file;
  const auto source = OpenInput(file.path);
  file.ShrinkTo(2 * kPage);
  const auto bytes = source->bytes();
  std::vector<std::byte> out(kPage);
  source->Copy(bytes.subspan(kPage, kPage), out.data());  // still in the file: read as before
  CHECK(static_cast<int>(out[0]) == static_cast<int>(kPage % 251));
  try {
    source->Copy(bytes.subspan(10 * kPage, kPage), out.data());
    FAIL("no error");
  } catch (const Error& error) {
    CheckNamesFile(error, file.path);
  }
}

TEST_CASE("a read in place past the new end gives zeros, then ThrowIfInputShrank names the file") {
  const ShrinkingFile file;
  {
    const auto source = OpenInput(file.path);
    file.ShrinkTo(2 * kPage);
    const auto bytes = source->bytes();
    // Without the guard this read dies of SIGBUS.
    const volatile std::byte* beyond = bytes.data() + 40 * kPage + 7;
    CHECK(static_cast<int>(*beyond) == 0);
    CHECK(static_cast<int>(bytes[kPage + 1]) == static_cast<int>((kPage + 1) % 251));
    try {
      ThrowIfInputShrank();
      FAIL("no error");
    } catch (const Error& error) {
      CheckNamesFile(error, file.path);
    }
  }
  // The error outlives the closed map: outputs drawn from it are still refused.
  CHECK_THROWS_AS(ThrowIfInputShrank(), Error);
  ForgetShrunkInputsForTesting();
  CHECK_NOTHROW(ThrowIfInputShrank());
}

// A float32 npy of 4 heads of 64 x 64 ones (a version 1.0 header padded to 128 bytes).
void WriteOnesNpy(const std::string& path) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 64, 64), }";
  header.resize(128 - 10 - 1, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  out.put(static_cast<char>(header.size() % 256));
  out.put(static_cast<char>(header.size() / 256));
  out << header;
  const float one = 1;
  for (int i = 0; i < 4 * 64 * 64; ++i) out.write(reinterpret_cast<const char*>(&one), 4);
}

TEST_CASE("a dump that shrinks after loading: heads past the end fail, and nothing is written") {
  const ShrinkingFile file;
  WriteOnesNpy(file.path);
  const Dump dump = LoadDump(file.path);
  REQUIRE(dump.attention.heads() == 4);
  REQUIRE(truncate(file.path.c_str(), 128 + 64 * 64 * 4) == 0);  // only head 0 is left
  CHECK(dump.attention.ReadHead(0, 0)[4095] == 1.0f);
  CHECK_THROWS_AS(dump.attention.ReadHead(0, 3), Error);  // copied out: fails at once
  std::vector<float> scratch;
  const std::span<const float> in_place = dump.attention.HeadValues(0, 2, scratch);
  CHECK(in_place[100] == 0.0f);  // read in place: zeros instead of SIGBUS
  const std::string output = file.path + ".png";
  CHECK_THROWS_AS(WriteFileAtomically(output, "figure"), Error);
  CHECK_FALSE(std::filesystem::exists(output));
  ForgetShrunkInputsForTesting();
}

}  // namespace
}  // namespace attnviz
