// Audio files through libsndfile, mixed to mono, and resampled with libsoxr (the audio module's
// side of io/audio.h).
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#include "attnviz/error.h"
#include "attnviz/io/audio.h"
#include "audio/module.h"

namespace attnviz::audio {
namespace {

// A day of sound at 48 kHz is 4 billion samples; beyond that a file is a mistake, not speech.
constexpr double kMaxSeconds = 24 * 3600;
constexpr sf_count_t kChunkSamples = 65536;  // read at a time, over all channels

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

// libsndfile says "System error" for a missing file; the usual wording is clearer.
void CheckReadable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) ThrowInputError(path, std::string("cannot open: ") + std::strerror(errno));
  int first = std::fgetc(file);
  std::fclose(file);
  if (first == EOF) ThrowInputError(path, "expected an audio file, found an empty file");
}

SndfileHandle Open(const std::string& path, SF_INFO& info) {
  CheckReadable(path);
  info = {};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) {
    ThrowInputError(path, std::string("expected an audio file libsndfile reads (WAV, FLAC, "
                                      "OGG, ...), found one it refuses: ") +
                              sf_strerror(nullptr));
  }
  return SndfileHandle(file);
}

void CheckFormat(const std::string& path, const SF_INFO& info) {
  if (info.channels < 1) {
    ThrowInputError(path, "expected at least one channel, found " + std::to_string(info.channels));
  }
  if (info.samplerate < 1) {
    ThrowInputError(path,
                    "expected a positive sample rate, found " + std::to_string(info.samplerate));
  }
}

// libsndfile reads a WAV or AIFF whose sample chunk runs past the end of the file as far as
// it goes, and says so only in its log: "data : 32000 (should be 15978)". A size of 0xFFFFFFFF
// is a stream's "unknown" and one more byte is an odd chunk's padding; neither is truncation.
void CheckChunkSizes(const std::string& path, SNDFILE* file) {
  char log[16384] = {};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("data : ") && !line.starts_with("SSND : ")) continue;
    unsigned long long said = 0, found = 0;
    if (std::sscanf(line.c_str() + 7, "%llu (should be %llu)", &said, &found) != 2) continue;
    if (said == 4294967295ULL || said <= found + 1) continue;
    ThrowInputError(path, "truncated: the header says " + std::to_string(said) +
                              " bytes of samples, the file holds " + std::to_string(found));
  }
}

// The frames' channels averaged into `mono`.
void MixInto(const std::vector<float>& frames, sf_count_t count, int channels,
             std::vector<float>& mono) {
  for (sf_count_t frame = 0; frame < count; ++frame) {
    double sum = 0;
    for (int channel = 0; channel < channels; ++channel) sum += frames[frame * channels + channel];
    mono.push_back(static_cast<float>(sum / channels));
  }
}

std::vector<float> ReadMono(const std::string& path, SNDFILE* file, const SF_INFO& info) {
  const double max_frames = kMaxSeconds * info.samplerate;
  const sf_count_t chunk = std::max<sf_count_t>(1, kChunkSamples / info.channels);
  std::vector<float> frames(static_cast<size_t>(chunk) * info.channels);
  std::vector<float> mono;
  for (;;) {
    sf_count_t count = sf_readf_float(file, frames.data(), chunk);
    if (count <= 0) break;
    MixInto(frames, count, info.channels, mono);
    if (static_cast<double>(mono.size()) > max_frames) {
      ThrowInputError(path, "expected at most 24 hours of sound, found more");
    }
  }
  if (sf_error(file) != SF_ERR_NO_ERROR) {
    ThrowInputError(path, std::string("damaged after ") + std::to_string(mono.size()) +
                              " samples: " + sf_strerror(file));
  }
  return mono;
}

void CheckLength(const std::string& path, const SF_INFO& info, size_t read) {
  if (read == 0) ThrowInputError(path, "expected audio samples, found none");
  // Formats that do not know their length report SF_COUNT_MAX frames.
  if (info.frames > 0 && info.frames < SF_COUNT_MAX &&
      static_cast<sf_count_t>(read) < info.frames) {
    ThrowInputError(path, "truncated: the header says " + std::to_string(info.frames) +
                              " samples per channel, the file holds " + std::to_string(read));
  }
}

}  // namespace

Audio ReadAudio(const std::string& path) {
  SF_INFO info;
  SndfileHandle file = Open(path, info);
  CheckFormat(path, info);
  CheckChunkSizes(path, file.get());
  Audio audio{info.samplerate, ReadMono(path, file.get(), info)};
  CheckLength(path, info, audio.samples.size());
  return audio;
}

Audio ResampleAudio(const Audio& audio, int rate, const std::string& path) {
  if (audio.sample_rate == rate || audio.samples.empty()) return {rate, audio.samples};
  const double ratio = static_cast<double>(rate) / audio.sample_rate;
  std::vector<float> out(static_cast<size_t>(std::llround(audio.samples.size() * ratio)));
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);  // one thread: the same bytes every run
  size_t done = 0;
  soxr_error_t error =
      soxr_oneshot(audio.sample_rate, rate, 1, audio.samples.data(), audio.samples.size(), nullptr,
                   out.data(), out.size(), &done, &io, &quality, &runtime);
  if (error) {
    ThrowInputError(path, "resampling from " + std::to_string(audio.sample_rate) + " Hz to " +
                              std::to_string(rate) + " Hz failed: " + error);
  }
  out.resize(done);
  return {rate, std::move(out)};
}

}  // namespace attnviz::audio
