// The audio module's entry point: the table of its functions.
#include "audio/module.h"

extern "C" __attribute__((visibility("default"))) const attnviz::audio::Module*
attnviz_audio_module() {
  static const attnviz::audio::Module module{attnviz::audio::kVersion, &attnviz::audio::ReadAudio,
                                             &attnviz::audio::ResampleAudio,
                                             &attnviz::audio::PowerSpectra};
  return &module;
}
