// LoadDump refuses bad files (tests/fixtures/bad, see its README.md) and options that do not fit
// the file, with an Error of the right kind whose message names the file and says what is wrong.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <string>

#include "attnviz/error.h"
#include "attnviz/io/load.h"

namespace attnviz {
namespace {

const std::string kBad = ATTNVIZ_FIXTURES_DIR "/bad/";
const std::string kFormats = ATTNVIZ_FIXTURES_DIR "/formats/";

struct Refusal {
  ErrorKind kind;
  std::string message;
};

// The Error LoadDump throws, or nullopt when it loads the file.
std::optional<Refusal> Refuse(const std::string& path, const LoadOptions& options = {}) {
  try {
    LoadDump(path, options);
  } catch (const Error& e) {
    return Refusal{e.kind(), e.what()};
  }
  return std::nullopt;
}

bool Contains(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The message without the path, lowercased: the words must come from the explanation, not from a
// file name such as "int32.npy".
std::string Explanation(std::string message, const std::string& path) {
  for (size_t at; (at = message.find(path)) != std::string::npos;) message.erase(at, path.size());
  return Lower(message);
}

std::string KindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage:
      return "usage";
    case ErrorKind::kInput:
      return "input";
    case ErrorKind::kOutput:
      return "output";
  }
  return "?";
}

// LoadDump(`file`, in bad/ unless it is a path) throws an Error of `kind` saying each of `words`;
// input errors also name the file.
void CheckRefused(const std::string& file, ErrorKind kind, std::initializer_list<const char*> words,
                  const LoadOptions& options = {}) {
  const std::string path = (file.find('/') == std::string::npos ? kBad : "") + file;
  const std::optional<Refusal> refusal = Refuse(path, options);
  REQUIRE_MESSAGE(refusal.has_value(), file, " was loaded without an error");
  INFO("message: ", refusal->message);
  CHECK(KindName(refusal->kind) == KindName(kind));
  if (kind == ErrorKind::kInput)
    CHECK(Contains(refusal->message, path.substr(path.rfind('/') + 1)));
  const std::string explanation = Explanation(refusal->message, path);
  for (const std::string word : words) {
    CHECK_MESSAGE(Contains(explanation, Lower(word)), "should say: ", word);
  }
}

void CheckInputError(const std::string& file, std::initializer_list<const char*> words) {
  CheckRefused(file, ErrorKind::kInput, words);
}

// --- Any format ---

TEST_CASE("a file that does not exist is an input error naming it") {
  CheckInputError("no_such_file.npy", {});
}

TEST_CASE("a directory is an input error naming it") {
  const std::optional<Refusal> refusal = Refuse(kBad);
  REQUIRE(refusal.has_value());
  CHECK(refusal->kind == ErrorKind::kInput);
}

TEST_CASE("an empty file is an input error saying it is empty") {
  CheckInputError("empty.npy", {"empty"});
}

TEST_CASE("bytes of no known format are an input error saying so") {
  CheckInputError("unknown.bin", {"format"});
}

// --- npy ---

TEST_CASE("an npy body shorter than its header says is an input error giving both sizes") {
  CheckInputError("truncated.npy", {"480", "100"});
}

TEST_CASE("an npy header claiming far more data than the file has is an input error") {
  CheckInputError("shape_mismatch.npy", {"150994944", "64"});
}

TEST_CASE("an npy shape whose byte count overflows is an input error, not a wrapped size") {
  CheckInputError("overflow_shape.npy", {"shape"});
}

TEST_CASE("a negative npy dimension is an input error saying so") {
  CheckInputError("negative_shape.npy", {"negative"});
}

TEST_CASE("an int32 npy array is an input error naming int32") {
  CheckInputError("int32.npy", {"int32"});
}

TEST_CASE("a complex npy array is an input error naming complex64") {
  CheckInputError("complex.npy", {"complex64"});
}

TEST_CASE("an object npy array is refused without unpickling it") {
  CheckInputError("object.npy", {"object"});
}

TEST_CASE("a structured npy array is an input error about its dtype") {
  CheckInputError("structured.npy", {"dtype"});
}

TEST_CASE("a rank-1 npy array is an input error about its rank") {
  CheckInputError("rank1.npy", {"rank"});
}

TEST_CASE("an npy header that is a list, not a dict, is an input error") {
  CheckInputError("header_not_dict.npy", {"header"});
}

TEST_CASE("an npy header holding Python code is refused, never evaluated") {
  CheckInputError("header_code.npy", {"header"});
}

TEST_CASE("an npy format version other than 1, 2 or 3 is an input error naming it") {
  CheckInputError("bad_version.npy", {"version", "9"});
}

// --- npz ---

TEST_CASE("a zip cut in half is an input error about the zip") {
  CheckInputError("broken.npz", {"zip"});
}

TEST_CASE("an npz member whose data does not match its CRC is an input error") {
  CheckInputError("badcrc.npz", {"crc"});
}

TEST_CASE("an npz without a float array is an input error listing what it has") {
  CheckInputError("no_arrays.npz", {"tokens"});
}

TEST_CASE("an npz with two float arrays and no --key asks for --key, listing both") {
  CheckRefused(kFormats + "npz_two_arrays.npz", ErrorKind::kInput, {"attn_a", "attn_b", "--key"});
}

TEST_CASE("--key naming no npz member is a usage error listing the members") {
  LoadOptions options;
  options.key = "nope";
  CheckRefused(kFormats + "npz_two_arrays.npz", ErrorKind::kUsage, {"nope", "attn_a", "attn_b"},
               options);
}

// --- safetensors ---

TEST_CASE("safetensors data_offsets past the end of the file are an input error") {
  CheckInputError("safetensors_offsets.safetensors", {"4000"});
}

TEST_CASE("safetensors data_offsets that disagree with shape and dtype are an input error") {
  CheckInputError("safetensors_shape_mismatch.safetensors", {"80", "64"});
}

TEST_CASE("a safetensors header longer than the file is an input error") {
  CheckInputError("safetensors_header_len.safetensors", {"header"});
}

TEST_CASE("an I32 safetensors tensor is an input error naming its dtype") {
  const std::string path = kBad + "safetensors_int.safetensors";
  const std::optional<Refusal> refusal = Refuse(path);
  REQUIRE(refusal.has_value());
  INFO("message: ", refusal->message);
  CHECK(refusal->kind == ErrorKind::kInput);
  const std::string explanation = Explanation(refusal->message, path);
  CHECK((Contains(explanation, "i32") || Contains(explanation, "int32")));
}

TEST_CASE("a safetensors file with two tensors and no --key asks for --key, listing both") {
  CheckRefused(kFormats + "st_two.safetensors", ErrorKind::kInput,
               {"encoder_attn", "decoder_attn", "--key"});
}

TEST_CASE("--key naming no safetensors tensor is a usage error listing the tensors") {
  LoadOptions options;
  options.key = "nope";
  CheckRefused(kFormats + "st_two.safetensors", ErrorKind::kUsage,
               {"nope", "encoder_attn", "decoder_attn"}, options);
}

// --- JSON ---

TEST_CASE("ragged JSON rows are an input error giving the expected and found lengths") {
  CheckInputError("ragged.json", {"4", "3"});
}

TEST_CASE("JSON cut mid-way is an input error saying where parsing stopped") {
  const std::string path = kBad + "truncated.json";
  const std::optional<Refusal> refusal = Refuse(path);
  REQUIRE(refusal.has_value());
  INFO("message: ", refusal->message);
  CHECK(refusal->kind == ErrorKind::kInput);
  CHECK(Contains(refusal->message, "truncated.json"));
  const std::string explanation = Explanation(refusal->message, path);
  CHECK((Contains(explanation, "line") || Contains(explanation, "byte") ||
         Contains(explanation, "offset")));
}

TEST_CASE("a JSON object without \"attention\" is an input error naming the key") {
  CheckInputError("no_attention_key.json", {"attention"});
}

TEST_CASE("strings where JSON numbers belong are an input error") {
  CheckInputError("strings.json", {"number", "string"});
}

TEST_CASE("JSON tokens that do not match the keys are an input error giving both counts") {
  CheckInputError("tokens_mismatch.json", {"5", "4", "token"});
}

// --- Options that do not fit the file ---

TEST_CASE("a tokens file with more tokens than the dump has keys is refused with both counts") {
  LoadOptions options;
  options.tokens_path = kBad + "five_tokens.txt";
  const std::string path = kBad + "square4.npy";
  const std::optional<Refusal> refusal = Refuse(path, options);
  REQUIRE(refusal.has_value());
  INFO("message: ", refusal->message);
  const std::string explanation =
      Explanation(Explanation(refusal->message, path), Lower(*options.tokens_path));
  CHECK(Contains(explanation, "5"));
  CHECK(Contains(explanation, "4"));
  CHECK(Contains(explanation, "token"));
}

TEST_CASE("a tokens file that does not exist is an input error naming it") {
  LoadOptions options;
  options.tokens_path = kBad + "no_such_tokens.txt";
  const std::optional<Refusal> refusal = Refuse(kBad + "square4.npy", options);
  REQUIRE(refusal.has_value());
  CHECK(refusal->kind == ErrorKind::kInput);
  CHECK(Contains(refusal->message, "no_such_tokens.txt"));
}

TEST_CASE("--batch past the last batch item is a usage error") {
  LoadOptions options;
  options.batch = 2;  // the dump has 2 items
  CheckRefused(kFormats + "npy_v1_f4le_c_rank5.npy", ErrorKind::kUsage, {"batch"}, options);
}

TEST_CASE("a negative --batch is a usage error") {
  LoadOptions options;
  options.batch = -1;
  CheckRefused(kFormats + "npy_v1_f4le_c_rank5.npy", ErrorKind::kUsage, {"batch"}, options);
}

TEST_CASE("--batch 1 on a dump without a batch axis is a usage error") {
  LoadOptions options;
  options.batch = 1;
  CheckRefused(kFormats + "npy_v1_f4le_c_rank4.npy", ErrorKind::kUsage, {"batch"}, options);
}

TEST_CASE("--axes with fewer names than the array has dimensions is a usage error") {
  LoadOptions options;
  options.axes = std::vector<Axis>{Axis::kQuery, Axis::kKey};
  CheckRefused(kFormats + "npy_v1_f4le_c_rank4.npy", ErrorKind::kUsage, {"4"}, options);
}

TEST_CASE("--axes naming an axis twice is a usage error naming it") {
  LoadOptions options;
  options.axes = std::vector<Axis>{Axis::kHead, Axis::kHead, Axis::kQuery, Axis::kKey};
  CheckRefused(kFormats + "npy_v1_f4le_c_rank4.npy", ErrorKind::kUsage, {"head"}, options);
}

}  // namespace
}  // namespace attnviz
