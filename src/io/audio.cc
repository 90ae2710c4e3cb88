// Audio files read and resampled through the audio module.
#include "attnviz/io/audio.h"

#include "audio/module.h"
#include "io/audio_loader.h"

namespace attnviz {

Audio ReadAudio(const std::string& path) { return AudioModule(ErrorKind::kInput).read_audio(path); }

Audio ResampleAudio(const Audio& audio, int rate, const std::string& path) {
  return AudioModule(ErrorKind::kInput).resample_audio(audio, rate, path);
}

Audio ReadAudioAt(const std::string& path, int rate) {
  return ResampleAudio(ReadAudio(path), rate, path);
}

}  // namespace attnviz
