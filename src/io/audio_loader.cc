// Loading the audio module once.
#include "io/audio_loader.h"

#include "audio/module.h"
#include "io/module_loader.h"

namespace attnviz {

const audio::Module& AudioModule(ErrorKind kind) {
  static const ModuleFile file{"attnviz_audio.so", "attnviz_audio_module", "audio",
                               "audio support"};
  static const LoadedModule<audio::Module> loaded =
      LoadModule<audio::Module>(file, audio::kVersion);
  return ModuleTable(loaded, file, kind);
}

}  // namespace attnviz
