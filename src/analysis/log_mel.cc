// The log-mel spectrogram: reflected frames, Hann window, FFTW's real FFT, mel bands, log scale.
#include "attnviz/analysis/log_mel.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numbers>

#include "attnviz/error.h"

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

// FFTW's planner is not thread-safe (executing a plan is): plans are made and destroyed under
// one lock. FFTW_ESTIMATE plans without timing runs, so the same plan (and bytes) every time.
std::mutex& PlannerLock() {
  static std::mutex lock;
  return lock;
}

struct FftwFree {
  void operator()(void* memory) const { fftwf_free(memory); }
};

// One real FFT of n_fft samples, with its buffers.
class RealFft {
 public:
  explicit RealFft(int size)
      : in_(static_cast<float*>(fftwf_malloc(sizeof(float) * size))),
        out_(static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * (size / 2 + 1)))) {
    std::lock_guard<std::mutex> guard(PlannerLock());
    plan_ = fftwf_plan_dft_r2c_1d(size, in_.get(), out_.get(), FFTW_ESTIMATE);
  }
  ~RealFft() {
    std::lock_guard<std::mutex> guard(PlannerLock());
    fftwf_destroy_plan(plan_);
  }
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  float* input() { return in_.get(); }
  // |X_k|^2 for k = 0 .. size / 2 of what input() holds.
  void Power(std::vector<double>& power) {
    fftwf_execute(plan_);
    for (size_t k = 0; k < power.size(); ++k) {
      double re = out_.get()[k][0], im = out_.get()[k][1];
      power[k] = re * re + im * im;
    }
  }

 private:
  std::unique_ptr<float, FftwFree> in_;
  std::unique_ptr<fftwf_complex, FftwFree> out_;
  fftwf_plan plan_ = nullptr;
};

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
  const int64_t length = static_cast<int64_t>(samples.size());
  const int64_t frames = length / options.hop;
  if (frames == 0) return {};
  Matrix spectrogram(options.mels, frames, std::vector<float>(options.mels * frames));
  const std::vector<float> bank = MelFilterBank(options);
  const std::vector<float> window = PeriodicHann(options.n_fft);
  RealFft fft(options.n_fft);
  std::vector<double> power(options.n_fft / 2 + 1);
  const int64_t half = options.n_fft / 2;
  for (int64_t frame = 0; frame < frames; ++frame) {
    float* input = fft.input();
    for (int k = 0; k < options.n_fft; ++k) {
      input[k] = samples[Reflected(frame * options.hop + k - half, length)] * window[k];
    }
    fft.Power(power);
    LogBandEnergies(power, bank, frame, spectrogram);
  }
  ScaleLikeWhisper(spectrogram.values);
  return spectrogram;
}

}  // namespace attnviz
