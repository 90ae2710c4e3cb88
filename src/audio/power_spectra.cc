// Power spectra of windows through FFTW's real FFT in single precision (the audio module's side
// of analysis/log_mel.h).
#include <fftw3.h>

#include <memory>
#include <mutex>

#include "audio/module.h"

namespace attnviz::audio {
namespace {

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

}  // namespace

void PowerSpectra(int n_fft, int64_t frames, const FillWindow& fill, const TakePower& take) {
  RealFft fft(n_fft);
  std::vector<double> power(n_fft / 2 + 1);
  for (int64_t frame = 0; frame < frames; ++frame) {
    fill(frame, fft.input());
    fft.Power(power);
    take(frame, power);
  }
}

}  // namespace attnviz::audio
