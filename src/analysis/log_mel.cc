// The log-mel spectrogram: reflected frames, Hann window, FFTW's real FFT (in the audio module),
// mel bands, log scale.
#include "attnviz/analysis/log_mel.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "attnviz/error.h"
#include "audio/module.h"
#include "io/audio_loader.h"

namespace attnviz {
namespace {

// Slaney's scale: 200 / 3 Hz per mel up to 1 kHz, then a factor 6.4 every 27 mel.
constexpr double kHzPerMel = 200.0 / 3;
constexpr double kLogStartHz = 1000;
constexpr double kLogStartMel = kLogStartHz / kHzPerMel;
const double kLogStep = std::log(6.4) / 27;

constexpr double kPowerFloor = 1e-10;
constexpr double kDynamicRange = 8;  // decades kept below the loudest band

void CheckOptions(const LogMelOptions& options) {
  if (options.sample_rate < 1 || options.n_fft < 2 || options.hop < 1 || options.mels < 1) {
    ThrowUsageError("a log-mel spectrogram needs a positive rate, window, hop and band count");
  }
}

// The mel scale's edges: mels + 2 frequencies from 0 Hz to the Nyquist rate, equally spaced in mel.
std::vector<double> MelEdges(const LogMelOptions& options) {
  const double top = HzToMel(options.sample_rate / 2.0);
  std::vector<double> edges(options.mels + 2);
  for (size_t i = 0; i < edges.size(); ++i) {
    edges[i] = MelToHz(top * static_cast<double>(i) / static_cast<double>(options.mels + 1));
  }
  return edges;
}

double MelStep(const LogMelOptions& options) {
  return HzToMel(options.sample_rate / 2.0) / (options.mels + 1);
}

// Sample `index` of the signal reflected about its ends without repeating them, as numpy's
// pad(mode="reflect") and torch's reflection padding extend it.
size_t Reflected(int64_t index, int64_t length) {
  if (length == 1) return 0;
  const int64_t period = 2 * (length - 1);
  index %= period;
  if (index < 0) index += period;
  return static_cast<size_t>(index < length ? index : period - index);
}

std::vector<float> PeriodicHann(int size) {
  std::vector<float> window(size);
  for (int k = 0; k < size; ++k) {
    window[k] = static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * k / size));
  }
  return window;
}

// The window centred on sample `centre` of the signal (reflected about its ends) times `window`,
// into `input`.
void WindowAt(const std::vector<float>& samples, const std::vector<float>& window, int64_t centre,
              float* input) {
  const int64_t length = static_cast<int64_t>(samples.size());
  const int64_t size = static_cast<int64_t>(window.size());
  for (int64_t k = 0; k < size; ++k) {
    input[k] = samples[Reflected(centre + k - size / 2, length)] * window[k];
  }
}

// log10 of each band's energy in frame `frame`, floored at 1e-10, into column `frame`.
void LogBandEnergies(const std::vector<double>& power, const std::vector<float>& bank,
                     int64_t frame, Matrix& spectrogram) {
  const size_t bins = power.size();
  for (int64_t band = 0; band < spectrogram.rows; ++band) {
    const float* weights = &bank[band * bins];
    double energy = 0;
    for (size_t k = 0; k < bins; ++k) energy += weights[k] * power[k];
    spectrogram.values[band * spectrogram.cols + frame] =
        static_cast<float>(std::log10(std::max(energy, kPowerFloor)));
  }
}

// Whisper's scaling: at most 8 decades below the loudest value, then (x + 4) / 4.
void ScaleLikeWhisper(std::vector<float>& values) {
  const float loudest = *std::max_element(values.begin(), values.end());
  const float floor = loudest - static_cast<float>(kDynamicRange);
  for (float& value : values) value = (std::max(value, floor) + 4.0f) / 4.0f;
}

}  // namespace

double HzToMel(double hz) {
  if (hz < kLogStartHz) return hz / kHzPerMel;
  return kLogStartMel + std::log(hz / kLogStartHz) / kLogStep;
}

double MelToHz(double mel) {
  if (mel < kLogStartMel) return mel * kHzPerMel;
  return kLogStartHz * std::exp(kLogStep * (mel - kLogStartMel));
}

std::vector<float> MelFilterBank(const LogMelOptions& options) {
  CheckOptions(options);
  const int bins = options.n_fft / 2 + 1;
  const std::vector<double> edges = MelEdges(options);
  std::vector<float> bank(static_cast<size_t>(options.mels) * bins);
  for (int band = 0; band < options.mels; ++band) {
    const double low = edges[band], centre = edges[band + 1], high = edges[band + 2];
    const double area = 2 / (high - low);
    for (int k = 0; k < bins; ++k) {
      const double hz = static_cast<double>(k) * options.sample_rate / options.n_fft;
      const double rising = (hz - low) / (centre - low), falling = (high - hz) / (high - centre);
      bank[band * bins + k] = static_cast<float>(std::max(0.0, std::min(rising, falling)) * area);
    }
  }
  return bank;
}

double MelBandFrequency(double position, const LogMelOptions& options) {
  return MelToHz((position + 0.5) * MelStep(options));
}

double MelBandPosition(double hz, const LogMelOptions& options) {
  return std::clamp(HzToMel(hz) / MelStep(options) - 0.5, 0.0, static_cast<double>(options.mels));
}

Matrix LogMelSpectrogram(const std::vector<float>& samples, const LogMelOptions& options) {
  CheckOptions(options);
  const int64_t frames = static_cast<int64_t>(samples.size()) / options.hop;
  if (frames == 0) return {};
  Matrix spectrogram(options.mels, frames, std::vector<float>(options.mels * frames));
  const std::vector<float> bank = MelFilterBank(options);
  const std::vector<float> window = PeriodicHann(options.n_fft);
  AudioModule(ErrorKind::kInput)
      .power_spectra(
          options.n_fft, frames,
          [&](int64_t frame, float* input) {
            WindowAt(samples, window, frame * options.hop, input);
          },
          [&](int64_t frame, const std::vector<double>& power) {
            LogBandEnergies(power, bank, frame, spectrogram);
          });
  ScaleLikeWhisper(spectrogram.values);
  return spectrogram;
}

}  // namespace attnviz
