// Loading the audio module once.
#include "io/audio_loader.h"

#include "audio/module.h"
#include "io/module_loader.h"

namespace attnviz {
namespace {

constexpr ModuleFile kFile{"attnviz_audio.so", "attnviz_audio_module", "audio", "audio support"};

}  // namespace

const audio::Module& AudioModule(ErrorKind kind) {
  return ModuleTable<audio::Module>(kFile, audio::kVersion, kind);
}

}  // namespace attnviz
