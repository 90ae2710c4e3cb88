// LogMelSpectrogram and MelFilterBank against scripts/reference/log_mel.py (numpy, float64).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/stats_test_support.h"
#include "attnviz/analysis/log_mel.h"
#include "attnviz/io/audio.h"

namespace attnviz {
namespace {

const std::string kFixtures = ATTNVIZ_FIXTURES_DIR "/speech/audio/";

nlohmann::json Golden() { return testing::ReadJson(kFixtures + "golden.json"); }

TEST_CASE("the log-mel spectrogram agrees with the numpy reference to 1e-4") {
  // The reference is float64 throughout; attnviz's FFT is single precision, as Whisper's. The
  // values are log10 / 4 of band energies, so 1e-4 is a 0.1 % error in energy: far above float
  // rounding (measured 1e-6), far below a visible shade (1 / 256 of the 2.0 range).
  const nlohmann::json golden = Golden();
  Audio audio = ReadAudio(kFixtures + "stereo16k.wav");
  Matrix spectrogram = LogMelSpectrogram(audio.samples);
  const auto& expected = golden["log_mel"];
  REQUIRE(spectrogram.rows == 80);
  REQUIRE(spectrogram.cols == 10);  // 1650 samples / 160, the last STFT frame dropped
  double worst = 0;
  for (int64_t band = 0; band < spectrogram.rows; ++band) {
    for (int64_t frame = 0; frame < spectrogram.cols; ++frame) {
      worst = std::max(worst,
                       std::abs(spectrogram.at(band, frame) - expected[band][frame].get<double>()));
    }
  }
  MESSAGE("largest difference from numpy: " << worst);
  CHECK(worst < 1e-4);
}

TEST_CASE("the mel filter bank is librosa's Slaney bank, row by row") {
  const nlohmann::json golden = Golden();
  std::vector<float> bank = MelFilterBank();
  REQUIRE(bank.size() == 80u * 201u);
  const auto& rows = golden["filter_rows"];
  for (size_t i = 0; i < rows.size(); ++i) {
    const int row = rows[i].get<int>();
    for (int k = 0; k < 201; ++k) {
      const double expected = golden["filters"][i][k].get<double>();
      CHECK(bank[row * 201 + k] == doctest::Approx(expected).epsilon(1e-6).scale(1e-9));
    }
  }
}

TEST_CASE("Slaney's mel scale: linear to 1 kHz, then 27 mel per factor 6.4") {
  CHECK(HzToMel(0) == 0);
  CHECK(HzToMel(200) == doctest::Approx(3));
  CHECK(HzToMel(1000) == doctest::Approx(15));
  CHECK(HzToMel(6400) == doctest::Approx(42));
  CHECK(MelToHz(HzToMel(3456.0)) == doctest::Approx(3456.0));
  // Band b's centre on the drawn axis is at b + 0.5; 0 Hz clamps to the bottom edge.
  CHECK(MelBandPosition(MelBandFrequency(10.5)) == doctest::Approx(10.5));
  CHECK(MelBandPosition(0) == 0);
  CHECK(MelBandPosition(8000) == 80);
}

TEST_CASE("silence is the floor everywhere, and less than a hop is no spectrogram") {
  Matrix silence = LogMelSpectrogram(std::vector<float>(1600, 0.0f));
  REQUIRE(silence.cols == 10);
  for (float value : silence.values) CHECK(value == doctest::Approx((-10 + 4) / 4.0));
  CHECK(LogMelSpectrogram(std::vector<float>(159, 0.5f)).cols == 0);
}

TEST_CASE("a 1 kHz tone puts its energy in the band centred nearest 1 kHz") {
  std::vector<float> tone(3200);
  for (size_t i = 0; i < tone.size(); ++i)
    tone[i] = std::sin(2 * std::numbers::pi * 1000 * i / 16000.0);
  Matrix spectrogram = LogMelSpectrogram(tone);
  int64_t loudest = 0;
  for (int64_t band = 0; band < 80; ++band) {
    if (spectrogram.at(band, 10) > spectrogram.at(loudest, 10)) loudest = band;
  }
  CHECK(std::abs(MelBandFrequency(loudest + 0.5) - 1000) <
        60);  // bands near 1 kHz are ~55 Hz apart
}

}  // namespace
}  // namespace attnviz
