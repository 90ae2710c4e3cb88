// ReadAudio and ResampleAudio on the files scripts/reference/log_mel.py writes, on FLAC and OGG
// files written here through libsndfile, and on damaged files.
#include <doctest/doctest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/stats_test_support.h"
#include "attnviz/error.h"
#include "attnviz/io/audio.h"

namespace attnviz {
namespace {

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/speech/audio/";

nlohmann::json Golden() { return testing::ReadJson(kFixtures + "golden.json"); }

// A file in the temporary folder, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               ("attnviz_audio_" + std::to_string(getpid()) + "_" + name))
                  .string()) {}
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

  void Write(const std::string& bytes) const { std::ofstream(path_, std::ios::binary) << bytes; }
  std::string Read() const {
    std::ifstream file(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
  }

 private:
  std::string path_;
};

// Two channels of 16-bit samples (left[i], right[i]) written by libsndfile in `format`.
void WriteStereo(const std::string& path, int format, const std::vector<short>& left,
                 const std::vector<short>& right) {
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 2;
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE(file != nullptr);
  std::vector<short> frames;
  for (size_t i = 0; i < left.size(); ++i) frames.insert(frames.end(), {left[i], right[i]});
  sf_writef_short(file, frames.data(), static_cast<sf_count_t>(left.size()));
  sf_close(file);
}

Error ReadError(const std::string& path) {
  try {
    ReadAudio(path);
  } catch (const Error& error) {
    return error;
  }
  FAIL("no error");
  return Error(ErrorKind::kUsage, "");
}

void CheckRefused(const std::string& path, const std::string& words) {
  Error error = ReadError(path);
  CHECK(error.kind() == ErrorKind::kInput);
  CHECK(std::string(error.what()).find(path + ": ") == 0);
  CHECK_MESSAGE(std::string(error.what()).find(words) != std::string::npos, error.what());
}

TEST_CASE("a stereo WAV reads as the mean of its channels, as numpy computes it") {
  Audio audio = ReadAudio(kFixtures + "stereo16k.wav");
  const nlohmann::json golden = Golden();
  CHECK(audio.sample_rate == 16000);
  REQUIRE(audio.samples.size() == golden["mono"].size());
  double worst = 0;
  for (size_t i = 0; i < audio.samples.size(); ++i) {
    worst = std::max(worst, std::abs(audio.samples[i] - golden["mono"][i].get<double>()));
  }
  CHECK(worst == 0);  // (a + b) / 65536 of 16-bit samples is exact in single precision
}

TEST_CASE("a lossless FLAC gives back its samples, mixed") {
  TempFile flac("mix.flac");
  std::vector<short> left, right;
  for (int i = 0; i < 1000; ++i) {
    left.push_back(static_cast<short>(i * 30 - 15000));
    right.push_back(static_cast<short>(1000 - i));
  }
  WriteStereo(flac.path(), SF_FORMAT_FLAC | SF_FORMAT_PCM_16, left, right);
  Audio audio = ReadAudio(flac.path());
  REQUIRE(audio.samples.size() == 1000);
  for (int i : {0, 1, 500, 999}) {
    CHECK(audio.samples[i] == doctest::Approx((left[i] + right[i]) / 65536.0).epsilon(1e-7));
  }
}

TEST_CASE("an OGG Vorbis file reads, lossy but close to what was written") {
  TempFile ogg("tone.ogg");
  std::vector<short> tone;
  for (int i = 0; i < 8000; ++i) {
    tone.push_back(
        static_cast<short>(std::lround(8000 * std::sin(2 * std::numbers::pi * 440 * i / 16000))));
  }
  WriteStereo(ogg.path(), SF_FORMAT_OGG | SF_FORMAT_VORBIS, tone, tone);
  Audio audio = ReadAudio(ogg.path());
  CHECK(audio.sample_rate == 16000);
  REQUIRE(audio.samples.size() == 8000);
  double power = 0;  // a sine of amplitude 8000 / 32768 has mean power a^2 / 2
  for (float sample : audio.samples) power += sample * sample;
  CHECK(power / 8000 == doctest::Approx(0.5 * std::pow(8000.0 / 32768, 2)).epsilon(0.05));
}

TEST_CASE("44.1 kHz is resampled to 16 kHz: the sine sampled at 16 kHz, within 1e-3") {
  Audio audio = ReadAudioAt(kFixtures + "sine44k.wav", kWhisperSampleRate);
  CHECK(audio.sample_rate == 16000);
  CHECK(audio.samples.size() == 8000);  // 0.5 s
  double worst = 0;
  for (size_t i = 400; i + 400 < audio.samples.size(); ++i) {  // the ends ring: the filter's edges
    double expected = 0.5 * std::sin(2 * std::numbers::pi * 440 * static_cast<double>(i) / 16000);
    worst = std::max(worst, std::abs(audio.samples[i] - expected));
  }
  CHECK(worst < 1e-3);
}

TEST_CASE("the same rate is left as it is") {
  Audio audio{16000, {0.5f, -0.25f}};
  CHECK(ResampleAudio(audio, 16000, "x.wav").samples == audio.samples);
}

TEST_CASE("damaged and foreign files are input errors naming the file") {
  SUBCASE("missing") { CheckRefused(kFixtures + "no-such.wav", "cannot open"); }
  SUBCASE("empty") {
    TempFile empty("empty.wav");
    empty.Write("");
    CheckRefused(empty.path(), "found an empty file");
  }
  SUBCASE("text") {
    TempFile text("text.wav");
    text.Write(std::string(200, 'a'));
    CheckRefused(text.path(), "expected an audio file libsndfile reads");
  }
  std::ifstream source(kFixtures + "stereo16k.wav", std::ios::binary);
  const std::string wav{std::istreambuf_iterator<char>(source), {}};
  SUBCASE("a WAV cut in half") {
    TempFile cut("cut.wav");
    cut.Write(wav.substr(0, wav.size() / 2));
    CheckRefused(cut.path(), "truncated: the header says 6600 bytes of samples, the file holds");
  }
  SUBCASE("a WAV header without samples") {
    TempFile header("header.wav");
    header.Write(wav.substr(0, 44));
    CheckRefused(header.path(), "truncated");
  }
  SUBCASE("zero channels") {
    TempFile none("none.wav");
    std::string bytes = wav;
    bytes[22] = bytes[23] = 0;  // the fmt chunk's channel count
    none.Write(bytes);
    CheckRefused(none.path(), "hannel");
  }
  SUBCASE("a FLAC cut in half") {
    TempFile flac("cut.flac");
    std::vector<short> noise;
    for (int i = 0; i < 16000; ++i) noise.push_back(static_cast<short>((i * 7919) % 20000 - 10000));
    WriteStereo(flac.path(), SF_FORMAT_FLAC | SF_FORMAT_PCM_16, noise, noise);
    std::string bytes = flac.Read();
    flac.Write(bytes.substr(0, bytes.size() / 2));
    CheckRefused(flac.path(), "truncated");
  }
}

TEST_CASE("garbage after a WAV header never crashes: an error or samples") {
  std::ifstream source(kFixtures + "stereo16k.wav", std::ios::binary);
  const std::string wav{std::istreambuf_iterator<char>(source), {}};
  TempFile garbled("garbled.wav");
  uint32_t state = 17;
  for (int round = 0; round < 50; ++round) {
    std::string bytes = wav.substr(0, 200);
    for (int i = 0; i < 8; ++i) {
      state = state * 1664525u + 1013904223u;
      bytes[(state >> 8) % 64] = static_cast<char>(state >> 24);
    }
    garbled.Write(bytes);
    try {
      Audio audio = ReadAudio(garbled.path());
      CHECK(audio.sample_rate > 0);
    } catch (const Error& error) {
      CHECK(error.kind() == ErrorKind::kInput);
    }
  }
}

}  // namespace
}  // namespace attnviz
