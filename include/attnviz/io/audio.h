// Audio read from disk for figures drawn over it (speech cross-attention): mono samples at the
// rate a speech model hears, 16 kHz for Whisper.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnviz {

// Mono samples, full scale at ±1 (libsndfile's float scaling of integer formats).
struct Audio {
  int sample_rate = 0;         // samples per second
  std::vector<float> samples;  // mono

  double seconds() const {
    return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0;
  }
};

// Whisper's rate: every model of the family hears 16 kHz mono.
inline constexpr int kWhisperSampleRate = 16000;

// Reads any file libsndfile reads (WAV, FLAC, OGG Vorbis or Opus, AIFF, ...), told apart by
// its contents whatever the name says, at its own rate; channels are mixed to mono by their
// mean, as librosa.to_mono and ffmpeg's "-ac 1" do. Throws an input Error naming `path` for a
// missing or unreadable file, one libsndfile does not recognise, no channels, no samples, a
// file shorter than its header says (truncated), or more than 24 hours of sound; or, naming the
// module, when the audio module (attnviz_audio.so, libsndfile's and libsoxr's) cannot be loaded.
Audio ReadAudio(const std::string& path);

// `audio` at `rate` samples per second, converted by libsoxr at its "high quality" setting
// (SOXR_HQ: 20-bit precision, a linear-phase band-limit at 91 % of the lower Nyquist rate),
// the resampler librosa.resample uses by default (res_type "soxr_hq"), which the Whisper
// releases that read audio with librosa used. The result has round(n * rate / audio rate)
// samples. Unchanged when the rates already agree. Throws an input Error naming `path` when the
// conversion fails, or naming the module when the audio module cannot be loaded.
Audio ResampleAudio(const Audio& audio, int rate, const std::string& path);

// ReadAudio then ResampleAudio to `rate`.
Audio ReadAudioAt(const std::string& path, int rate);

}  // namespace attnviz
