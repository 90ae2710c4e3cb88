// Whisper's log-mel spectrogram of 16 kHz audio, the picture of the sound its encoder sees
// (openai/whisper audio.py, log_mel_spectrogram), computed with FFTW.
#pragma once

#include <cstdint>
#include <vector>

#include "attnviz/tensor/matrix.h"

namespace attnviz {

// Whisper's constants: 25 ms windows every 10 ms at 16 kHz, 80 mel bands (large-v3: 128).
struct LogMelOptions {
  int sample_rate = 16000;
  int n_fft = 400;  // samples per window
  int hop = 160;    // samples between windows: 10 ms, so one Whisper encoder frame is 2 hops
  int mels = 80;
};

// Slaney's mel scale as librosa computes it by default (htk=False): linear below 1 kHz
// (3 mel per 200 Hz), logarithmic above (27 mel per factor 6.4), so 1 kHz is 15 mel.
double HzToMel(double hz);
double MelToHz(double mel);

// librosa.filters.mel(sr, n_fft, n_mels) with its defaults (fmin 0, fmax sr / 2, Slaney scale
// and area normalisation), the table Whisper ships as mel_filters.npz: mels rows of
// n_fft / 2 + 1 weights, row-major. Triangles between n_mels + 2 frequencies equally spaced in
// mel, each scaled by 2 / (its width in Hz).
std::vector<float> MelFilterBank(const LogMelOptions& options = {});

// The frequency in Hz that sits at `position` on the band axis of a spectrogram from
// LogMelSpectrogram drawn with band b over [b, b + 1): band b's centre frequency at b + 0.5.
double MelBandFrequency(double position, const LogMelOptions& options = {});
// The inverse: where `hz` falls on that axis (clamped to [0, mels]).
double MelBandPosition(double hz, const LogMelOptions& options = {});

// Whisper's log_mel_spectrogram of `samples` (mono, at options.sample_rate): the signal
// reflected by n_fft / 2 at both ends (torch.stft's center=True, pad_mode "reflect"), a
// periodic Hann window, |STFT|^2 with the last frame dropped, the mel filter bank, then
// log10(max(x, 1e-10)), raised to at least (its maximum - 8), and (x + 4) / 4. The result has
// one column per hop, samples.size() / hop of them (column t is the window centred on sample
// t * hop, Whisper's time t * hop / rate), and one row per mel band, row 0 the lowest. Fewer
// samples than one hop give an empty matrix. Single precision FFT, as Whisper computes it, by FFTW
// in the audio module: an input Error when that cannot be loaded.
Matrix LogMelSpectrogram(const std::vector<float>& samples, const LogMelOptions& options = {});

}  // namespace attnviz
