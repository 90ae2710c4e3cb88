// What the audio module (attnviz_audio.so, built from src/audio) offers the program, which loads
// it on first use (io/audio_loader.h). Linked into the program, libsndfile with its codecs (FLAC,
// Vorbis, Opus, Ogg, mpg123, LAME), libsoxr with libgomp and FFTW cost every command about 2 ms
// of CPU at start-up; only commands that read audio need them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "attnviz/io/audio.h"

namespace attnviz::audio {

// Writes window `frame`'s n_fft samples into `input`.
using FillWindow = std::function<void(int64_t frame, float* input)>;
// Takes window `frame`'s power spectrum, |X_k|^2 for k = 0 .. n_fft / 2.
using TakePower = std::function<void(int64_t frame, const std::vector<double>& power)>;

struct Module {
  int version;  // kVersion of the module's build: the program refuses another

  // io/audio.h's ReadAudio and ResampleAudio.
  Audio (*read_audio)(const std::string& path);
  Audio (*resample_audio)(const Audio& audio, int rate, const std::string& path);

  // The power spectra of `frames` windows of n_fft samples, one after another, by FFTW's real
  // FFT in single precision (analysis/log_mel.h's LogMelSpectrogram).
  void (*power_spectra)(int n_fft, int64_t frames, const FillWindow& fill, const TakePower& take);
};

// Raised whenever Module or what it passes changes.
inline constexpr int kVersion = 1;

// The module's functions (defined in src/audio/audio_file.cc and power_spectra.cc).
Audio ReadAudio(const std::string& path);
Audio ResampleAudio(const Audio& audio, int rate, const std::string& path);
void PowerSpectra(int n_fft, int64_t frames, const FillWindow& fill, const TakePower& take);

}  // namespace attnviz::audio

// The module's one exported symbol.
extern "C" const attnviz::audio::Module* attnviz_audio_module();
